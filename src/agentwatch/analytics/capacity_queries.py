"""The PromQL capacity planning reads: one expression per forecast resource, and the
per-agent-type instant queries of the queueing view.

A module of its own, outside ``agentwatch.analytics.capacity``, so that the console can show
the planner's history without importing statsforecast (about 4 s and 230 MB).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from agentwatch import catalog
from agentwatch.catalog import recorded as rec

__all__ = [
    "AGENTS",
    "CPU",
    "MEMORY",
    "QUEUE",
    "RESOURCES",
    "RESOURCE_QUERIES",
    "THROUGHPUT",
    "TYPE_QUERIES",
]


CPU, MEMORY, QUEUE, THROUGHPUT, AGENTS = (
    "cpu",
    "memory",
    "queue_depth",
    "throughput",
    "active_agents",
)
RESOURCES: Final = (CPU, MEMORY, QUEUE, THROUGHPUT, AGENTS)


def _rate(name: str, window: str = "5m") -> str:
    return f"rate({name}[{window}])"


_SENT = f"{{{rec.SENT}}}"
_PROC_SUM = f"{catalog.AGENT_PROCESSING_TIME_SECONDS.name}_sum"
_PROC_COUNT = f"{catalog.AGENT_PROCESSING_TIME_SECONDS.name}_count"


def _by_type(expression: str) -> str:
    return f"sum by (agent_type) ({expression})"


# The raw expressions, not the recording rules' series: Prometheus evaluates rules only from
# the moment it loads them, so backfilled history (`agentwatch up --history`) and anything
# older than the rules has no recorded series. Where a rule exists the expression is the same
# as its (named in the comment), over a 5m window so that 1-minute history has two samples.
RESOURCE_QUERIES: Final[Mapping[str, str]] = {
    # CPU seconds used per second over the cores the fleet has (one per worker), 0..1.
    CPU: f"sum({_rate(catalog.AGENT_CPU_SECONDS_TOTAL.name)}) / sum({catalog.AGENT_WORKERS.name})",
    # Resident memory over the fleet's memory limits, 0..1.
    MEMORY: f"sum({catalog.AGENT_MEMORY_BYTES.name})"
    f" / sum({catalog.AGENT_MEMORY_LIMIT_BYTES.name})",
    # The deepest inbound queue of any agent, as the QueueBackup alert compares it
    # (max of the rule QUEUE_DEPTH_MAX).
    QUEUE: f"max({catalog.AGENT_QUEUE_DEPTH.name})",
    # Messages sent over the transport per second (rule TRANSPORT_MESSAGES_RATE, out).
    THROUGHPUT: f"sum({_rate(catalog.AGENT_TRANSPORT_MESSAGES_TOTAL.name + _SENT)})",
    AGENTS: f"sum({catalog.SYSTEM_ACTIVE_AGENTS.name})",
}

# Instant queries per agent type for the queueing view (each answers one sample per type).
TYPE_QUERIES: Final[Mapping[str, str]] = {
    # rule AGENT_PROCESSED_RATE
    "processed_rate": _by_type(_rate(catalog.AGENT_MESSAGES_PROCESSED_TOTAL.name)),
    # rule AGENT_ERRORS_RATE
    "error_rate": _by_type(_rate(catalog.AGENT_ERRORS_TOTAL.name)),
    "service_time": f"{_by_type(_rate(_PROC_SUM))}\n  / {_by_type(_rate(_PROC_COUNT))}",
    "workers": _by_type(catalog.AGENT_WORKERS.name),
    "instances": f"count by (agent_type) ({catalog.AGENT_WORKERS.name})",
    "active": _by_type(catalog.SYSTEM_ACTIVE_AGENTS.name),
    # rule QUEUE_DEPTH_SUM
    "queue": _by_type(catalog.AGENT_QUEUE_DEPTH.name),
    # rule UTILIZATION (busy worker time / workers)
    "busy": f"{_by_type(_rate(catalog.AGENT_BUSY_SECONDS_TOTAL.name))}\n"
    f"  / {_by_type(catalog.AGENT_WORKERS.name)}",
}
