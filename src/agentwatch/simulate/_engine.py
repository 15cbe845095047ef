"""The simulated multi-agent system: agents with workers and queues, a transport, requests.

The engine advances simulated time one step at a time. Within a step every message keeps its
own continuous timestamps (created, arrived, started, finished), so latencies do not depend on
the step length; the step only decides how often the engine looks at the world.

Queueing model. Each agent is one FIFO queue drained by ``workers`` workers. Waits follow the
fluid multi-server approximation: the agent's backlog drains at ``workers`` seconds of work per
second, so a message starts when the work queued ahead of it, divided by the workers, is done
(Lindley's recursion, vectorised per agent with a segmented running maximum). A message then
occupies one worker for its full service time. A request that hops across several agents
within one step is scheduled hop by hop ("waves"); a message that arrives in a later wave is
placed after the work that arrived before it (looked up on the earlier waves' schedules). At
the end of the step each agent's backlog is recomputed exactly from all the work it took on,
in arrival order, so capacity is conserved whatever the step length.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from agentwatch.spec import Spec, duration_seconds

from ._faults import VOICE_TYPE, ActiveFaults, FaultSchedule
from ._load import LoadPattern
from ._messages import F, I, Messages
from ._outbox import (
    DELIVERY_FAILED,
    LOST_ON_CRASH,
    PROCESSING_FAILED,
    QUEUE_FULL,
    TIMEOUT,
    UNAUTHORIZED,
    Outbox,
)
from ._routing import (
    EMERGENCY,
    EVENT,
    EVENT_SHARE,
    KINDS,
    MAX_HOPS,
    MIN_HOPS,
    PRIORITIES,
    RESULT,
    TASK,
    build_topology,
)
from ._voice import VoicePipeline

if TYPE_CHECKING:
    from ._tracing import SimulatedTracing

__all__ = ["AgentState", "Engine", "Ledger"]

# The request rate the default fleet is sized for (seed default): per-type service times are
# chosen so that at this rate each type is 20-45% busy at the daily mean. A higher request
# rate in the spec therefore loads the same fleet harder, as it would a real one.
NOMINAL_REQUEST_RATE = 200.0
UTILISATION_RANGE = (0.2, 0.45)
# Mean task service times stay within these bounds: a type that receives little traffic is
# simply less busy (as over-provisioned agents are) rather than slow.
MIN_SERVICE, MAX_SERVICE = 0.002, 0.08
# Work a message needs relative to a task of the same receiver, by kind.
KIND_WORK = np.array([1.0, 0.15, 0.08, 0.3])
# Median payload bytes by kind; sizes are lognormal around these.
KIND_BYTES = np.array([2048.0, 8192.0, 512.0, 256.0])
PAYLOAD_SIGMA = 0.8
# Transport link: lognormal delay around 0.4 ms plus serialisation at 10 Gbit/s.
LINK_MEDIAN, LINK_SIGMA, LINK_BYTES_PER_SECOND = 0.0004, 0.6, 1.25e9
# A message that waited longer than this is dropped by the worker that picks it up.
MESSAGE_TIMEOUT = 60.0
# Messages an agent's queue holds before the transport refuses more.
QUEUE_CAPACITY = 50_000
# The router learns that an agent is down only after missing heartbeats for this long;
# until then it keeps sending to it and those deliveries fail.
DETECT_DELAY = 10.0
# An agent killed for exceeding its memory limit is restarted after this long.
RESTART_DELAY = 30.0
PROCESSING_ERROR_RATE = 0.0008
# Memory: per-type baseline, plus bookkeeping per queued message, plus a working set per
# busy worker, plus whatever a leak has added since the last restart.
BASELINE_MIB = (96.0, 224.0)
QUEUED_MESSAGE_OVERHEAD = 16 * 1024
WORKING_SET_BYTES = 16 * 1024 * 1024
# CPU: seconds of CPU per second of processing (by type), and an idle cost per agent.
CPU_PER_BUSY_SECOND = (0.6, 1.0)
IDLE_CPU = 0.02
PRIORITY_SHARES = np.cumsum([0.2, 0.7, 0.1])  # low, normal, high for requests
# Waves per step; a request longer than this within one step continues in the next step.
MAX_WAVES = 24
_KEY_SPAN = 4.0e6  # seconds; keeps agents apart in sort keys (agent * span + time offset)
_SEGMENT_SPAN = 1.0e7  # separates agents in the segmented running maximum

_REQUEST_NUMBERS = 2**31 - 1

UP, DOWN_FAULT, DOWN_OOM = 0, 1, 2


class AgentState:
    IDLE, RUNNING, FAILED, BLOCKED = range(4)


@dataclass
class Ledger:
    """Every message the engine created, and where each one is now. Always balances."""

    created: int = 0
    processed: int = 0
    dropped: dict[str, int] = field(default_factory=dict)

    def drop(self, reason: str, count: int) -> None:
        if count:
            self.dropped[reason] = self.dropped.get(reason, 0) + count

    @property
    def dropped_total(self) -> int:
        return sum(self.dropped.values())


class _Taken:
    """The work agents took on so far in this step.

    For lookups it keeps sort keys (agent, then arrival), each with the latest fluid finish
    among the agent's work up to that key (a running maximum), so a late arrival finds the
    work that arrived before it with a search. Recent waves stay in runs of their own and are
    merged into the main run only once they add up, so merging stays cheap. The rows
    themselves are kept per wave and sorted once, by ``_settle``, at the end of the step.
    """

    def __init__(self, t0: float) -> None:
        self.t0 = t0
        self.runs: list[tuple[NDArray[np.float64], NDArray[np.float64]]] = []  # (key, reach)
        self.keys: list[NDArray[np.float64]] = []
        self.agents: list[NDArray[np.int32]] = []
        self.arrivals: list[NDArray[np.float64]] = []
        self.works: list[NDArray[np.float64]] = []

    def ahead(self, key: NDArray[np.float64], agent: NDArray[np.int32]) -> NDArray[np.float64]:
        """For each (key, agent): when the work the agent took on before it is done (or -inf)."""
        result = np.full(len(key), -np.inf)
        for run_key, reach in self.runs:
            j = np.searchsorted(run_key, key, side="right") - 1
            found = np.flatnonzero(j >= 0)
            hit = j[found]
            same = np.rint(run_key[hit] / _KEY_SPAN).astype(np.int32) == agent[found]
            rows, hit = found[same], hit[same]
            result[rows] = np.maximum(result[rows], reach[hit] + self.t0)
        return result

    def add(
        self,
        key: NDArray[np.float64],
        agent: NDArray[np.int32],
        arrive: NDArray[np.float64],
        work: NDArray[np.float64],
        finish: NDArray[np.float64],
    ) -> None:
        """Take on rows (sorted by key) that workers started in this wave."""
        self.keys.append(key)
        self.agents.append(agent)
        self.arrivals.append(arrive)
        self.works.append(work)
        # Within one wave an agent's finish times only grow (Lindley), so they are already
        # the running maximum.
        self.runs.append((key, finish - self.t0))
        recent = sum(len(k) for k, _ in self.runs[1:])
        if len(self.runs) > 2 and (len(self.runs) > 6 or recent > len(self.runs[0][0]) // 4):
            self._merge()

    def _merge(self) -> None:
        merged = np.concatenate([k for k, _ in self.runs])
        order = np.argsort(merged, kind="stable")
        key = merged[order]
        # Running maximum per agent: offsetting each agent's values by agent * span keeps
        # one agent's maximum from reaching into the next (rows are in agent order).
        offset = np.rint(key / _KEY_SPAN) * _SEGMENT_SPAN
        reach = np.concatenate([r for _, r in self.runs])[order]
        self.runs = [(key, np.maximum.accumulate(reach + offset) - offset)]


class _Queued(NamedTuple):
    """A batch queued at its agents (rows sorted by agent, then arrival), with its times."""

    batch: Messages
    key: NDArray[np.float64]  # sort key: agent, then arrival
    agent: NDArray[np.int32]
    effective: NDArray[np.float64]  # service time after any slowdown
    work: NDArray[np.float64]  # the agent's capacity it takes: effective / workers
    start: NDArray[np.float64]  # when a worker takes it off the queue
    finish: NDArray[np.float64]  # when the agent's fluid backlog up to it is done
    starts: NDArray[np.bool_]  # a worker starts it within this step


class _Sends(NamedTuple):
    """The columns of messages to send, before ``Engine._create`` draws their delays."""

    dst: NDArray[Any]
    src: NDArray[Any]  # sending agent type
    kind: NDArray[Any]
    created: NDArray[np.float64]
    priority: NDArray[Any]
    hops: NDArray[Any]
    workflow: NDArray[Any]
    origin: NDArray[Any]
    request_start: NDArray[np.float64]
    request: NDArray[Any]
    trace: NDArray[Any]


class Engine:
    """The simulated system. ``step(t)`` advances it to simulated Unix time ``t``.

    Once ``tracing`` is set (a ``SimulatedTracing``, by whoever runs the engine), the requests
    it samples carry a trace context from agent to agent and their messages become spans.
    """

    def __init__(self, spec: Spec, *, start: float) -> None:
        sim = spec.simulation
        self.tracing: SimulatedTracing | None = None
        self.spec = spec
        self.topology = topology = build_topology(spec)
        self.workers = sim.workers_per_agent
        self.memory_limit = float(sim.memory_limit_bytes)
        self.load = LoadPattern.from_spec(sim)
        self.tick = duration_seconds(sim.tick)
        self.faults = FaultSchedule(topology)
        self.rng = np.random.default_rng(sim.seed)
        self.voice = VoicePipeline(self.rng)
        self.voice_type = topology.types.index(VOICE_TYPE) if VOICE_TYPE in topology.types else -1
        self.start = self.now = start
        self.outbox = Outbox(topology.n_agents, topology.n_types)
        self.ledger = Ledger()
        self.requests = 0  # requests created so far; each one's number is I.REQUEST

        n_types, n_agents = topology.n_types, topology.n_agents
        profile = np.random.default_rng([sim.seed, 2])
        utilisation = profile.uniform(*UTILISATION_RANGE, size=n_types)
        self.service_sigma = profile.uniform(0.35, 0.75, size=n_types)
        visits = topology.visits_per_request()  # (kinds, types) per request
        work = (KIND_WORK[:3, None] * visits).sum(axis=0)
        capacity = topology.per_type * self.workers
        demand = np.maximum(work * NOMINAL_REQUEST_RATE, 1e-9)
        mean_service = np.clip(utilisation * capacity / demand, MIN_SERVICE, MAX_SERVICE)
        self.mean_service = mean_service
        self.service_mu = np.log(mean_service) - self.service_sigma**2 / 2
        self.baseline_memory = (
            profile.uniform(*BASELINE_MIB, size=n_types)[topology.agent_type] * 1024 * 1024
        )
        self.cpu_factor = profile.uniform(*CPU_PER_BUSY_SECOND, size=n_types)
        self._workflow_entry = np.array([w.entry for w in topology.workflows], dtype=np.int32)
        self._workflow_share = np.array([w.share for w in topology.workflows])
        self._workflow_hops = np.array([w.mean_extra_hops for w in topology.workflows])

        # Where every message is: exactly one of these, or processed, or dropped.
        self.queue = Messages.empty()
        self.in_flight = Messages.empty()
        self.in_service = Messages.empty()

        self.tail = np.full(n_agents, start)  # fluid time at which each agent's backlog is done
        self.down = np.zeros(n_agents, dtype=np.int8)
        self.down_since = np.full(n_agents, -np.inf)
        self.restart_at = np.full(n_agents, np.inf)
        self.leaked = np.zeros(n_agents)
        self.memory = self.baseline_memory.copy()
        self.cpu_seconds = np.zeros(n_agents)
        self.heartbeat = np.full(n_agents, start)
        self.state = np.full(n_agents, AgentState.IDLE, dtype=np.int8)
        self.restarts = np.zeros(n_agents, dtype=np.int64)
        self._busy = np.zeros(n_agents, dtype=bool)
        self._active: ActiveFaults = self.faults.active(start, start + self.tick)
        self._update_router(start)

    # -- public ----------------------------------------------------------------------------

    @property
    def queue_depth(self) -> NDArray[np.int64]:
        return np.bincount(self.queue.i[:, I.DST], minlength=self.topology.n_agents)

    @property
    def up(self) -> NDArray[np.bool_]:
        """Which agents are running (neither crashed by a fault nor killed for memory)."""
        up: NDArray[np.bool_] = self.down == UP
        return up

    @property
    def oom_killed(self) -> NDArray[np.bool_]:
        """Which agents are down because they ran out of memory and wait to restart."""
        killed: NDArray[np.bool_] = self.down == DOWN_OOM
        return killed

    @property
    def in_system(self) -> int:
        return len(self.queue) + len(self.in_flight) + len(self.in_service)

    def step(self, t1: float) -> None:
        """Advance the simulation from ``self.now`` to ``t1``."""
        t0 = self.now
        if t1 <= t0:
            return
        active = self._active = self.faults.active(t0, t1)
        self._busy[:] = False
        self._lifecycle(t0, active)
        self._update_router(t0)

        # Messages whose worker finishes them in this step, from earlier steps.
        finishing, self.in_service = self.in_service.split(self.in_service.f[:, F.DEPART] < t1)
        pending = Messages.concat(
            [self._complete(finishing), self._arrivals(t0, t1, active), self.in_flight]
        )
        arriving, self.in_flight = pending.split(pending.f[:, F.ARRIVE] < t1)

        taken = _Taken(t0)
        carry, self.queue = self.queue, Messages.empty()
        for number in range(MAX_WAVES):
            accepted = self._deliver(arriving)
            batch = Messages.concat([carry, accepted]) if number == 0 else accepted
            if not len(batch):
                break
            committed = self._schedule(batch, taken, active, t0, t1)
            done, running = committed.split(committed.f[:, F.DEPART] < t1)
            self.in_service = Messages.concat([self.in_service, running])
            children = self._complete(done)
            arriving, later = children.split(children.f[:, F.ARRIVE] < t1)
            self.in_flight = Messages.concat([self.in_flight, later])
        else:
            # Still hopping after MAX_WAVES: delivered at the start of the next step.
            self.in_flight = Messages.concat([self.in_flight, arriving])

        self._settle(taken, t0)
        unavailable = (self.down != UP) | active.stalled
        self.tail[unavailable] = np.maximum(self.tail[unavailable], t1)
        self._resources(t0, t1, active)
        self.now = t1

    # -- lifecycle -------------------------------------------------------------------------

    def _lifecycle(self, t0: float, active: ActiveFaults) -> None:
        down = self.down
        recover = ((down == DOWN_FAULT) & ~active.crashed) | (
            (down == DOWN_OOM) & (self.restart_at <= t0) & ~active.crashed
        )
        if recover.any():
            down[recover] = UP
            self.leaked[recover] = 0.0
            self.tail[recover] = t0
            self.heartbeat[recover] = t0
            self.down_since[recover] = -np.inf
            self.restart_at[recover] = np.inf
            self.restarts[recover] += 1
        # An agent killed for memory stays down as long as a crash fault holds it.
        down[(down == DOWN_OOM) & active.crashed] = DOWN_FAULT
        crash = active.crashed & (down == UP)
        if crash.any():
            self._crash(crash, t0, DOWN_FAULT)

    def _crash(self, agents: NDArray[np.bool_], at: float, cause: int) -> None:
        """Kill ``agents`` at ``at``: what they held in memory (queue, work in hand) is lost."""
        self.down[agents] = cause
        self.down_since[agents] = at
        self.memory[agents] = 0.0
        for name in ("queue", "in_service"):
            table: Messages = getattr(self, name)
            lost, kept = table.split(agents[table.i[:, I.DST]])
            setattr(self, name, kept)
            if len(lost):
                self._agent_errors(lost.i[:, I.DST], LOST_ON_CRASH)
                self._lose(lost, "lost_on_crash", np.full(len(lost), at))

    # -- message creation ------------------------------------------------------------------

    def _update_router(self, t: float) -> None:
        """What the router believes at ``t``: per type, the agents it sends to."""
        topology = self.topology
        believed_up = (self.down == UP) | (t - self.down_since < DETECT_DELAY)
        live = believed_up[topology.instances]  # (types, per_type)
        # Per type, live instances first; an all-down type still gets its (failing) agents.
        order = np.argsort(~live, axis=1, kind="stable")
        self._router_agents = np.take_along_axis(topology.instances, order, axis=1)
        count = live.sum(axis=1)
        self._router_count = np.where(count == 0, topology.per_type, count)

    def _route(self, types: NDArray[np.int32]) -> NDArray[np.int32]:
        """An agent of each given type, chosen at random among those the router thinks are up."""
        pick = (self.rng.random(len(types)) * self._router_count[types]).astype(np.int32)
        agents: NDArray[np.int32] = self._router_agents[types, pick]
        return agents

    def _create(
        self,
        dst: NDArray[np.int32],
        src: NDArray[np.int32],
        kind: NDArray[np.int32] | int,
        created: NDArray[np.float64],
        *,
        priority: NDArray[np.int32] | int,
        hops: NDArray[np.int32] | int = 0,
        workflow: NDArray[np.int32] | int = -1,
        origin: NDArray[np.int32] | int = -1,
        request_start: NDArray[np.float64] | float = 0.0,
        request: NDArray[np.int32] | int = 0,
        trace: NDArray[np.int32] | int = 0,
    ) -> Messages:
        """New envelopes handed to the transport at ``created``, with their link delay drawn.

        ``trace`` is the trace slot of the message each one answers or forwards (0: none);
        the tracing glue gives each traced envelope headers of its own.
        """
        n = len(dst)
        rng = self.rng
        batch = Messages.empty(n)
        f, i = batch.f, batch.i
        i[:, I.DST], i[:, I.SRC], i[:, I.KIND] = dst, src, kind
        i[:, I.PRIORITY], i[:, I.HOPS], i[:, I.WORKFLOW], i[:, I.ORIGIN] = (
            priority,
            hops,
            workflow,
            origin,
        )
        i[:, I.REQUEST], i[:, I.TRACE] = request, trace
        kinds = i[:, I.KIND]
        # Payload size, service time and link delay: three lognormals from one draw.
        normal = rng.standard_normal((3, n))
        receiver = self.topology.agent_type[dst]
        normal[0] *= PAYLOAD_SIGMA
        normal[1] *= self.service_sigma[receiver]
        normal[1] += self.service_mu[receiver]
        normal[2] *= LINK_SIGMA
        lognormal = np.exp(normal, out=normal)
        i[:, I.BYTES] = KIND_BYTES[kinds] * lognormal[0]
        f[:, F.SERVICE] = KIND_WORK[kinds] * lognormal[1]
        f[:, F.CREATED] = created
        f[:, F.ARRIVE] = (
            created + LINK_MEDIAN * lognormal[2] + i[:, I.BYTES] / LINK_BYTES_PER_SECOND
        )
        f[:, F.REQUEST_START] = request_start
        self.ledger.created += n
        outbox = self.outbox
        key = kinds * len(PRIORITIES) + i[:, I.PRIORITY]
        size = len(KINDS) * len(PRIORITIES)
        transport = outbox.transport
        transport.out_count += np.bincount(key, minlength=size).reshape(transport.out_count.shape)
        transport.out_bytes += (
            np.bincount(key, weights=i[:, I.BYTES], minlength=size)
            .astype(np.int64)
            .reshape(transport.out_bytes.shape)
        )
        flow = (i[:, I.SRC] * self.topology.n_types + receiver) * len(KINDS) + kinds
        outbox.flows += np.bincount(flow, minlength=outbox.flows.size).reshape(outbox.flows.shape)
        if self.tracing is not None and np.any(i[:, I.TRACE]):
            self.tracing.sent(batch)
        return batch

    def _arrivals(self, t0: float, t1: float, active: ActiveFaults) -> Messages:
        """External requests, and the traffic faults inject, created during [t0, t1)."""
        rng, topology = self.rng, self.topology
        span = t1 - t0
        parts: list[Messages] = []

        counts = rng.poisson(self._workflow_share * self.load.expected(t0, t1))
        n = int(counts.sum())
        if n:
            workflow = np.repeat(np.arange(len(counts), dtype=np.int32), counts)
            created = t0 + rng.random(n) * span
            dst = self._route(self._workflow_entry[workflow])
            hops = np.minimum(MIN_HOPS + rng.poisson(self._workflow_hops[workflow]), MAX_HOPS)
            priority = np.searchsorted(PRIORITY_SHARES, rng.random(n), side="right")
            requests = self._create(
                dst,
                np.full(n, topology.n_types, dtype=np.int32),
                TASK,
                created,
                priority=np.minimum(priority, 2).astype(np.int32),
                hops=hops.astype(np.int32),
                workflow=workflow,
                origin=dst,
                request_start=created,
                # Numbers wrap after 2**31 - 1 requests (124 days at 200/s), long after the
                # earlier holders of a number have ended.
                request=((self.requests + np.arange(n)) % _REQUEST_NUMBERS + 1).astype(np.int32),
            )
            self.requests += n
            if self.tracing is not None:
                self.tracing.start_requests(requests)
            parts.append(requests)

        for target_type, rate in active.floods:
            n = int(rng.poisson(rate * span))
            if not n:
                continue
            senders = np.array(topology.emergency_senders, dtype=np.int32)
            receivers = (
                np.full(n, target_type, dtype=np.int32)
                if target_type >= 0
                else np.array(topology.emergency_receivers, dtype=np.int32)[
                    rng.integers(0, len(topology.emergency_receivers), n)
                ]
            )
            parts.append(
                self._create(
                    self._route(receivers),
                    senders[rng.integers(0, len(senders), n)],
                    EMERGENCY,
                    t0 + rng.random(n) * span,
                    priority=PRIORITIES.index("emergency"),
                )
            )

        for target_type, rate in active.intrusions:
            n = int(rng.poisson(rate * span))
            intruders = np.flatnonzero(~topology.allowed[:, target_type]).astype(np.int32)
            if not n or not len(intruders):
                continue
            parts.append(
                self._create(
                    self._route(np.full(n, target_type, dtype=np.int32)),
                    intruders[rng.integers(0, len(intruders), n)],
                    TASK,
                    t0 + rng.random(n) * span,
                    priority=PRIORITIES.index("high"),
                )
            )
        return Messages.concat(parts)

    # -- delivery and queueing -------------------------------------------------------------

    def _deliver(self, batch: Messages) -> Messages:
        """Hand arriving messages to their receivers; refuse what a receiver cannot take."""
        if not len(batch):
            return batch
        dst = batch.i[:, I.DST]
        receiver = self.topology.agent_type[dst]
        refused = ~self.topology.allowed[batch.i[:, I.SRC], receiver]
        if refused.any():
            rejected, batch = batch.split(refused)
            self.outbox.unauthorized += np.bincount(
                self.topology.agent_type[rejected.i[:, I.DST]], minlength=self.topology.n_types
            )
            self.outbox.transport_errors[UNAUTHORIZED] += len(rejected)
            self._lose(rejected, "unauthorized", rejected.f[:, F.ARRIVE])
            dst = batch.i[:, I.DST]
        dead = self.down[dst] != UP
        if dead.any():
            failed, batch = batch.split(dead)
            self.outbox.transport_errors[DELIVERY_FAILED] += len(failed)
            self._lose(failed, "delivery_failed", failed.f[:, F.ARRIVE])
        return batch

    def _schedule(
        self, batch: Messages, taken: _Taken, active: ActiveFaults, t0: float, t1: float
    ) -> Messages:
        """Queue ``batch`` at its agents; return what a worker starts before ``t1``.

        A message waits for the work its agent took on before it arrived: the backlog from
        earlier steps, work taken on in earlier waves of this step that arrived before it
        (found in ``taken``), and the batch's own earlier arrivals (Lindley's recursion).
        Messages already started keep their times (they cannot be called back); at the end
        of the step ``_settle`` recomputes the backlog from all of it, in arrival order.
        """
        batch, key, agent = _by_agent_then_arrival(batch, t0)
        batch, key, agent = self._refuse_overflow(batch, key, agent)
        if not len(batch):
            return batch
        queued = self._queue_times(batch, key, agent, taken=taken, active=active, t0=t0, t1=t1)
        if queued is None:
            return Messages.empty()
        waiting, started = queued.batch.split(~queued.starts)
        self.queue = Messages.concat([self.queue, waiting])
        if len(started):
            self._start(started, queued, taken)
        return started

    def _refuse_overflow(
        self, batch: Messages, key: NDArray[np.float64], agent: NDArray[np.int32]
    ) -> tuple[Messages, NDArray[np.float64], NDArray[np.int32]]:
        """Refuse what does not fit in a queue (the newest arrivals of each agent).

        ``batch`` is sorted by agent, then arrival; returns what fits, in the same order.
        """
        queued_before = np.bincount(self.queue.i[:, I.DST], minlength=self.topology.n_agents)
        if queued_before.max() + len(agent) < QUEUE_CAPACITY:
            return batch, key, agent
        position = np.arange(len(agent)) - _first_index(agent)
        overflow = queued_before[agent] + position >= QUEUE_CAPACITY
        if not overflow.any():
            return batch, key, agent
        full, batch = batch.split(overflow)
        self.outbox.transport_errors[QUEUE_FULL] += len(full)
        self._lose(full, "queue_full", full.f[:, F.ARRIVE])
        return batch, key[~overflow], agent[~overflow]

    def _queue_times(
        self,
        batch: Messages,
        key: NDArray[np.float64],
        agent: NDArray[np.int32],
        *,
        taken: _Taken,
        active: ActiveFaults,
        t0: float,
        t1: float,
    ) -> _Queued | None:
        """When a worker would start each message of ``batch``; None if all of it timed out.

        A worker drops what waited longer than ``MESSAGE_TIMEOUT``; the rest is scheduled
        again without it, since the dropped work no longer delays what queued behind it.
        """
        serving_agents = (self.down == UP) & ~active.stalled
        while True:
            effective = batch.f[:, F.SERVICE] * active.slowdown[agent]
            work = effective / self.workers
            ahead = np.maximum(self.tail[agent], taken.ahead(key, agent))
            ready = np.maximum(batch.f[:, F.ARRIVE], ahead) - t0
            finish = _segmented_lindley(agent, ready, work) + t0
            start = finish - work
            starts = serving_agents[agent] & (start < t1)
            expired = starts & (start - batch.f[:, F.CREATED] > MESSAGE_TIMEOUT)
            if not expired.any():
                return _Queued(batch, key, agent, effective, work, start, finish, starts)
            stale, batch = batch.split(expired)
            self._agent_errors(stale.i[:, I.DST], TIMEOUT)
            self._lose(stale, "timeout", start[expired])
            key, agent = key[~expired], agent[~expired]
            if not len(batch):
                return None

    def _start(self, started: Messages, queued: _Queued, taken: _Taken) -> None:
        """Workers take ``started`` (the rows of ``queued`` that start) off their queues."""
        starts = queued.starts
        start, effective, agent, work = (
            queued.start[starts],
            queued.effective[starts],
            queued.agent[starts],
            queued.work[starts],
        )
        taken.add(queued.key[starts], agent, started.f[:, F.ARRIVE], work, queued.finish[starts])

        f = started.f
        f[:, F.START] = start
        f[:, F.EFFECTIVE] = effective
        f[:, F.DEPART] = start + effective
        self._busy[agent] = True
        self._record_received(started, start)

    def _record_received(self, started: Messages, start: NDArray[np.float64]) -> None:
        """The transport's side of ``started``: received counts, bytes and latencies."""
        transport = self.outbox.transport
        kind_priority = started.i[:, I.KIND] * len(PRIORITIES) + started.i[:, I.PRIORITY]
        size = transport.in_count.size
        transport.in_count += np.bincount(kind_priority, minlength=size).reshape(
            transport.in_count.shape
        )
        transport.in_bytes += (
            np.bincount(kind_priority, weights=started.i[:, I.BYTES], minlength=size)
            .astype(np.int64)
            .reshape(transport.in_bytes.shape)
        )
        transport.latency_kind.append(started.i[:, I.KIND])
        transport.latency_priority.append(started.i[:, I.PRIORITY])
        transport.latency.append(start - started.f[:, F.CREATED])

    def _settle(self, taken: _Taken, t0: float) -> None:
        """Each agent's backlog after this step: all the work it took on, in arrival order."""
        if not taken.keys:
            return
        order = np.argsort(np.concatenate(taken.keys), kind="stable")
        agent = np.concatenate(taken.agents)[order]
        arrive = np.concatenate(taken.arrivals)[order]
        work = np.concatenate(taken.works)[order]
        ready = np.maximum(arrive, self.tail[agent]) - t0
        finish = _segmented_lindley(agent, ready, work) + t0
        last = np.empty(len(agent), dtype=bool)
        last[-1] = True
        np.not_equal(agent[1:], agent[:-1], out=last[:-1])
        self.tail[agent[last]] = finish[last]

    # -- completion ------------------------------------------------------------------------

    def _complete(self, done: Messages) -> Messages:
        """Workers finished ``done``: record them and send whatever each one causes."""
        if not len(done):
            return done
        self._charge_cpu(done)
        done = self._processing_errors(done)
        if not len(done):
            return done
        self._record_processed(done)
        self._finish_requests(done)

        tasks = (done.i[:, I.KIND] == TASK) & (done.i[:, I.WORKFLOW] >= 0)
        if tasks.any():
            work = done.take(np.flatnonzero(tasks))
            children = self._send_on(work, self._voice_gate(work))
        else:
            children = Messages.empty()
        if self.tracing is not None:
            self.tracing.release()
        return children

    def _charge_cpu(self, done: Messages) -> None:
        """The CPU the workers spent on ``done``; the agents were busy in this step."""
        topology = self.topology
        agent = done.i[:, I.DST]
        self.cpu_seconds += np.bincount(
            agent,
            weights=done.f[:, F.EFFECTIVE] * self.cpu_factor[topology.agent_type[agent]],
            minlength=topology.n_agents,
        )
        self._busy[agent] = True

    def _processing_errors(self, done: Messages) -> Messages:
        """Drop the few messages whose processing failed; return the rest."""
        broken = self.rng.random(len(done)) < PROCESSING_ERROR_RATE
        if not broken.any():
            return done
        failed, done = done.split(broken)
        self._agent_errors(failed.i[:, I.DST], PROCESSING_FAILED)
        self._lose(failed, "processing_failed", failed.f[:, F.DEPART])
        return done

    def _record_processed(self, done: Messages) -> None:
        """``done`` leaves the system processed: the ledger, its spans, the agents' counts."""
        self.ledger.processed += len(done)
        if self.tracing is not None:
            self.tracing.processed(done)
        outbox = self.outbox
        outbox.done_agent.append(done.i[:, I.DST])
        outbox.done_source.append(done.i[:, I.SRC])
        outbox.done_kind.append(done.i[:, I.KIND])
        outbox.done_seconds.append(done.f[:, F.EFFECTIVE])

    def _finish_requests(self, done: Messages) -> None:
        """Results reaching the agent that took the request in: the request is complete."""
        finished = done.i[:, I.KIND] == RESULT
        if not finished.any():
            return
        outbox = self.outbox
        outbox.workflow.append(done.i[finished, I.WORKFLOW])
        outbox.workflow_seconds.append(
            done.f[finished, F.DEPART] - done.f[finished, F.REQUEST_START]
        )
        outbox.workflow_ok.append(np.ones(int(finished.sum()), dtype=bool))
        if self.tracing is not None:
            self.tracing.requests_completed(done.take(np.flatnonzero(finished)))

    def _voice_gate(self, work: Messages) -> NDArray[np.bool_]:
        """Which finished tasks go on: a voice agent stops those it rejects, failed."""
        goes_on = np.ones(len(work), dtype=bool)
        if self.voice_type < 0:
            return goes_on
        agent = work.i[:, I.DST]
        voice = self.topology.agent_type[agent] == self.voice_type
        if not voice.any():
            return goes_on
        goes_on[voice] = self.voice.run(
            work.f[voice, F.EFFECTIVE],
            self._active.auth_failure_ratio[agent[voice]],
            self._active.anomaly_ratio[agent[voice]],
            self.outbox,
        )
        stopped = ~goes_on
        if stopped.any():
            # Not authenticated, or not understood: the request ends here, failed.
            ended = work.take(np.flatnonzero(stopped))
            self._fail_requests(ended, ended.f[:, F.DEPART], "voice_rejected")
        return goes_on

    def _send_on(self, work: Messages, goes_on: NDArray[np.bool_]) -> Messages:
        """The messages finished tasks send: their next hops, and the events some emit."""
        sends = self._next_hops(work, np.flatnonzero(goes_on))
        if self.topology.event_sink >= 0:
            events = self._events(work)
            if events is not None:
                sends = _Sends(*(np.concatenate(pair) for pair in zip(sends, events, strict=True)))
        return self._create(
            sends.dst.astype(np.int32),
            sends.src,
            sends.kind.astype(np.int32),
            sends.created,
            priority=sends.priority.astype(np.int32),
            hops=sends.hops.astype(np.int32),
            workflow=sends.workflow.astype(np.int32),
            origin=sends.origin.astype(np.int32),
            request_start=sends.request_start,
            request=sends.request,
            trace=sends.trace,
        )

    def _next_hops(self, work: Messages, rows: NDArray[np.intp]) -> _Sends:
        """Each request that goes on (``rows`` of ``work``) sends one message: the task to
        the next agent, or the result back to the agent that took the request in."""
        topology = self.topology
        sender_type = topology.agent_type[work.i[rows, I.DST]]
        hops = work.i[rows, I.HOPS]
        forward = hops > 1
        next_type = (
            np.searchsorted(
                topology.routing_cdf.ravel(), sender_type + self.rng.random(len(rows)), side="right"
            )
            - sender_type * topology.n_types
        )
        next_type = np.minimum(next_type, topology.n_types - 1).astype(np.int32)
        return _Sends(
            dst=np.where(forward, self._route(next_type), work.i[rows, I.ORIGIN]),
            src=sender_type,
            kind=np.where(forward, TASK, RESULT),
            created=work.f[rows, F.DEPART],
            priority=work.i[rows, I.PRIORITY],
            hops=np.maximum(hops - 1, 0),
            workflow=work.i[rows, I.WORKFLOW],
            origin=work.i[rows, I.ORIGIN],
            request_start=work.f[rows, F.REQUEST_START],
            request=work.i[rows, I.REQUEST],
            trace=work.i[rows, I.TRACE],
        )

    def _events(self, work: Messages) -> _Sends | None:
        """The events some finished tasks emit to the event sink; None if none does."""
        notify = np.flatnonzero(self.rng.random(len(work)) < EVENT_SHARE)
        m = len(notify)
        if not m:
            return None
        topology = self.topology
        return _Sends(
            dst=self._route(np.full(m, topology.event_sink, dtype=np.int32)),
            src=topology.agent_type[work.i[notify, I.DST]],
            kind=np.full(m, EVENT),
            created=work.f[notify, F.DEPART],
            priority=np.full(m, PRIORITIES.index("low")),
            hops=np.zeros(m, dtype=work.i.dtype),
            workflow=np.full(m, -1),
            origin=np.full(m, -1),
            request_start=np.zeros(m),
            request=np.zeros(m, dtype=work.i.dtype),
            # An event belongs to no request but is part of its sender's trace.
            trace=work.i[notify, I.TRACE],
        )

    def _lose(self, lost: Messages, reason: str, at: NDArray[np.float64]) -> None:
        """``lost`` will never be processed (``reason``, at ``at``): nor answered, if requests."""
        self.ledger.drop(reason, len(lost))
        if self.tracing is not None:
            self.tracing.lost(lost, reason, at)
        self._fail_requests(lost, at, reason)

    def _fail_requests(self, lost: Messages, at: NDArray[np.float64], reason: str) -> None:
        """Requests whose message in ``lost`` will never be answered end here, failed."""
        request = lost.i[:, I.WORKFLOW] >= 0
        if request.any():
            self.outbox.workflow.append(lost.i[request, I.WORKFLOW])
            self.outbox.workflow_seconds.append(at[request] - lost.f[request, F.REQUEST_START])
            self.outbox.workflow_ok.append(np.zeros(int(request.sum()), dtype=bool))
            if self.tracing is not None:
                rows = np.flatnonzero(request)
                self.tracing.requests_failed(lost.take(rows), reason, at[rows])

    def _agent_errors(self, agents: NDArray[np.int32], error: int) -> None:
        self.outbox.agent_errors[:, error] += np.bincount(agents, minlength=self.topology.n_agents)

    # -- resources -------------------------------------------------------------------------

    def _resources(self, t0: float, t1: float, active: ActiveFaults) -> None:
        n_agents = self.topology.n_agents
        up = self.down == UP
        queue_dst = self.queue.i[:, I.DST]
        queued = np.bincount(queue_dst, minlength=n_agents)
        queued_bytes = np.bincount(queue_dst, weights=self.queue.i[:, I.BYTES], minlength=n_agents)
        working = np.bincount(self.in_service.i[:, I.DST], minlength=n_agents)
        self.leaked[up] += active.leak_bytes_per_second[up] * (t1 - t0)
        memory = (
            self.baseline_memory
            + queued * QUEUED_MESSAGE_OVERHEAD
            + queued_bytes
            # The fluid model can overlap more messages than workers; memory follows workers.
            + np.minimum(working, self.workers) * WORKING_SET_BYTES
            + self.leaked
        )
        self.memory = np.where(up, memory, 0.0)
        self.cpu_seconds[up] += IDLE_CPU * (t1 - t0)
        self.heartbeat[up] = t1
        state = np.where(self._busy, AgentState.RUNNING, AgentState.IDLE)
        state = np.where(active.stalled, AgentState.BLOCKED, state)
        self.state = np.where(up, state, AgentState.FAILED).astype(np.int8)

        # The kernel kills an agent that outgrows its limit; it restarts a little later.
        oom = up & (self.memory > self.memory_limit)
        if oom.any():
            self._crash(oom, t1, DOWN_OOM)
            self.restart_at[oom] = t1 + RESTART_DELAY
            self.state[oom] = AgentState.FAILED


def _by_agent_then_arrival(
    batch: Messages, t0: float
) -> tuple[Messages, NDArray[np.float64], NDArray[np.int32]]:
    """``batch`` sorted by receiving agent, then arrival, with its sort keys and agents."""
    agent = batch.i[:, I.DST]
    offset = np.clip(batch.f[:, F.ARRIVE] - t0, -_KEY_SPAN / 4, _KEY_SPAN / 4)
    key = (agent * _KEY_SPAN + offset).astype(np.float64)
    order = np.argsort(key, kind="stable")
    return batch.take(order), key[order], agent[order]


def _segmented_lindley(
    agent: NDArray[np.int32], ready: NDArray[np.float64], work: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Fluid finish times of FIFO work, per agent; rows sorted by agent, then arrival.

    finish_i = inclusive_i + max over k <= i of (ready_k - exclusive_k), where inclusive and
    exclusive are the agent's running sums of work with and without row i: Lindley's
    recursion unrolled, so a whole step is a few array operations. Times are relative.
    """
    first = _firsts(agent)
    total = np.cumsum(work)
    first_index = np.maximum.accumulate(np.where(first, np.arange(len(agent)), 0))
    inclusive = total - (total[first_index] - work[first_index])
    exclusive = inclusive - work
    segment = (np.cumsum(first) - 1) * _SEGMENT_SPAN
    best: NDArray[np.float64] = np.maximum.accumulate(ready - exclusive + segment) - segment
    return inclusive + best


def _firsts(agent: NDArray[np.int32]) -> NDArray[np.bool_]:
    """True on the first row of each agent in rows sorted by agent."""
    first = np.empty(len(agent), dtype=bool)
    if len(agent):
        first[0] = True
        np.not_equal(agent[1:], agent[:-1], out=first[1:])
    return first


def _first_index(agent: NDArray[np.int32]) -> NDArray[np.intp]:
    """For each row (sorted by agent), the index of its agent's first row."""
    index: NDArray[np.intp] = np.maximum.accumulate(
        np.where(_firsts(agent), np.arange(len(agent)), 0)
    )
    return index
