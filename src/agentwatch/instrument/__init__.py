"""The SDK an agent system imports to be monitored by agentwatch.

fleet = AgentFleet()
monitor = fleet.agent("planner-0", "planner", workers=4)
record = monitor.bind(source_agent="director", action="plan")
record.observe(0.012)                      # hot path: one message handled in 12 ms

transport = TransportMonitor()
transport.record_batch(10_000, 2_400_000, latencies=batch_latencies)

tracer = AgentTracer("planner", "planner-0", transport=transport)   # spans across agents
with tracer.receive(message.headers):
    with tracer.send(reply.headers, target_agent="coder"): ...
"""

from typing import TYPE_CHECKING

from agentwatch._lazy import lazy_exports

# Imported when first used (agentwatch._lazy): a caller of one light module (the pseudonymizer,
# say) does not pay for numpy and OpenTelemetry.
if TYPE_CHECKING:
    from ._agent import AgentMonitor, AgentSnapshot, AgentStatus, MessageRecorder
    from ._fleet import AgentFleet, FleetCollector
    from ._health import HealthInputs, health_score
    from ._histogram import EXEMPLAR_TRACE_ID, TraceExemplar
    from ._privacy import default_pseudonymizer
    from ._sampling import KEEP_ATTRIBUTE, AdaptiveSampler, SamplerCollector
    from ._tracing import BAD_TRACE_CONTEXT, CONVERSATION_ID, AgentTracer, Hop, check_trace_headers
    from ._transport import TransportCollector, TransportMonitor
    from ._voice import RECOGNITION_OUTCOMES, VoiceCollector, VoiceMonitor
else:
    __getattr__, __dir__ = lazy_exports(__name__)

__all__ = [
    "BAD_TRACE_CONTEXT",
    "CONVERSATION_ID",
    "EXEMPLAR_TRACE_ID",
    "KEEP_ATTRIBUTE",
    "RECOGNITION_OUTCOMES",
    "AdaptiveSampler",
    "AgentFleet",
    "AgentMonitor",
    "AgentSnapshot",
    "AgentStatus",
    "AgentTracer",
    "FleetCollector",
    "HealthInputs",
    "Hop",
    "MessageRecorder",
    "SamplerCollector",
    "TraceExemplar",
    "TransportCollector",
    "TransportMonitor",
    "VoiceCollector",
    "VoiceMonitor",
    "check_trace_headers",
    "default_pseudonymizer",
    "health_score",
]
