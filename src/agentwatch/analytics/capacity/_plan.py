"""One capacity planning run: read Prometheus, forecast, size, find the bottleneck."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from agentwatch.analytics._results import Bound, ForecastPoint, ScalingRecommendation
from agentwatch.analytics.capacity_queries import (
    AGENTS,
    CPU,
    MEMORY,
    QUEUE,
    RESOURCE_QUERIES,
    RESOURCES,
    THROUGHPUT,
    TYPE_QUERIES,
)
from agentwatch.spec import Spec, Thresholds

from ._bottlenecks import Bottlenecks, predict_bottlenecks
from ._forecast import COARSE, FINE, RESOLUTIONS, Forecast, forecast_histories
from ._outlook import Outlook, outlook
from ._queueing import TypeLoad, fetch_loads, recommend_nodes, recommend_type
from ._resources import PromQuerier, fetch_history
from ._series import NoForecastError

__all__ = ["CPU_SATURATION", "CapacityPlan", "Progress", "ResourcePlan", "plan_capacity"]

# CPU is saturated well before every core is busy: above 90% run queues and latency grow
# sharply. Chosen (the spec has no CPU threshold).
CPU_SATURATION: Final = 0.9

# (done, total, what is being done now)
Progress = Callable[[int, int, str], None]
# A forecast per resource, or why there is none.
Forecasts = dict[str, Forecast | NoForecastError]

UNITS: Final = {
    CPU: "ratio of worker cores",
    MEMORY: "ratio of memory limits",
    QUEUE: "messages (deepest agent queue)",
    THROUGHPUT: "messages/s",
    AGENTS: "agents",
}


@dataclass(frozen=True, slots=True)
class ResourcePlan:
    """Everything known about one resource: both resolutions' forecasts (or why not), its
    saturation level (the threshold line) and its outlook."""

    name: str
    unit: str
    fine: Forecast | NoForecastError
    coarse: Forecast | NoForecastError
    threshold: float | None
    threshold_label: str
    outlook: Outlook | None


@dataclass(frozen=True, slots=True)
class CapacityPlan:
    computed_at: float
    utilization: dict[str, float]
    forecasts: tuple[ForecastPoint, ...]
    bottlenecks: dict[str, float]
    saturation_in: dict[str, float | None]
    recommendations: tuple[ScalingRecommendation, ...]
    resources: dict[str, ResourcePlan]
    loads: dict[str, TypeLoad]
    notes: tuple[str, ...] = field(default=())

    def first_bottleneck(self) -> tuple[str, float] | None:
        return Bottlenecks(self.bottlenecks, self.saturation_in).first()


def _points(name: str, forecast: Forecast | NoForecastError) -> list[ForecastPoint]:
    if not isinstance(forecast, Forecast):
        return []
    return [
        ForecastPoint(name, horizon, bound, value)
        for horizon, (low, mean, high) in forecast.points.items()
        for bound, value in ((Bound.LOWER, low), (Bound.MEAN, mean), (Bound.UPPER, high))
    ]


def _notes(name: str, fine: object, coarse: object) -> list[str]:
    notes = []
    for resolution, result in ((FINE, fine), (COARSE, coarse)):
        if isinstance(result, NoForecastError):
            notes.append(f"{name} ({resolution.name} step): {result}")
        elif isinstance(result, Forecast):
            notes += [f"{name} ({resolution.name} step): {n}" for n in result.history.notes]
            notes += [f"{name} {h}: {why}" for h, why in result.omitted.items()]
    return notes


def plan_capacity(
    api: PromQuerier,
    now: float,
    progress: Progress | None = None,
    *,
    spec: Spec | None = None,
    n_jobs: int = 1,
) -> CapacityPlan:
    """Forecast every resource, size every agent type and the compute nodes, and rank the
    components by how soon they saturate. PrometheusError propagates (the caller reports an
    unreachable server); missing or short data becomes notes, never a made-up forecast."""
    thresholds = (spec or Spec()).thresholds
    tick = _Ticker(progress, total=2 + 2 * len(RESOURCES))
    tick(0, "reading history")
    histories = {
        r.name: fetch_history(api, now, r.lookback, r.step, queries=RESOURCE_QUERIES)
        for r in RESOLUTIONS
    }
    loads = fetch_loads(api, now)
    configured = sum(s.value for s in api.query(TYPE_QUERIES["instances"], at=now))
    tick(2, f"fitting {FINE.name} forecasts")
    fine = forecast_histories(
        histories[FINE.name], FINE, progress=lambda n: tick(n, "fitting"), n_jobs=n_jobs
    )
    tick(0, f"fitting {COARSE.name} forecasts")
    coarse = forecast_histories(
        histories[COARSE.name], COARSE, progress=lambda n: tick(n, "fitting"), n_jobs=n_jobs
    )
    outlooks = {name: outlook(fine[name], coarse[name], now) for name in RESOURCES}
    known = {name: view for name, view in outlooks.items() if view is not None}

    throughput = known.get(THROUGHPUT)
    growth = (
        throughput.scaled(1 / throughput.current)
        if throughput is not None and throughput.current > 0
        else None
    )
    busiest = max((load.utilisation for load in loads.values()), default=0.0)
    saturation = _saturation(thresholds, throughput, busiest, configured)
    # Active agents are not a load: fewer of them is a failure, not spare capacity.
    found = predict_bottlenecks(
        {k: v for k, v in known.items() if k in (CPU, MEMORY, QUEUE)},
        {k: v for k, v in saturation.items() if v is not None},
        loads,
        growth,
    )
    utilization = _utilization(known, loads, busiest, thresholds)
    recommendations = _recommendations(known, loads, growth)
    notes = [n for name in RESOURCES for n in _notes(name, fine[name], coarse[name])]
    if growth is None:
        notes.append("no throughput forecast: recommendations use the current load only")
    tick(0, "done")
    return CapacityPlan(
        computed_at=now,
        utilization=utilization,
        forecasts=tuple(
            p for name in RESOURCES for f in (fine[name], coarse[name]) for p in _points(name, f)
        ),
        bottlenecks=found.severity,
        saturation_in=found.saturation_in,
        recommendations=tuple(recommendations),
        resources=_resource_plans(fine, coarse, outlooks, saturation, thresholds),
        loads=loads,
        notes=tuple(notes),
    )


class _Ticker:
    """Counts the steps done and reports each to ``progress``, if given."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress = progress
        self.total = total
        self.done = 0

    def __call__(self, count: int, stage: str) -> None:
        """``count`` more steps are done; ``stage`` is what is being done now."""
        self.done += count
        if self.progress is not None:
            self.progress(self.done, self.total, stage)


def _saturation(
    thresholds: Thresholds, throughput: Outlook | None, busiest: float, configured: float
) -> dict[str, float | None]:
    """The level at which each resource saturates (None where there is none to tell)."""
    return {
        CPU: CPU_SATURATION,
        MEMORY: thresholds.memory_usage_max_ratio,
        QUEUE: thresholds.queue_depth_max,
        # The throughput at which the busiest agent type reaches ρ = 1.
        THROUGHPUT: throughput.current / busiest
        if throughput is not None and 0 < busiest < math.inf
        else None,
        AGENTS: configured or None,
    }


def _resource_plans(
    fine: Forecasts,
    coarse: Forecasts,
    outlooks: dict[str, Outlook | None],
    saturation: dict[str, float | None],
    thresholds: Thresholds,
) -> dict[str, ResourcePlan]:
    """Each resource's forecasts and outlook, with its saturation level and what that is."""
    labels = {
        CPU: f"saturation {CPU_SATURATION:g}",
        MEMORY: f"memory_usage_max_ratio {thresholds.memory_usage_max_ratio:g}",
        QUEUE: f"queue_depth_max {thresholds.queue_depth_max:g}",
        THROUGHPUT: "busiest agent type at ρ = 1",
        AGENTS: "configured agents",
    }
    return {
        name: ResourcePlan(
            name,
            UNITS[name],
            fine[name],
            coarse[name],
            saturation[name],
            labels[name],
            outlooks[name],
        )
        for name in RESOURCES
    }


def _utilization(
    known: dict[str, Outlook], loads: dict[str, TypeLoad], busiest: float, thresholds: Thresholds
) -> dict[str, float]:
    """How full each resource is now, as a share of its saturation level."""
    utilization = {name: known[name].current for name in (CPU, MEMORY) if name in known}
    if QUEUE in known:
        utilization[QUEUE] = known[QUEUE].current / thresholds.queue_depth_max
    if loads:
        utilization[THROUGHPUT] = busiest
    return utilization


def _recommendations(
    known: dict[str, Outlook], loads: dict[str, TypeLoad], growth: Outlook | None
) -> list[ScalingRecommendation]:
    """The compute nodes' and every agent type's sizing, most urgent first."""
    recommendations: list[ScalingRecommendation] = []
    nodes = recommend_nodes(
        sum(load.instances for load in loads.values()),
        {k: v for k, v in known.items() if k in (CPU, MEMORY)},
        {CPU: "CPU", MEMORY: "Memory"},
    )
    if nodes is not None:
        recommendations.append(nodes)
    recommendations += [recommend_type(load, growth) for load in loads.values()]
    order = {"high": 0, "medium": 1, "low": 2}
    recommendations.sort(key=lambda r: (order[r.priority.value], r.resource))
    return recommendations
