"""The capacity view: the analytics engine's scaling recommendations, utilisation,
bottleneck severities and forecasts (as Prometheus scraped them from the analytics exporter),
with each resource's recent history for the forecast plots."""

from __future__ import annotations

import math
from dataclasses import dataclass

from agentwatch.analytics.capacity import FIRST_FORECAST_HISTORY
from agentwatch.clients.prometheus import RangeSeries
from agentwatch.spec import duration_seconds

from . import _queries as q
from ._format import fmt_time
from ._source import Querier

__all__ = ["CapacityView", "ForecastPoint", "Plot", "Recommendation", "read_capacity"]

#: History drawn before the forecasts, and its step (the planner's fine resolution).
HISTORY_SECONDS = 24 * 3600
HISTORY_STEP = 300.0
#: Horizons further out than this are listed, not drawn: a week would squash the history.
PLOT_HORIZON_SECONDS = 24 * 3600
_PRIORITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True, slots=True)
class Recommendation:
    resource: str
    action: str
    priority: str
    target: float


@dataclass(frozen=True, slots=True)
class ForecastPoint:
    horizon: str
    seconds: float
    mean: float
    lower: float
    upper: float


@dataclass(frozen=True, slots=True)
class Plot:
    resource: str
    query: str
    history: RangeSeries | None
    forecasts: tuple[ForecastPoint, ...]  # nearest horizon first
    # Without forecasts: what they wait for and when the first will come.
    waiting: str = ""


@dataclass(frozen=True, slots=True)
class CapacityView:
    recommendations: tuple[Recommendation, ...]
    utilization: dict[str, float]
    bottlenecks: dict[str, float]
    plots: tuple[Plot, ...]
    run_at: float | None  # when the capacity part last succeeded (unix seconds)


def _forecasts(api: Querier) -> dict[str, tuple[ForecastPoint, ...]]:
    values: dict[tuple[str, str], dict[str, float]] = {}
    for sample in api.query(q.FORECASTS):
        key = (sample.labels.get("resource_type", ""), sample.labels.get("horizon", ""))
        values.setdefault(key, {})[sample.labels.get("bound", "")] = sample.value
    found: dict[str, list[ForecastPoint]] = {}
    for (resource, horizon), bounds in values.items():
        try:
            seconds = duration_seconds(horizon)
        except ValueError:
            continue  # not a horizon this console knows how to place in time
        found.setdefault(resource, []).append(
            ForecastPoint(
                horizon,
                seconds,
                bounds.get("mean", math.nan),
                bounds.get("lower", math.nan),
                bounds.get("upper", math.nan),
            )
        )
    return {r: tuple(sorted(points, key=lambda p: p.seconds)) for r, points in found.items()}


def forecast_wait(
    history_start: float | None, run_at: float | None, interval: float, now: float
) -> str:
    """What the forecasts wait for, and when the first will come, for a page without any.

    The first forecast needs FIRST_FORECAST_HISTORY of history (analytics.capacity); it comes
    at the first run of the capacity part (every ``interval``, last at ``run_at``) after the
    history reaches that.
    """
    need = FIRST_FORECAST_HISTORY
    if history_start is None:
        return (
            f"No forecast yet: the first needs {need / 3600:g} h of history, and Prometheus "
            "holds none of this resource yet."
        )
    ready = history_start + need
    held = f"Prometheus holds {max(0.0, now - history_start) / 3600:.1f} h"
    if run_at is None:
        return (
            f"No forecast yet: the first needs {need / 3600:g} h of history ({held}), and the "
            "analytics service has not run its capacity part yet."
        )
    first = run_at + max(0, math.ceil((ready - run_at) / interval)) * interval
    if first <= run_at:
        return (
            f"No forecast served: the history is long enough, but the capacity run at "
            f"{fmt_time(run_at)} gave none (the analytics service's log says why)."
        )
    return (
        f"No forecast yet: the first needs {need / 3600:g} h of history and {held}. The "
        f"capacity part runs every {interval / 60:g} min, so the first forecast comes at about "
        f"{fmt_time(first)}."
    )


def read_capacity(api: Querier, *, now: float, interval: float) -> CapacityView:
    recommendations = sorted(
        (
            Recommendation(
                s.labels.get("resource", ""),
                s.labels.get("action", ""),
                s.labels.get("priority", ""),
                s.value,
            )
            for s in api.query(q.SCALING)
        ),
        key=lambda r: (_PRIORITY_ORDER.get(r.priority, 3), r.resource),
    )
    utilization = {s.labels.get("resource_type", ""): s.value for s in api.query(q.UTILIZATION)}
    bottlenecks = {s.labels.get("component", ""): s.value for s in api.query(q.BOTTLENECKS)}
    runs = api.query(q.CAPACITY_RUN)
    forecasts = _forecasts(api)
    run_at = runs[0].value if runs else None
    plots = []
    for resource, promql in q.RESOURCE_HISTORY.items():
        series = api.query_range(promql, start=now - HISTORY_SECONDS, end=now, step=HISTORY_STEP)
        history = series[0] if series else None
        points = forecasts.get(resource, ())
        start = float(history.timestamps[0]) if history and history.timestamps.size else None
        waiting = "" if points else forecast_wait(start, run_at, interval, now)
        plots.append(Plot(resource, promql, history, points, waiting))
    return CapacityView(
        recommendations=tuple(recommendations),
        utilization=dict(sorted(utilization.items())),
        bottlenecks=dict(sorted(bottlenecks.items(), key=lambda kv: -kv[1])),
        plots=tuple(plots),
        run_at=run_at,
    )
