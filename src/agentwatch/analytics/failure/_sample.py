"""Runs a scenario of the simulated system and samples each agent as Prometheus would see it.

Every STEP_SECONDS the simulated system's SDK objects are read exactly as a scrape reads them:
``AgentFleet.collector()`` builds every agent family from ``AgentMonitor.snapshot()``, so
reading the snapshots is reading the scrape without the text encoding (the memory ratio is
memory_bytes / limit as exported, the CPU ratio the agent_resource_usage{resource="cpu"} value,
errors the sum of agent_errors_total over error types, latency from the processing-time
histogram's _sum and _count). The engine is stepped once per sample; it keeps continuous
per-message timestamps, so only the memory-limit check is as coarse as the step.

Failures are taken from the engine itself, at the time they happened: an agent that goes
from up to down, killed for memory (OOM) or by a crash fault.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from agentwatch.instrument import AgentStatus
from agentwatch.simulate import Engine, Publisher, parse_fault
from agentwatch.spec import Spec

from ._scenarios import Scenario
from ._signals import STEP_SECONDS, Raw, RawSignals

__all__ = ["Failure", "ScenarioRun", "run_scenario"]


@dataclass(frozen=True, slots=True)
class Failure:
    """An agent went down at ``at``; ``oom`` when killed for memory, else by a crash fault."""

    agent: int
    at: float
    oom: bool


@dataclass(frozen=True, slots=True)
class ScenarioRun:
    scenario: Scenario
    raw: RawSignals
    failures: tuple[Failure, ...]


def _spec(scenario: Scenario) -> Spec:
    spec = Spec()
    simulation = spec.simulation.model_copy(
        update={"seed": scenario.seed, "request_rate": scenario.request_rate}
    )
    return spec.model_copy(update={"simulation": simulation})


def run_scenario(scenario: Scenario) -> ScenarioRun:
    """Simulate ``scenario`` and sample every agent every STEP_SECONDS (rows 0..end)."""
    engine = Engine(_spec(scenario), start=scenario.start)
    for text in scenario.faults:
        engine.faults.add(parse_fault(text), scenario.start)
    publisher = Publisher(engine, clock=lambda: engine.now)
    rows = round(scenario.minutes * 60 / STEP_SECONDS) + 1
    agents = engine.topology.n_agents
    times = scenario.start + np.arange(rows, dtype=np.float64) * STEP_SECONDS
    values: dict[Raw, NDArray[np.float64]] = {s: np.full((rows, agents), np.nan) for s in Raw}
    failures: list[Failure] = []
    for row, t in enumerate(times):
        if row:
            was_up = engine.up
            engine.step(float(t))
            oom_killed = engine.oom_killed
            for agent in np.flatnonzero(was_up & ~engine.up).tolist():
                failures.append(
                    Failure(agent, float(engine.down_since[agent]), bool(oom_killed[agent]))
                )
        publisher.publish()
        for agent, monitor in enumerate(publisher.monitors):
            snap = monitor.snapshot()
            buckets, seconds = snap.processing
            values[Raw.MEMORY_BYTES][row, agent] = snap.memory_bytes
            values[Raw.MEMORY_LIMIT_BYTES][row, agent] = snap.memory_limit_bytes
            values[Raw.CPU_RATIO][row, agent] = snap.cpu_ratio
            values[Raw.QUEUE_DEPTH][row, agent] = snap.queue_depth
            values[Raw.ERRORS_TOTAL][row, agent] = sum(count for _, count in snap.errors)
            values[Raw.PROCESSING_SUM][row, agent] = seconds
            values[Raw.PROCESSING_COUNT][row, agent] = buckets[-1][1]  # the +Inf bucket
            values[Raw.HEARTBEAT][row, agent] = snap.heartbeat
            values[Raw.FAILED][row, agent] = float(snap.status is AgentStatus.FAILED)
            values[Raw.HEALTH][row, agent] = snap.health
    topology = engine.topology
    raw = RawSignals(
        times=times,
        agent_ids=tuple(topology.agent_ids),
        agent_types=tuple(topology.types[i] for i in topology.agent_type),
        values=values,
    )
    return ScenarioRun(scenario, raw, tuple(failures))
