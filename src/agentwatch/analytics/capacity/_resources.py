"""What is forecast and how it is read from Prometheus.

Each resource is one PromQL expression over catalog metrics. History comes
from two range queries, one per forecasting resolution; the coarse one averages over each hour
(a subquery) instead of sampling one instant per hour.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Protocol

from agentwatch import catalog
from agentwatch.analytics.promapi import RangeSeries, Sample
from agentwatch.generate.rules import _recording as rules

from ._forecast import RESOLUTIONS, Resolution
from ._series import History, NotEnoughDataError, regularise

__all__ = [
    "RESOURCES",
    "RESOURCE_QUERIES",
    "TYPE_QUERIES",
    "PromQuerier",
    "fetch_history",
    "fetch_resolution",
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


_SENT = f"{{{rules.SENT}}}"
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


class PromQuerier(Protocol):
    """The part of PrometheusAPI capacity planning uses (a fake implements it in tests)."""

    def query(self, promql: str, *, at: float | None = None) -> list[Sample]: ...

    def query_range(
        self, promql: str, *, start: float, end: float, step: float
    ) -> list[RangeSeries]: ...


def _range_query(query: str, step: float) -> str:
    fine = RESOLUTIONS[0].step
    if step <= fine:
        return query
    # The step's mean at the fine resolution, not the one instant at its end.
    return f"avg_over_time(({query})[{step:.0f}s:{fine:.0f}s])"


def _fetch_one(api: PromQuerier, query: str, end: float, lookback: float, step: float) -> History:
    series = api.query_range(query, start=end - lookback, end=end, step=step)
    if not series:
        raise NotEnoughDataError(f"Prometheus has no samples of {query!r} in the range")
    if len(series) > 1:
        raise ValueError(f"{query!r} returned {len(series)} series, expected one")
    return regularise(series[0].timestamps, series[0].values, step)


def fetch_history(
    api: PromQuerier,
    now: float,
    lookback: float,
    step: float,
    *,
    queries: Mapping[str, str] = RESOURCE_QUERIES,
) -> dict[str, History | NotEnoughDataError]:
    """Each resource's series over [now - lookback, now] at ``step``, regularised, or why
    there is none (no samples, nothing finite, too little after a long gap).

    A step coarser than the finest resolution averages each step (a subquery) rather than
    sampling one instant. The end is aligned to the step so successive runs share a grid.
    """
    end = (now // step) * step
    out: dict[str, History | NotEnoughDataError] = {}
    for name, query in queries.items():
        try:
            out[name] = _fetch_one(api, _range_query(query, step), end, lookback, step)
        except NotEnoughDataError as exc:
            out[name] = exc
    return out


def fetch_resolution(
    api: PromQuerier,
    now: float,
    resolution: Resolution,
    queries: Mapping[str, str] = RESOURCE_QUERIES,
) -> dict[str, History | NotEnoughDataError]:
    return fetch_history(api, now, resolution.lookback, resolution.step, queries=queries)
