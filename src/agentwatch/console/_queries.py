"""Every PromQL expression the console sends, built from the catalog and the generated
recording rules' names, never spelled here: a renamed rule renames the console's query too.

Each view shows the query behind a number (the ``data-query`` attribute and a tooltip), so a
reader can paste it into Prometheus and get the same value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from agentwatch import catalog
from agentwatch.analytics.capacity_queries import RESOURCE_QUERIES
from agentwatch.catalog import recorded as rec

__all__ = [
    "AGENTS_PER_TYPE",
    "AVAILABILITY",
    "BOTTLENECKS",
    "BUDGET_REMAINING",
    "CAPACITY_RUN",
    "CURRENT_BURN",
    "ERROR_RATIO",
    "FORECASTS",
    "HEALTHY_RATIO",
    "HEALTH_BY_TYPE",
    "OBJECTIVE",
    "P99",
    "PERIOD_BURN",
    "RESOURCE_HISTORY",
    "SCALING",
    "THROUGHPUT",
    "TRANSPORT_SENT_RATE",
    "UTILIZATION",
]

_HEALTH = catalog.AGENT_HEALTH_SCORE.name

# System overview, per agent type.
HEALTH_BY_TYPE: Final = f"avg by (agent_type) ({_HEALTH})"
AGENTS_PER_TYPE: Final = f"count by (agent_type) ({_HEALTH})"
THROUGHPUT: Final = rec.AGENT_PROCESSED_RATE  # messages processed per second
P99: Final = rec.AGENT_P99  # seconds
ERROR_RATIO: Final = rec.AGENT_ERROR_RATIO
# System overview, whole system.
AVAILABILITY: Final = rec.AVAILABILITY
HEALTHY_RATIO: Final = f"min({rec.HEALTHY_RATIO})"
TRANSPORT_SENT_RATE: Final = f"sum({rec.TRANSPORT_MESSAGES_RATE}{{{rec.SENT}}})"

# Capacity, from the analytics exporter.
SCALING: Final = catalog.SCALING_RECOMMENDATION.name
UTILIZATION: Final = catalog.CAPACITY_UTILIZATION_RATIO.name
FORECASTS: Final = catalog.CAPACITY_FORECAST.name
BOTTLENECKS: Final = catalog.PERFORMANCE_BOTTLENECKS.name
# When the capacity part last succeeded: the forecasts' horizons count from then.
CAPACITY_RUN: Final = f'{catalog.ANALYTICS_RUN_TIMESTAMP_SECONDS.name}{{part="capacity"}}'


# The history of each forecast resource, exactly as the capacity planner reads it.
RESOURCE_HISTORY: Final[Mapping[str, str]] = RESOURCE_QUERIES


# SLOs: Sloth's recording names (agentwatch.generate.slo writes them; a unit test holds each
# one to slo_recording_names). The burn rates are analytics.slo_status.BURN_COLUMNS.
BUDGET_REMAINING: Final = rec.SLO_BUDGET_REMAINING
CURRENT_BURN: Final = rec.SLO_CURRENT_BURN_RATE  # over 5m
PERIOD_BURN: Final = rec.SLO_PERIOD_BURN_RATE
OBJECTIVE: Final = rec.SLO_OBJECTIVE
