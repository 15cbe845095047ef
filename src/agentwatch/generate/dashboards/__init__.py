"""Grafana dashboards built with grafana-foundation-sdk, as plain JSON data.

Pure: ``dashboards(spec)`` returns ``{uid: dashboard dict}``; the tree writes each one to
``grafana/dashboards/<uid>.json``, where the provisioning points Grafana.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from agentwatch.spec import Spec

from ._boards import (
    AGENT_PERFORMANCE,
    INDIVIDUAL_AGENTS,
    MESSAGE_FLOW,
    SLO,
    SYSTEM_OVERVIEW,
    TRANSPORT,
    agent_performance,
    individual_agents,
    message_flow,
    sli_slo,
    system_overview,
    transport_layer,
)
from ._common import Board, encode
from ._queries import PanelQuery, as_promql, panel_queries
from ._stakeholders import (
    CAPACITY,
    DEVELOPMENT,
    EXECUTIVE,
    OPERATIONAL,
    QUALITY,
    capacity_planning,
    development_metrics,
    executive,
    operational_analytics,
    quality_metrics,
)

__all__ = [
    "AGENT_PERFORMANCE",
    "BOARDS",
    "CAPACITY",
    "DEVELOPMENT",
    "EXECUTIVE",
    "INDIVIDUAL_AGENTS",
    "MESSAGE_FLOW",
    "OPERATIONAL",
    "QUALITY",
    "SLO",
    "SYSTEM_OVERVIEW",
    "TRANSPORT",
    "WAITING",
    "PanelQuery",
    "Waiting",
    "as_promql",
    "dashboards",
    "panel_queries",
]

# Seed 004's dashboards, then seed 000's. Agent Performance serves both seeds: per agent type
# here, per agent_id in Individual Agents.
BOARDS: Final[dict[str, Callable[[Spec], Board]]] = {
    SYSTEM_OVERVIEW: system_overview,
    TRANSPORT: transport_layer,
    AGENT_PERFORMANCE: agent_performance,
    INDIVIDUAL_AGENTS: individual_agents,
    SLO: sli_slo,
    MESSAGE_FLOW: message_flow,
    CAPACITY: capacity_planning,
    EXECUTIVE: executive,
    QUALITY: quality_metrics,
    OPERATIONAL: operational_analytics,
    DEVELOPMENT: development_metrics,
}


@dataclass(frozen=True, slots=True)
class Waiting:
    """A panel whose metric is planned for a later issue: it shows "No data" until then."""

    uid: str
    title: str
    issue: int


# Written out (not derived from the queries) so a test can hold the panels and the catalog's
# planned_in to it: a panel that starts or stops querying a planned family must be listed here.
# Empty since issue 6 produced the last planned families.
WAITING: Final[tuple[Waiting, ...]] = ()


def dashboards(spec: Spec) -> dict[str, dict[str, Any]]:
    return {uid: encode(build(spec)) for uid, build in BOARDS.items()}
