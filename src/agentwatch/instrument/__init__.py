"""The SDK an agent system imports to be monitored by agentwatch.

fleet = AgentFleet()
monitor = fleet.agent("planner-0", "planner", workers=4)
record = monitor.bind(source_agent="director", action="plan")
record.observe(0.012)                      # hot path: one message handled in 12 ms

transport = TransportMonitor()
transport.record_batch(10_000, 2_400_000, latencies=batch_latencies)
"""

from ._agent import AgentMonitor, AgentSnapshot, AgentStatus, MessageRecorder
from ._fleet import AgentFleet, FleetCollector
from ._health import HealthInputs, health_score
from ._transport import TransportCollector, TransportMonitor
from ._voice import RECOGNITION_OUTCOMES, VoiceCollector, VoiceMonitor

__all__ = [
    "RECOGNITION_OUTCOMES",
    "AgentFleet",
    "AgentMonitor",
    "AgentSnapshot",
    "AgentStatus",
    "FleetCollector",
    "HealthInputs",
    "MessageRecorder",
    "TransportCollector",
    "TransportMonitor",
    "VoiceCollector",
    "VoiceMonitor",
    "health_score",
]
