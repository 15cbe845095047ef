"""What the engine did since the last hand-over to the SDK, as counts and raw observations.

The engine appends here; the publisher drains it into the SDK (every step when live, before
each snapshot in a backfill). Nothing is summarised away: every processing time, delivery
latency and workflow duration is handed to the SDK as it happened.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ._routing import KINDS, PRIORITIES

__all__ = [
    "AGENT_ERRORS",
    "ANOMALY_KINDS",
    "RECOGNITION",
    "TRANSPORT_ERRORS",
    "VOICE_STAGES",
    "Outbox",
    "TransportBatch",
]

# Why an agent failed a message (agent_errors_total{error_type}).
AGENT_ERRORS = ("processing_failed", "timeout", "lost_on_crash")
PROCESSING_FAILED, TIMEOUT, LOST_ON_CRASH = range(3)
# Transport errors and their severity (agent_transport_errors_total{error_type, severity}).
TRANSPORT_ERRORS = (
    ("delivery_failed", "error"),
    ("queue_full", "error"),
    ("unauthorized", "warning"),
)
DELIVERY_FAILED, QUEUE_FULL, UNAUTHORIZED = range(3)
VOICE_STAGES = ("capture", "authenticate", "transcribe", "understand")
ANOMALY_KINDS = ("clipping", "silence", "dropout")
RECOGNITION = ("correct", "rejected", "false_positive")


@dataclass
class TransportBatch:
    """Messages the transport moved during one step (handed over every step, see publisher)."""

    out_count: NDArray[np.int64]  # (kinds, priorities)
    out_bytes: NDArray[np.int64]
    in_count: NDArray[np.int64]
    in_bytes: NDArray[np.int64]
    # Delivery latency (created -> taken by a worker) of each delivered message, with its key.
    latency_kind: list[NDArray[np.int32]] = field(default_factory=list)
    latency_priority: list[NDArray[np.int32]] = field(default_factory=list)
    latency: list[NDArray[np.float64]] = field(default_factory=list)

    @classmethod
    def zeros(cls) -> TransportBatch:
        shape = (len(KINDS), len(PRIORITIES))
        return cls(
            out_count=np.zeros(shape, dtype=np.int64),
            out_bytes=np.zeros(shape, dtype=np.int64),
            in_count=np.zeros(shape, dtype=np.int64),
            in_bytes=np.zeros(shape, dtype=np.int64),
        )


@dataclass
class Outbox:
    n_agents: int
    n_types: int
    # Processed messages: receiving agent, sender type, kind and processing seconds.
    done_agent: list[NDArray[np.int32]] = field(default_factory=list)
    done_source: list[NDArray[np.int32]] = field(default_factory=list)
    done_kind: list[NDArray[np.int32]] = field(default_factory=list)
    done_seconds: list[NDArray[np.float64]] = field(default_factory=list)
    agent_errors: NDArray[np.int64] = field(init=False)
    flows: NDArray[np.int64] = field(init=False)  # (senders incl. external, types, kinds)
    transport_errors: NDArray[np.int64] = field(init=False)
    unauthorized: NDArray[np.int64] = field(init=False)  # per attacked type
    workflow: list[NDArray[np.int32]] = field(default_factory=list)
    workflow_seconds: list[NDArray[np.float64]] = field(default_factory=list)
    workflow_ok: list[NDArray[np.bool_]] = field(default_factory=list)
    voice_auth: NDArray[np.int64] = field(init=False)  # (success, failure)
    voice_anomalies: NDArray[np.int64] = field(init=False)
    voice_recognition: NDArray[np.int64] = field(init=False)
    voice_stages: list[list[NDArray[np.float64]]] = field(init=False)
    transport: TransportBatch = field(default_factory=TransportBatch.zeros)

    def __post_init__(self) -> None:
        self.agent_errors = np.zeros((self.n_agents, len(AGENT_ERRORS)), dtype=np.int64)
        self.flows = np.zeros((self.n_types + 1, self.n_types, len(KINDS)), dtype=np.int64)
        self.transport_errors = np.zeros(len(TRANSPORT_ERRORS), dtype=np.int64)
        self.unauthorized = np.zeros(self.n_types, dtype=np.int64)
        self.voice_auth = np.zeros(2, dtype=np.int64)
        self.voice_anomalies = np.zeros(len(ANOMALY_KINDS), dtype=np.int64)
        self.voice_recognition = np.zeros(len(RECOGNITION), dtype=np.int64)
        self.voice_stages = [[] for _ in VOICE_STAGES]

    def take_transport(self) -> TransportBatch:
        batch, self.transport = self.transport, TransportBatch.zeros()
        return batch

    def take(self) -> Outbox:
        """Everything recorded so far (transport batch excepted); this outbox starts empty."""
        taken = Outbox(self.n_agents, self.n_types)
        taken.done_agent, self.done_agent = self.done_agent, []
        taken.done_source, self.done_source = self.done_source, []
        taken.done_kind, self.done_kind = self.done_kind, []
        taken.done_seconds, self.done_seconds = self.done_seconds, []
        taken.agent_errors, self.agent_errors = self.agent_errors, np.zeros_like(self.agent_errors)
        taken.flows, self.flows = self.flows, np.zeros_like(self.flows)
        taken.transport_errors, self.transport_errors = (
            self.transport_errors,
            np.zeros_like(self.transport_errors),
        )
        taken.unauthorized, self.unauthorized = self.unauthorized, np.zeros_like(self.unauthorized)
        taken.workflow, self.workflow = self.workflow, []
        taken.workflow_seconds, self.workflow_seconds = self.workflow_seconds, []
        taken.workflow_ok, self.workflow_ok = self.workflow_ok, []
        taken.voice_auth, self.voice_auth = self.voice_auth, np.zeros_like(self.voice_auth)
        taken.voice_anomalies, self.voice_anomalies = (
            self.voice_anomalies,
            np.zeros_like(self.voice_anomalies),
        )
        taken.voice_recognition, self.voice_recognition = (
            self.voice_recognition,
            np.zeros_like(self.voice_recognition),
        )
        taken.voice_stages, self.voice_stages = self.voice_stages, [[] for _ in VOICE_STAGES]
        return taken
