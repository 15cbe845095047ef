"""The system overview: one row per agent type (health score, throughput, p99 processing
time, error ratio) and the system's availability, healthy share and transport rate."""

from __future__ import annotations

import math
from dataclasses import dataclass

from agentwatch.clients.prometheus import InstantQuerier
from agentwatch.spec import Spec

from . import _queries as q

__all__ = ["AgentTypeRow", "Overview", "read_overview"]


@dataclass(frozen=True, slots=True)
class AgentTypeRow:
    agent_type: str
    agents: int  # agents of the type that report a health score
    # Each value is what Prometheus answered, NaN when it answered nothing for the type.
    health: float
    throughput: float  # messages processed per second
    p99_seconds: float
    error_ratio: float

    @property
    def reporting(self) -> bool:
        return self.agents > 0


@dataclass(frozen=True, slots=True)
class Overview:
    rows: tuple[AgentTypeRow, ...]
    availability: float
    healthy_ratio: float
    sent_rate: float
    health_min: float  # the AgentHealthLow threshold (spec.thresholds.agent_health_min)


def _by_type(api: InstantQuerier, promql: str) -> dict[str, float]:
    return {s.labels.get("agent_type", ""): s.value for s in api.query(promql)}


def _scalar(api: InstantQuerier, promql: str) -> float:
    samples = api.query(promql)
    return samples[0].value if samples else math.nan


def read_overview(api: InstantQuerier, spec: Spec) -> Overview:
    """Every agent type of the spec, in its order, then any other type Prometheus knows."""
    health = _by_type(api, q.HEALTH_BY_TYPE)
    agents = _by_type(api, q.AGENTS_PER_TYPE)
    throughput = _by_type(api, q.THROUGHPUT)
    p99 = _by_type(api, q.P99)
    errors = _by_type(api, q.ERROR_RATIO)
    seen = set(health) | set(throughput) | set(p99) | set(errors)
    extra = sorted(seen - set(spec.agent_types) - {""})
    rows = tuple(
        AgentTypeRow(
            agent_type=kind,
            agents=int(agents.get(kind, 0)),
            health=health.get(kind, math.nan),
            throughput=throughput.get(kind, math.nan),
            p99_seconds=p99.get(kind, math.nan),
            error_ratio=errors.get(kind, math.nan),
        )
        for kind in (*spec.agent_types, *extra)
    )
    return Overview(
        rows=rows,
        availability=_scalar(api, q.AVAILABILITY),
        healthy_ratio=_scalar(api, q.HEALTHY_RATIO),
        sent_rate=_scalar(api, q.TRANSPORT_SENT_RATE),
        health_min=spec.thresholds.agent_health_min,
    )
