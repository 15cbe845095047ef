"""Hands what the engine did to the agentwatch SDK, the same SDK any real system would use.

The simulator owns no metrics of its own: processed messages, errors, transport batches,
flows, workflows and voice events all go through ``AgentFleet``, ``TransportMonitor`` and
``VoiceMonitor``, and the exporters serve whatever those hold.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from agentwatch.exporters import Collector
from agentwatch.instrument import (
    AgentFleet,
    AgentMonitor,
    AgentStatus,
    MessageRecorder,
    TransportMonitor,
    VoiceMonitor,
)

from ._engine import AgentState, Engine
from ._outbox import (
    AGENT_ERRORS,
    ANOMALY_KINDS,
    RECOGNITION,
    TRANSPORT_ERRORS,
    VOICE_STAGES,
)
from ._routing import KINDS, PRIORITIES

__all__ = ["Publisher"]

_STATUS = {
    AgentState.IDLE: AgentStatus.IDLE,
    AgentState.RUNNING: AgentStatus.RUNNING,
    AgentState.FAILED: AgentStatus.FAILED,
    AgentState.BLOCKED: AgentStatus.BLOCKED,
}
UNAUTHORIZED_REASON = "sender_not_allowed"


def _groups(key: NDArray[np.int64]) -> tuple[NDArray[np.intp], NDArray[np.int64], list[int]]:
    """(order that sorts ``key``, distinct keys, split points) to walk rows key by key."""
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    cuts = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
    starts = np.r_[0, cuts]
    return order, ordered[starts], [int(c) for c in cuts]


class Publisher:
    """The simulated system's SDK objects, fed from the engine's outbox."""

    def __init__(self, engine: Engine, clock: Callable[[], float]) -> None:
        self.engine = engine
        topology = engine.topology
        limits = engine.spec.cardinality
        self.fleet = AgentFleet(clock=clock, cardinality=limits)
        self.transport = TransportMonitor(clock=clock, cardinality=limits)
        self.voice = VoiceMonitor(cardinality=limits)
        self.monitors: list[AgentMonitor] = [
            self.fleet.agent(
                agent_id,
                topology.types[topology.agent_type[index]],
                workers=engine.workers,
                memory_limit_bytes=int(engine.memory_limit),
            )
            for index, agent_id in enumerate(topology.agent_ids)
        ]
        self._senders = topology.sender_names()
        self._recorders: dict[int, MessageRecorder] = {}
        self._transport_published_at = engine.now

    def collectors(self) -> tuple[Collector, Collector, Collector]:
        """(agent, transport, voice) collectors, one per exporter."""
        return self.fleet.collector(), self.transport.collector(), self.voice.collector()

    # -- transport: every step, so its per-second throughput window sees each step ---------

    def publish_transport(self) -> None:
        batch = self.engine.outbox.take_transport()
        if self.engine.tracing is not None:
            for kind, exemplars in self.engine.tracing.take_latency_exemplars().items():
                self.transport.record_exemplars(KINDS[kind], exemplars)
        record = self.transport.record_batch
        # History steps cover many seconds at once; the SDK's sampling needs to know.
        span = max(1.0, self.engine.now - self._transport_published_at)
        self._transport_published_at = self.engine.now
        for kind, priority in zip(*np.nonzero(batch.out_count), strict=True):
            record(
                int(batch.out_count[kind, priority]),
                int(batch.out_bytes[kind, priority]),
                direction="out",
                msg_type=KINDS[kind],
                priority=PRIORITIES[priority],
            )
        if not batch.latency:
            return
        latency = np.concatenate(batch.latency)
        key = np.concatenate(batch.latency_kind).astype(np.int64) * len(
            PRIORITIES
        ) + np.concatenate(batch.latency_priority)
        order, keys, cuts = _groups(key)
        for group, rows in zip(keys.tolist(), np.split(order, cuts), strict=True):
            kind, priority = divmod(group, len(PRIORITIES))
            record(
                int(batch.in_count[kind, priority]),
                int(batch.in_bytes[kind, priority]),
                latencies=latency[rows],
                span_seconds=span,
                direction="in",
                msg_type=KINDS[kind],
                priority=PRIORITIES[priority],
            )

    # -- everything else -------------------------------------------------------------------

    def publish(self) -> None:
        self.publish_transport()
        engine, topology = self.engine, self.engine.topology
        box = engine.outbox.take()

        exemplars = {
            (agent * len(self._senders) + source) * len(KINDS) + kind: items
            for (agent, source, kind), items in (
                engine.tracing.take_processing_exemplars().items() if engine.tracing else ()
            )
        }
        if box.done_agent:
            agent = np.concatenate(box.done_agent).astype(np.int64)
            source = np.concatenate(box.done_source).astype(np.int64)
            kind = np.concatenate(box.done_kind).astype(np.int64)
            seconds = np.concatenate(box.done_seconds)
            key = (agent * len(self._senders) + source) * len(KINDS) + kind
            order, keys, cuts = _groups(key)
            for group, rows in zip(keys.tolist(), np.split(order, cuts), strict=True):
                self._recorder(group).observe_many(seconds[rows], exemplars.get(group, ()))

        for agent_index, error in zip(*np.nonzero(box.agent_errors), strict=True):
            self.monitors[agent_index].record_error(
                AGENT_ERRORS[error], int(box.agent_errors[agent_index, error])
            )
        for error in np.flatnonzero(box.transport_errors):
            error_type, severity = TRANSPORT_ERRORS[error]
            self.transport.record_error(
                error_type, severity=severity, count=int(box.transport_errors[error])
            )
        for source, target, kind_index in zip(*np.nonzero(box.flows), strict=True):
            self.transport.record_flow(
                self._senders[source],
                topology.types[target],
                KINDS[kind_index],
                count=int(box.flows[source, target, kind_index]),
            )
        for type_index in np.flatnonzero(box.unauthorized):
            self.fleet.record_unauthorized(
                topology.types[type_index],
                reason=UNAUTHORIZED_REASON,
                count=int(box.unauthorized[type_index]),
            )
        if box.workflow:
            workflow = np.concatenate(box.workflow).astype(np.int64)
            ok = np.concatenate(box.workflow_ok)
            seconds = np.concatenate(box.workflow_seconds)
            order, keys, cuts = _groups(workflow * 2 + ok)
            for group, rows in zip(keys.tolist(), np.split(order, cuts), strict=True):
                index, succeeded = divmod(group, 2)
                self.fleet.record_workflows(
                    topology.workflows[index].name,
                    seconds[rows],
                    ok=bool(succeeded),
                )
        self._publish_voice(box.voice_auth, box.voice_anomalies, box.voice_recognition)
        for stage, parts in zip(VOICE_STAGES, box.voice_stages, strict=True):
            if parts:
                self.voice.observe_stage_many(stage, np.concatenate(parts))
        self._publish_agents()

    def _recorder(self, group: int) -> MessageRecorder:
        recorder = self._recorders.get(group)
        if recorder is None:
            topology = self.engine.topology
            rest, kind = divmod(group, len(KINDS))
            agent, source = divmod(rest, len(self._senders))
            action = topology.actions[topology.agent_type[agent]][kind]
            recorder = self.monitors[agent].bind(self._senders[source], action)
            self._recorders[group] = recorder
        return recorder

    def _publish_voice(
        self,
        auth: NDArray[np.int64],
        anomalies: NDArray[np.int64],
        recognition: NDArray[np.int64],
    ) -> None:
        voice = self.voice
        if auth[0]:
            voice.record_auth(success=True, count=int(auth[0]))
        if auth[1]:
            voice.record_auth(success=False, count=int(auth[1]))
        for kind in np.flatnonzero(anomalies):
            voice.record_capture_anomaly(ANOMALY_KINDS[kind], int(anomalies[kind]))
        for outcome in np.flatnonzero(recognition):
            voice.record_recognition(RECOGNITION[outcome], int(recognition[outcome]))

    def _publish_agents(self) -> None:
        engine = self.engine
        depth = engine.queue_depth.tolist()
        states = engine.state.tolist()
        memory = engine.memory.tolist()
        cpu = engine.cpu_seconds.tolist()
        heartbeat = engine.heartbeat.tolist()
        for index, monitor in enumerate(self.monitors):
            monitor.set_status(_STATUS[states[index]])
            monitor.set_queue_depth(depth[index])
            monitor.set_resources(memory_bytes=memory[index], cpu_seconds_total=cpu[index])
            monitor.heartbeat(at=heartbeat[index])
