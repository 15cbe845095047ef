"""A fully populated fleet, 28 agent types x 10 agents, built twice from one plan.

Once with the agentwatch SDK and once with prometheus_client's own metric objects holding
the same series and values, so exposition and memory compare like with like. That includes
agentwatch_cardinality_overflow_total, which the SDK serves beside the agent families (one
series per family its cardinality guard covers, at 0 in this plan): the peer holds the same
counter, so both sides render the same exposition.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from prometheus_client import CollectorRegistry, disable_created_metrics
from prometheus_client.metrics import MetricWrapperBase

from agentwatch import catalog as c
from agentwatch.catalog import MetricFamily
from agentwatch.instrument import AgentFleet, AgentStatus, HealthInputs, health_score
from agentwatch.spec import DEFAULT_AGENT_TYPES

from ._native import counter, gauge, histogram

__all__ = ["AgentPlan", "FleetPlan", "build_ours", "build_peer", "plan_fleet"]

NOW = 1_700_000_000.0  # the clock both sides read, fixed so both expose the same values
CPU_INTERVAL = 15.0  # seconds between the two CPU samples that give the CPU ratio
AGENTS_PER_TYPE = 10
ACTIONS = ("plan", "execute", "review", "report")
ERRORS = ("timeout", "validation", "upstream")
STATUS_WEIGHTS = {
    AgentStatus.RUNNING: 70,
    AgentStatus.IDLE: 20,
    AgentStatus.BLOCKED: 5,
    AgentStatus.COMPLETED: 3,
    AgentStatus.FAILED: 2,
}


@dataclass(frozen=True, slots=True)
class AgentPlan:
    agent_id: str
    agent_type: str
    status: AgentStatus
    workers: int
    queue_depth: int
    memory_bytes: float
    memory_limit_bytes: int
    cpu_seconds: tuple[float, float]  # cumulative, CPU_INTERVAL before NOW and at NOW
    heartbeat: float
    messages: tuple[tuple[str, str, tuple[float, ...]], ...]  # source agent, action, latencies
    errors: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class FleetPlan:
    agents: tuple[AgentPlan, ...]
    workflows: tuple[tuple[str, float, bool], ...]  # workflow, seconds, ok
    unauthorized: tuple[tuple[str, str, int], ...]  # agent type, reason, count


def plan_fleet(
    *, agents_per_type: int = AGENTS_PER_TYPE, recorders: int = 3, messages: int = 20, seed: int = 7
) -> FleetPlan:
    """28 x ``agents_per_type`` agents, each with ``recorders`` (source, action) pairs of
    ``messages`` each."""
    rng = random.Random(seed)
    agents = tuple(
        _plan_agent(rng, agent_type, index, recorders, messages)
        for agent_type in DEFAULT_AGENT_TYPES
        for index in range(agents_per_type)
    )
    workflows = tuple(
        (f"workflow_{n}", rng.lognormvariate(0.0, 1.0), rng.random() > 0.05)
        for n in range(4)
        for _ in range(50)
    )
    unauthorized = tuple(
        (agent_type, "sender_not_allowed", rng.randint(1, 9))
        for agent_type in DEFAULT_AGENT_TYPES[::7]
    )
    return FleetPlan(agents, workflows, unauthorized)


def _plan_agent(
    rng: random.Random, agent_type: str, index: int, recorders: int, messages: int
) -> AgentPlan:
    sources = rng.sample(DEFAULT_AGENT_TYPES, recorders)
    cpu_before = rng.uniform(10.0, 1000.0)
    return AgentPlan(
        agent_id=f"{agent_type}-{index}",
        agent_type=agent_type,
        status=rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0],
        workers=rng.choice((1, 2, 4, 8)),
        queue_depth=rng.randint(0, 250),
        memory_bytes=float(rng.randint(50, 900) * 2**20),
        memory_limit_bytes=2**30,
        cpu_seconds=(cpu_before, cpu_before + rng.uniform(0.0, CPU_INTERVAL)),
        heartbeat=NOW - rng.uniform(0.0, 40.0),
        messages=tuple(
            (
                source,
                rng.choice(ACTIONS),
                tuple(rng.lognormvariate(-4.0, 1.5) for _ in range(messages)),
            )
            for source in sources
        ),
        errors=tuple((error, rng.randint(1, 5)) for error in rng.sample(ERRORS, 2)),
    )


# -- agentwatch ----------------------------------------------------------------------------


class _Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def build_ours(plan: FleetPlan) -> AgentFleet:
    clock = _Clock(NOW)
    fleet = AgentFleet(clock=clock)
    for a in plan.agents:
        clock.now = NOW - CPU_INTERVAL
        monitor = fleet.agent(
            a.agent_id, a.agent_type, workers=a.workers, memory_limit_bytes=a.memory_limit_bytes
        )
        monitor.set_resources(memory_bytes=a.memory_bytes, cpu_seconds_total=a.cpu_seconds[0])
        clock.now = NOW
        monitor.set_resources(cpu_seconds_total=a.cpu_seconds[1])
        monitor.set_status(a.status)
        monitor.set_queue_depth(a.queue_depth)
        monitor.heartbeat(at=a.heartbeat)
        for source, action, latencies in a.messages:
            record = monitor.bind(source_agent=source, action=action)
            for seconds in latencies:
                record.observe(seconds)
        for error, count in a.errors:
            monitor.record_error(error, count)
    for workflow, seconds, ok in plan.workflows:
        fleet.record_workflow(workflow, seconds, ok=ok)
    for agent_type, reason, count in plan.unauthorized:
        fleet.record_unauthorized(agent_type, reason=reason, count=count)
    return fleet


# -- prometheus_client ---------------------------------------------------------------------

_Metric = TypeVar("_Metric", bound=MetricWrapperBase)


class _PeerAgentFamilies:
    """prometheus_client's metric objects for every family the agent exporter serves."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self._registry = registry
        self._families: list[MetricFamily] = []
        self.status = self._made(gauge, c.AGENT_STATUS)
        self.processed = self._made(counter, c.AGENT_MESSAGES_PROCESSED_TOTAL)
        self.processing = self._made(histogram, c.AGENT_PROCESSING_TIME_SECONDS)
        self.queue = self._made(gauge, c.AGENT_QUEUE_DEPTH)
        self.usage = self._made(gauge, c.AGENT_RESOURCE_USAGE)
        self.memory = self._made(gauge, c.AGENT_MEMORY_BYTES)
        self.memory_limit = self._made(gauge, c.AGENT_MEMORY_LIMIT_BYTES)
        self.cpu = self._made(counter, c.AGENT_CPU_SECONDS_TOTAL)
        self.busy = self._made(counter, c.AGENT_BUSY_SECONDS_TOTAL)
        self.workers = self._made(gauge, c.AGENT_WORKERS)
        self.errors = self._made(counter, c.AGENT_ERRORS_TOTAL)
        self.heartbeat = self._made(gauge, c.AGENT_LAST_HEARTBEAT_TIMESTAMP_SECONDS)
        self.health = self._made(gauge, c.AGENT_HEALTH_SCORE)
        self.workflow_duration = self._made(histogram, c.AGENT_WORKFLOW_DURATION_SECONDS)
        self.workflows = self._made(counter, c.AGENT_WORKFLOWS_TOTAL)
        self.unauthorized = self._made(counter, c.AGENT_UNAUTHORIZED_ACCESS_TOTAL)
        self.active = self._made(gauge, c.SYSTEM_ACTIVE_AGENTS)
        # The SDK also serves a fold count for each family above, from 0 (nothing is folded
        # here); the exposition check fails if the SDK's guard ever covers other families.
        overflow = counter(c.AGENTWATCH_CARDINALITY_OVERFLOW_TOTAL, registry)
        for family in self._families:
            overflow.labels(family.name)

    def _made(
        self, make: Callable[[MetricFamily, CollectorRegistry], _Metric], family: MetricFamily
    ) -> _Metric:
        self._families.append(family)
        return make(family, self._registry)

    def add_agent(self, a: AgentPlan) -> None:
        ids = (a.agent_id, a.agent_type)
        for status in AgentStatus:
            self.status.labels(*ids, status.value).set(1.0 if status is a.status else 0.0)
        processing, busy, processed = self.processing.labels(*ids), 0.0, 0
        for source, action, latencies in a.messages:
            self.processed.labels(*ids, source, action).inc(len(latencies))
            for seconds in latencies:
                processing.observe(seconds)
                busy += seconds
            processed += len(latencies)
        self.queue.labels(*ids).set(a.queue_depth)
        before, now = a.cpu_seconds
        cpu_ratio = (now - before) / CPU_INTERVAL / max(1, a.workers)
        self.usage.labels(*ids, "cpu").set(cpu_ratio)
        self.usage.labels(*ids, "memory").set(a.memory_bytes / a.memory_limit_bytes)
        self.memory.labels(*ids).set(a.memory_bytes)
        self.memory_limit.labels(*ids).set(a.memory_limit_bytes)
        self.cpu.labels(*ids).inc(now)
        self.busy.labels(*ids).inc(busy)
        self.workers.labels(*ids).set(a.workers)
        errors = 0
        for error, count in a.errors:
            self.errors.labels(*ids, error).inc(count)
            errors += count
        self.heartbeat.labels(*ids).set(a.heartbeat)
        health = HealthInputs(
            failed=a.status is AgentStatus.FAILED,
            cpu_ratio=cpu_ratio,
            memory_ratio=a.memory_bytes / a.memory_limit_bytes,
            queue_depth=a.queue_depth,
            error_ratio=errors / (processed + errors),
            heartbeat_age_seconds=NOW - a.heartbeat,
        )
        self.health.labels(*ids).set(health_score(health))


def build_peer(plan: FleetPlan) -> CollectorRegistry:
    """The same series in prometheus_client metric objects, in a fresh registry.

    Turns off prometheus_client's ``_created`` series for the whole process: agentwatch
    does not expose them, and a user wanting the same series would do the same.
    """
    disable_created_metrics()  # type: ignore[no-untyped-call]
    registry = CollectorRegistry()
    families = _PeerAgentFamilies(registry)
    for agent in plan.agents:
        families.add_agent(agent)
    for workflow, seconds, ok in plan.workflows:
        families.workflow_duration.labels(workflow).observe(seconds)
        families.workflows.labels(workflow, "success" if ok else "failure").inc()
    for agent_type, reason, count in plan.unauthorized:
        families.unauthorized.labels(agent_type, reason).inc(count)
    for agent_type in sorted({a.agent_type for a in plan.agents}):
        alive = sum(
            a.status is not AgentStatus.FAILED for a in plan.agents if a.agent_type == agent_type
        )
        families.active.labels(agent_type).set(alive)
    return registry
