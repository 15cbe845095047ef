"""The ``cardinality:`` section: how many distinct label sets each SDK family keeps.

Beyond its limit a family folds new label values into one ``__overflow__`` series and counts
the fold (agentwatch_cardinality_overflow_total; docs/cardinality.md). Each default is sized
from the largest system the spec describes, 28 agent types x 100 agents
(``simulation.agents_per_type``'s ceiling), with room to spare, and against what a single
scrape carries: about 40 series per agent, so the agent limit alone bounds the agent
exporter near 110,000 series, a scrape that renders in well under a second.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["CardinalityLimits"]

_Limit = Annotated[int, Field(ge=1, le=10_000_000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CardinalityLimits(_Strict):
    # Agent ids over the whole fleet (every agent_* family keyed by agent): 28 types x 100.
    agents: _Limit = 2_800
    # Agent types (agent_type on every per-agent family and system_active_agents): the 28
    # seed types with room to more than double.
    agent_types: _Limit = 64
    # (source_agent, action) pairs over the fleet (agent_messages_processed_total): 18 per
    # agent at the agent limit; the simulated agents hear from about 7.5 each.
    message_sources: _Limit = 50_000
    # error_type values over the fleet (agent_errors_total): 5 per agent at the agent limit;
    # the simulated agents report at most 3.
    agent_error_types: _Limit = 14_000
    # Workflow names (agent_workflow_duration_seconds, agent_workflows_total): a code-level
    # set; the simulated system has 6.
    workflows: _Limit = 100
    # (agent_type, reason) pairs (agent_unauthorized_access_total): 4 reasons per agent type.
    unauthorized: _Limit = 256
    # (direction, msg_type, priority) sets (agent_transport_messages_total and _bytes_total):
    # the simulated system's 2 x 4 x 4 = 32 eight times over.
    transport_kinds: _Limit = 256
    # msg_type values with a latency histogram (agent_transport_latency_seconds).
    transport_latency_types: _Limit = 64
    # (error_type, severity) pairs (agent_transport_errors_total).
    transport_errors: _Limit = 256
    # (source_agent, target_agent, message_type) sets (message_flow_matrix_total): every pair
    # of 64 agent types with 4 message types.
    message_flows: _Limit = 16_384
    # kind values (voice_audio_capture_anomalies_total).
    voice_anomaly_kinds: _Limit = 64
    # stage values (voice_processing_time_seconds).
    voice_stages: _Limit = 64
