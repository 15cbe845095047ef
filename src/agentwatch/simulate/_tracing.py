"""The simulated system's spans: real OpenTelemetry spans, at the times things happened.

Each simulated agent has an ``AgentTracer`` of its own (a service in Jaeger), and the outside
world that sends requests in has one too (``external``). The engine asks the sampler once per
request, when it arrives; a sampled request's messages carry W3C headers (``traceparent``,
``baggage`` with the conversation id), kept here per envelope and referred to by the
envelope's ``I.TRACE`` slot, and every hop opens spans from them as a real agent would:

    invoke_agent planner (CLIENT, external: the whole request, ends when its result is in)
      invoke_agent planner (SERVER, planner-1: the work on the message)
        invoke_agent coder (CLIENT, planner-1: delivery, from sending to a worker taking it)
          invoke_agent coder (SERVER, coder-0) ...

A message lost on the way (crashed receiver, full queue, timeout, refused sender) ends its
CLIENT span with an error and the request's root span with it. A request head sampling dropped
carries no headers (its children would never be offered to the sampler); if it fails or runs
slow, its root span is recorded when it ends, with its real start time: errors and slow
requests are always kept, as one-span traces tied to the conversation id.

Traced messages also become exemplars of the processing-time and delivery-latency histograms.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from numpy.typing import NDArray

from agentwatch.exporters import TracingPipeline
from agentwatch.instrument import AgentTracer, Hop, TraceExemplar, TransportMonitor
from agentwatch.spec import duration_seconds

from ._messages import F, I, Messages
from ._routing import EXTERNAL, KINDS, PRIORITIES, RESULT, Topology

__all__ = ["SERVICE_NAMESPACE", "SimulatedTracing"]

SERVICE_NAMESPACE = "agentwatch-simulated"
_SLOTS = 2**31 - 1


def _ns(seconds: float) -> int:
    return int(seconds * 1e9)


class SimulatedTracing:
    def __init__(
        self,
        topology: Topology,
        pipeline: TracingPipeline,
        *,
        transport: TransportMonitor | None = None,
        run: str = "sim",
    ) -> None:
        self.topology = topology
        self.pipeline = pipeline
        slow = duration_seconds(pipeline.tracing.slow_span)
        self._slow = slow
        self._agents = [
            AgentTracer(
                topology.types[topology.agent_type[index]],
                agent_id,
                tracer_provider=pipeline.provider(
                    {
                        "service.name": topology.types[topology.agent_type[index]],
                        "service.namespace": SERVICE_NAMESPACE,
                        "service.instance.id": agent_id,
                    }
                ),
                transport=transport,
                slow_seconds=slow,
            )
            for index, agent_id in enumerate(topology.agent_ids)
        ]
        self._external = AgentTracer(
            EXTERNAL,
            tracer_provider=pipeline.provider(
                # An instance id of its own, or the SDK would make up a UUID for it.
                {
                    "service.name": EXTERNAL,
                    "service.namespace": SERVICE_NAMESPACE,
                    "service.instance.id": EXTERNAL,
                }
            ),
            slow_seconds=slow,
        )
        self._run = run
        # Envelope headers and the open CLIENT span of each traced message in the system.
        self._headers: dict[int, dict[str, str]] = {}
        self._sending: dict[int, tuple[AgentTracer, Hop]] = {}
        self._next_slot = 1
        # Root span of each sampled request still running, by request number; the slot of
        # each request's first message, whose CLIENT span is that root.
        self._roots: dict[int, Hop] = {}
        self._root_slots: set[int] = set()
        # SERVER spans of the messages just processed: the parents of what they send.
        self._parents: dict[int, tuple[AgentTracer, Hop]] = {}
        # Exemplars for the publisher, by (agent, sender, kind) and by message kind.
        self.processing_exemplars: defaultdict[tuple[int, int, int], list[TraceExemplar]] = (
            defaultdict(list)
        )
        self.latency_exemplars: defaultdict[int, list[TraceExemplar]] = defaultdict(list)

    def conversation_id(self, request: int) -> str:
        return f"{self._run}-{request}"

    # -- hooks the engine calls ------------------------------------------------------------

    def start_requests(self, batch: Messages) -> None:
        """Requests just created: the sampler decides each one; sampled ones get headers."""
        topology, external = self.topology, self._external
        f, i = batch.f, batch.i
        for row in range(len(batch)):
            dst = int(i[row, I.DST])
            hop = external.start_send(
                None,  # headers only for the requests the sampler keeps
                target_agent=topology.types[topology.agent_type[dst]],
                target_agent_id=topology.agent_ids[dst],
                priority=PRIORITIES[i[row, I.PRIORITY]],
                conversation_id=self.conversation_id(int(i[row, I.REQUEST])),
                start_time=_ns(f[row, F.CREATED]),
            )
            if not hop.sampled:
                continue
            headers: dict[str, str] = {}
            external.inject(hop, headers)
            slot = self._slot(headers, external, hop)
            i[row, I.TRACE] = slot
            self._roots[int(i[row, I.REQUEST])] = hop
            self._root_slots.add(slot)

    def sent(self, batch: Messages) -> None:
        """New messages whose I.TRACE holds the slot of the message they follow."""
        topology = self.topology
        f, i = batch.f, batch.i
        for row in np.flatnonzero(i[:, I.TRACE]).tolist():
            tracer, parent = self._parents[int(i[row, I.TRACE])]
            dst = int(i[row, I.DST])
            headers: dict[str, str] = {}
            hop = tracer.start_send(
                headers,
                target_agent=topology.types[topology.agent_type[dst]],
                target_agent_id=topology.agent_ids[dst],
                message_type=KINDS[i[row, I.KIND]],
                priority=PRIORITIES[i[row, I.PRIORITY]],
                context=parent.context,
                start_time=_ns(f[row, F.CREATED]),
            )
            i[row, I.TRACE] = self._slot(headers, tracer, hop)

    def processed(self, done: Messages) -> None:
        """Workers finished these messages: delivery ends, the receiver's span is recorded."""
        f, i = done.f, done.i
        for row in np.flatnonzero(i[:, I.TRACE]).tolist():
            slot = int(i[row, I.TRACE])
            sender, client = self._sending.pop(slot)
            headers = self._headers.pop(slot)
            start, depart = float(f[row, F.START]), float(f[row, F.DEPART])
            if slot in self._root_slots:
                self._root_slots.discard(slot)  # the root ends with its request
            else:
                sender.end(client, end_time=_ns(start))
            agent, kind = int(i[row, I.DST]), int(i[row, I.KIND])
            receiver = self._agents[agent]
            server = receiver.start_receive(
                headers,
                message_type=KINDS[kind],
                priority=PRIORITIES[i[row, I.PRIORITY]],
                start_time=_ns(start),
            )
            receiver.end(server, end_time=_ns(depart))
            self._parents[slot] = (receiver, server)
            trace_id = server.span.get_span_context().trace_id
            self.processing_exemplars[(agent, int(i[row, I.SRC]), kind)].append(
                TraceExemplar.of(
                    float(f[row, F.EFFECTIVE]),
                    trace_id,
                    server.span.get_span_context().span_id,
                    depart,
                )
            )
            self.latency_exemplars[kind].append(
                TraceExemplar.of(
                    start - float(f[row, F.CREATED]),
                    trace_id,
                    client.span.get_span_context().span_id,
                    start,
                )
            )

    def release(self) -> None:
        """The messages processed in this wave have sent what they send."""
        self._parents.clear()

    def lost(self, lost: Messages, reason: str, at: NDArray[np.float64]) -> None:
        for row in np.flatnonzero(lost.i[:, I.TRACE]).tolist():
            slot = int(lost.i[row, I.TRACE])
            sender, client = self._sending.pop(slot)
            del self._headers[slot]
            if slot in self._root_slots:
                self._root_slots.discard(slot)  # requests_failed ends it
            else:
                sender.end(client, end_time=_ns(float(at[row])), error=reason)

    def requests_failed(self, lost: Messages, reason: str, at: NDArray[np.float64]) -> None:
        """Requests ended unanswered: their roots end failed; unsampled ones are kept."""
        for row in range(len(lost)):
            self._end_request(lost, row, float(at[row]), reason)

    def requests_completed(self, results: Messages) -> None:
        """Results reached the agents that took the requests in: the requests are done."""
        assert (results.i[:, I.KIND] == RESULT).all()
        for row in range(len(results)):
            self._end_request(results, row, float(results.f[row, F.DEPART]), None)

    # -- internals -------------------------------------------------------------------------

    def _slot(self, headers: dict[str, str], tracer: AgentTracer, hop: Hop) -> int:
        slot = self._next_slot
        # Slots live in an int32 column: they wrap after 2**31 - 1 messages (9 days at 100%
        # sampling), long after any message holding an earlier slot has left the system.
        self._next_slot = slot % _SLOTS + 1
        self._headers[slot] = headers
        self._sending[slot] = (tracer, hop)
        return slot

    def _end_request(self, messages: Messages, row: int, at: float, error: str | None) -> None:
        request = int(messages.i[row, I.REQUEST])
        root = self._roots.pop(request, None)
        if root is not None:
            self._external.end(root, end_time=_ns(at), error=error)
            return
        started = float(messages.f[row, F.REQUEST_START])
        if error is None and at - started < self._slow:
            return
        topology = self.topology
        origin = int(messages.i[row, I.ORIGIN])
        self._external.record_kept_send(
            "error" if error is not None else "slow",
            target_agent=topology.types[topology.agent_type[origin]],
            target_agent_id=topology.agent_ids[origin],
            priority=PRIORITIES[messages.i[row, I.PRIORITY]],
            conversation_id=self.conversation_id(request),
            start_time=_ns(started),
            end_time=_ns(at),
            error=error,
        )

    def take_processing_exemplars(self) -> dict[tuple[int, int, int], list[TraceExemplar]]:
        """Exemplars of processing time since the last call, by (agent, sender type, kind)."""
        taken, self.processing_exemplars = self.processing_exemplars, defaultdict(list)
        return taken

    def take_latency_exemplars(self) -> dict[int, list[TraceExemplar]]:
        """Exemplars of delivery latency since the last call, by message kind."""
        taken, self.latency_exemplars = self.latency_exemplars, defaultdict(list)
        return taken
