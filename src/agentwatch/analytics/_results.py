"""What one analytics run produces: the values the analytics exporter serves.

Each part of the engine (failure prediction, capacity planning, anomaly detection,
bottlenecks) returns its own piece; ``AnalyticsSnapshot`` holds the latest of all of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "AnalyticsSnapshot",
    "Bound",
    "FailureScore",
    "ForecastPoint",
    "Priority",
    "ScalingAction",
    "ScalingRecommendation",
]


class Bound(StrEnum):
    """The ``bound`` label of capacity_forecast: the point forecast and its interval."""

    LOWER = "lower"
    MEAN = "mean"
    UPPER = "upper"


class ScalingAction(StrEnum):
    SCALE_UP = "scale_up"
    SCALE_DOWN = "scale_down"
    HOLD = "hold"


class Priority(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True, slots=True)
class FailureScore:
    """Risk (0-100, the scale of the AgentFailurePredicted threshold) that an agent fails soon."""

    agent_id: str
    agent_type: str
    score: float


@dataclass(frozen=True, slots=True)
class ForecastPoint:
    """A resource's forecast ``horizon`` ahead ("1h", "6h", "1d", "1w") at one bound."""

    resource_type: str
    horizon: str
    bound: Bound
    value: float


@dataclass(frozen=True, slots=True)
class ScalingRecommendation:
    """What to do with a resource, printed in the seed's format and served as its target."""

    resource: str
    action: ScalingAction
    priority: Priority
    current: float
    target: float
    reason: str
    timeline: str


def _frozen(mapping: Mapping[str, float] | None = None) -> Mapping[str, float]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True, slots=True)
class AnalyticsSnapshot:
    """The latest results of every part; an empty part means it had nothing to say yet."""

    computed_at: float
    failure_scores: tuple[FailureScore, ...] = ()
    utilization: Mapping[str, float] = field(default_factory=_frozen)  # resource_type -> 0..1
    forecasts: tuple[ForecastPoint, ...] = ()
    bottlenecks: Mapping[str, float] = field(default_factory=_frozen)  # component -> severity
    anomaly_scores: Mapping[str, float] = field(default_factory=_frozen)  # series -> 0..1
    recommendations: tuple[ScalingRecommendation, ...] = ()
