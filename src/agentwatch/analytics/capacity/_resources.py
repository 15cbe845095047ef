"""What is forecast and how it is read from Prometheus.

Each resource is one PromQL expression over catalog metrics. History comes
from two range queries, one per forecasting resolution; the coarse one averages over each hour
(a subquery) instead of sampling one instant per hour.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from agentwatch.analytics.capacity_queries import RESOURCE_QUERIES, RESOURCES, TYPE_QUERIES
from agentwatch.clients.prometheus import RangeSeries, Sample

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
