"""The parts of the analytics engine the service runs, wired to one Prometheus and one spec."""

from __future__ import annotations

from agentwatch.clients.prometheus import PrometheusAPI
from agentwatch.spec import Spec, duration_seconds

from .anomaly import score_latest
from .capacity import plan_capacity
from .failure import score_agents
from .service import Part, PartResult

__all__ = ["default_parts"]


def default_parts(api: PrometheusAPI, spec: Spec) -> tuple[Part, ...]:
    every = duration_seconds(spec.analytics.interval)
    lookback = duration_seconds(spec.analytics.anomaly_lookback)

    def failure(now: float) -> PartResult:
        return {"failure_scores": score_agents(api, now)}

    def anomaly(now: float) -> PartResult:
        # One point per run: the latest point is the one this run adds.
        return {"anomaly_scores": score_latest(api, now, lookback, every)}

    def capacity(now: float) -> PartResult:
        plan = plan_capacity(api, now, spec=spec)
        return {
            "utilization": plan.utilization,
            "forecasts": plan.forecasts,
            "bottlenecks": plan.bottlenecks,
            "recommendations": plan.recommendations,
        }

    return (
        Part("failure", every, ("failure_scores",), failure),
        Part("anomaly", every, ("anomaly_scores",), anomaly),
        Part(
            "capacity",
            duration_seconds(spec.analytics.capacity_interval),
            ("utilization", "forecasts", "bottlenecks", "recommendations"),
            capacity,
            # After a failure, at the pace of the other parts rather than in 15 minutes.
            retry=every,
        ),
    )
