"""All agents of one system, their system-level events, and the agent exporter's collector."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

import numpy as np
from numpy.typing import NDArray
from prometheus_client.metrics_core import Metric

from agentwatch import catalog as c
from agentwatch.catalog import AGENT, AGENT_FAMILIES, WORKFLOW_BUCKETS
from agentwatch.catalog.prometheus import counter, gauge, histogram
from agentwatch.security import Pseudonymizer
from agentwatch.spec import CardinalityLimits

from ._agent import AgentGuards, AgentMonitor, AgentSnapshot, AgentStatus
from ._cardinality import OVERFLOW, SeriesLimit, overflow_family
from ._histogram import Bucket, Histogram
from ._privacy import default_pseudonymizer, hash_labels

__all__ = ["AgentFleet"]

# Every family with a series per agent: an agent's label set in each of them.
PER_AGENT_FAMILIES = tuple(f for f in AGENT_FAMILIES if f.labels[: len(AGENT)] == AGENT)


class AgentFleet:
    """The agents of a system. ``collector()`` serves them on the agent exporter.

    ``pseudonymizer`` hashes the values of its label names (``privacy.hashed_labels``) on
    every family served, for all the fleet's agents: add ``source_agent`` to the list when
    people, not agents, send the messages you record. Default: the spec's default names under
    a key drawn once per process (docs/privacy.md).

    ``cardinality`` caps every family's label sets (default: the spec's defaults;
    docs/cardinality.md). Beyond ``agents``, a new agent id gets its type's overflow monitor
    (agent_id ``__overflow__``); beyond ``agent_types``, a new type's agents share one
    monitor whose agent_id and agent_type are both ``__overflow__``.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.time,
        pseudonymizer: Pseudonymizer | None = None,
        cardinality: CardinalityLimits | None = None,
    ) -> None:
        self._clock = clock
        self.pseudonymizer = pseudonymizer or default_pseudonymizer()
        limits = cardinality or CardinalityLimits()
        self._lock = threading.Lock()
        self._agents: dict[str, AgentMonitor] = {}
        # Agent types with room of their own; an overflow monitor per type (and one for the
        # types beyond the limit), made when the first agent is folded into it.
        self._types: set[str] = set()
        self._overflow: dict[str, AgentMonitor] = {}
        self._workflows: dict[str, Histogram] = {}
        self._workflow_outcomes: Counter[tuple[str, str]] = Counter()
        self._unauthorized: Counter[tuple[str, str]] = Counter()
        self._agent_limit = SeriesLimit(limits.agents, PER_AGENT_FAMILIES, "agents")
        self._type_limit = SeriesLimit(
            limits.agent_types, (*PER_AGENT_FAMILIES, c.SYSTEM_ACTIVE_AGENTS), "agent_types"
        )
        self._guards = AgentGuards(limits)
        self._workflow_limit = SeriesLimit(
            limits.workflows,
            (c.AGENT_WORKFLOW_DURATION_SECONDS, c.AGENT_WORKFLOWS_TOTAL),
            "workflows",
        )
        self._unauthorized_limit = SeriesLimit(
            limits.unauthorized, (c.AGENT_UNAUTHORIZED_ACCESS_TOTAL,), "unauthorized"
        )

    def agent(
        self,
        agent_id: str,
        agent_type: str,
        *,
        workers: int = 1,
        memory_limit_bytes: int | None = None,
    ) -> AgentMonitor:
        """The monitor for ``agent_id``, created on first use; an overflow monitor shared
        with other agents once the cardinality limits are reached (``__overflow__`` is
        reserved: as an agent id it names the type's overflow monitor)."""
        with self._lock:
            monitor = self._agents.get(agent_id)
            if monitor is None:
                return self._new_agent(agent_id, agent_type, workers, memory_limit_bytes)
            if monitor.agent_type != agent_type:
                raise ValueError(
                    f"agent {agent_id!r} is already registered as type {monitor.agent_type!r}"
                )
            return monitor

    def _new_agent(
        self, agent_id: str, agent_type: str, workers: int, memory_limit_bytes: int | None
    ) -> AgentMonitor:
        if agent_type not in self._types:
            if agent_type == OVERFLOW or not self._type_limit.admit():
                return self._overflow_agent(OVERFLOW, workers, memory_limit_bytes)
            self._types.add(agent_type)
        if agent_id == OVERFLOW or not self._agent_limit.admit():
            return self._overflow_agent(agent_type, workers, memory_limit_bytes)
        monitor = self._agents[agent_id] = self._monitor(
            agent_id, agent_type, workers, memory_limit_bytes
        )
        return monitor

    def _overflow_agent(
        self, agent_type: str, workers: int, memory_limit_bytes: int | None
    ) -> AgentMonitor:
        monitor = self._overflow.get(agent_type)
        if monitor is None:
            monitor = self._overflow[agent_type] = self._monitor(
                OVERFLOW, agent_type, workers, memory_limit_bytes
            )
        return monitor

    def _monitor(
        self, agent_id: str, agent_type: str, workers: int, memory_limit_bytes: int | None
    ) -> AgentMonitor:
        return AgentMonitor(
            agent_id,
            agent_type,
            workers=workers,
            memory_limit_bytes=memory_limit_bytes,
            clock=self._clock,
            guards=self._guards,
        )

    def remove(self, agent_id: str) -> None:
        """Forget an agent that left the system for good (its series disappear, and its
        room in the cardinality limits is free again). Overflow monitors stay."""
        with self._lock:
            monitor = self._agents.pop(agent_id, None)
        if monitor is not None:
            self._agent_limit.release()
            monitor._release()

    def agents(self) -> list[AgentMonitor]:
        """Every monitor served, overflow monitors (agent_id ``__overflow__``) last."""
        with self._lock:
            return [*self._agents.values(), *self._overflow.values()]

    def record_workflow(self, workflow: str, seconds: float, *, ok: bool) -> None:
        """One request finished after ``seconds`` across all the agents it visited."""
        with self._lock:
            workflow, histogram = self._workflow(workflow)
            histogram.observe(seconds)
            self._workflow_outcomes[(workflow, "success" if ok else "failure")] += 1

    def record_workflows(self, workflow: str, seconds: NDArray[np.float64], *, ok: bool) -> None:
        """Many finished requests at once; same result as ``record_workflow`` for each."""
        with self._lock:
            workflow, histogram = self._workflow(workflow)
            histogram.observe_many(seconds)
            self._workflow_outcomes[(workflow, "success" if ok else "failure")] += len(seconds)

    def _workflow(self, workflow: str) -> tuple[str, Histogram]:
        """(the workflow label the request is recorded under, its histogram)."""
        histogram = self._workflows.get(workflow)
        if histogram is None:
            workflow = self._workflow_limit.place(workflow, OVERFLOW)
            histogram = self._workflows.get(workflow)
            if histogram is None:
                histogram = self._workflows[workflow] = Histogram(WORKFLOW_BUCKETS)
        return workflow, histogram

    def record_unauthorized(self, agent_type: str, *, reason: str, count: int = 1) -> None:
        """Messages to ``agent_type`` rejected because their sender was not allowed."""
        key = (agent_type, reason)
        with self._lock:
            rejected = self._unauthorized
            if key not in rejected:
                key = self._unauthorized_limit.place(key, (OVERFLOW, OVERFLOW))
            rejected[key] += count

    @property
    def _limits(self) -> tuple[SeriesLimit, ...]:
        return (
            self._agent_limit,
            self._type_limit,
            *self._guards.limits,
            self._workflow_limit,
            self._unauthorized_limit,
        )

    def collector(self) -> FleetCollector:
        return FleetCollector(self)

    def _system_snapshot(
        self,
    ) -> tuple[
        list[AgentSnapshot],
        list[tuple[str, list[Bucket], float]],
        list[tuple[tuple[str, str], int]],
        list[tuple[tuple[str, str], int]],
    ]:
        with self._lock:
            monitors = [*self._agents.values(), *self._overflow.values()]
            workflows = [(name, *h.snapshot()) for name, h in sorted(self._workflows.items())]
            outcomes = sorted(self._workflow_outcomes.items())
            unauthorized = sorted(self._unauthorized.items())
        return [m.snapshot() for m in monitors], workflows, outcomes, unauthorized


class FleetCollector:
    """prometheus_client collector for every family the agent exporter serves."""

    def __init__(self, fleet: AgentFleet) -> None:
        self._fleet = fleet

    def collect(self) -> Iterator[Metric]:
        return hash_labels(self._families(), self._fleet.pseudonymizer)

    def _families(self) -> Iterator[Metric]:
        agents, workflows, outcomes, unauthorized = self._fleet._system_snapshot()
        yield from _agent_families(agents)

        duration = histogram(c.AGENT_WORKFLOW_DURATION_SECONDS)
        for workflow, buckets, total in workflows:
            duration.add_metric([workflow], buckets, total)
        yield duration

        finished = counter(c.AGENT_WORKFLOWS_TOTAL)
        for (workflow, outcome), count in outcomes:
            finished.add_metric([workflow, outcome], count)
        yield finished

        rejected = counter(c.AGENT_UNAUTHORIZED_ACCESS_TOTAL)
        for (agent_type, reason), count in unauthorized:
            rejected.add_metric([agent_type, reason], count)
        yield rejected

        active = gauge(c.SYSTEM_ACTIVE_AGENTS)
        alive: Counter[str] = Counter()
        for agent in agents:
            alive[agent.agent_type] += agent.status is not AgentStatus.FAILED
        for agent_type in sorted({a.agent_type for a in agents}):
            active.add_metric([agent_type], alive[agent_type])
        yield active

        yield overflow_family(self._fleet._limits)


def _agent_families(agents: Iterable[AgentSnapshot]) -> Iterator[Metric]:
    status = gauge(c.AGENT_STATUS)
    processed = counter(c.AGENT_MESSAGES_PROCESSED_TOTAL)
    processing = histogram(c.AGENT_PROCESSING_TIME_SECONDS)
    queue = gauge(c.AGENT_QUEUE_DEPTH)
    usage = gauge(c.AGENT_RESOURCE_USAGE)
    memory = gauge(c.AGENT_MEMORY_BYTES)
    memory_limit = gauge(c.AGENT_MEMORY_LIMIT_BYTES)
    cpu = counter(c.AGENT_CPU_SECONDS_TOTAL)
    busy = counter(c.AGENT_BUSY_SECONDS_TOTAL)
    workers = gauge(c.AGENT_WORKERS)
    errors = counter(c.AGENT_ERRORS_TOTAL)
    heartbeat = gauge(c.AGENT_LAST_HEARTBEAT_TIMESTAMP_SECONDS)
    health = gauge(c.AGENT_HEALTH_SCORE)

    for a in agents:
        ids = [a.agent_id, a.agent_type]
        for each in AgentStatus:
            status.add_metric([*ids, each.value], 1.0 if each is a.status else 0.0)
        for source_agent, action, count in a.processed:
            processed.add_metric([*ids, source_agent, action], count)
        buckets, seconds = a.processing
        processing.add_metric(ids, buckets, seconds)
        queue.add_metric(ids, a.queue_depth)
        usage.add_metric([*ids, "cpu"], a.cpu_ratio)
        usage.add_metric([*ids, "memory"], a.memory_bytes / a.memory_limit_bytes)
        memory.add_metric(ids, a.memory_bytes)
        memory_limit.add_metric(ids, a.memory_limit_bytes)
        cpu.add_metric(ids, a.cpu_seconds)
        # Busy time is the time spent processing messages: the histogram's sum.
        busy.add_metric(ids, seconds)
        workers.add_metric(ids, a.workers)
        for error_type, count in a.errors:
            errors.add_metric([*ids, error_type], count)
        heartbeat.add_metric(ids, a.heartbeat)
        health.add_metric(ids, a.health)

    yield from (
        status, processed, processing, queue, usage, memory, memory_limit,
        cpu, busy, workers, errors, heartbeat, health,
    )  # fmt: skip
