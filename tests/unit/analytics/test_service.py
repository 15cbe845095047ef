"""The analytics service's schedule and failure handling, and what its exporter serves."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from prometheus_client import generate_latest

from agentwatch.analytics._results import (
    Bound,
    FailureScore,
    ForecastPoint,
    Priority,
    ScalingAction,
    ScalingRecommendation,
)
from agentwatch.analytics.collector import AnalyticsCollector
from agentwatch.analytics.service import AnalyticsService, Part
from agentwatch.exporters import build_registry


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _scores(now: float) -> Mapping[str, Any]:
    return {"failure_scores": (FailureScore("optimizer-0", "optimizer", 91.5),)}


def _service(clock: Clock, *parts: Part) -> AnalyticsService:
    return AnalyticsService(parts, clock=clock, timer=clock)


def test_parts_run_when_due_and_report_the_wait_until_the_next() -> None:
    clock = Clock()
    runs: list[tuple[str, float]] = []

    def part(name: str, every: float) -> Part:
        def run(now: float) -> Mapping[str, Any]:
            runs.append((name, now))
            return {}

        return Part(name, every, (), run)

    service = _service(clock, part("fast", 30), part("slow", 900))
    assert service.run_due() == 30  # both ran at once; the fast one is next
    clock.now += 30
    assert service.run_due() == 30
    assert [name for name, _ in runs] == ["fast", "slow", "fast"]


def test_a_failing_part_withdraws_its_results_and_counts_the_failure() -> None:
    clock = Clock()
    fail = False

    def flaky(now: float) -> Mapping[str, Any]:
        if fail:
            raise ConnectionError("Prometheus at http://127.0.0.1:9 did not answer")
        return _scores(now)

    service = _service(clock, Part("failure", 30, ("failure_scores",), flaky))
    service.run_due()
    assert service.snapshot().failure_scores[0].score == 91.5
    fail = True
    clock.now += 30
    service.run_due()
    assert service.snapshot().failure_scores == ()  # never served stale
    health = service.health()["failure"]
    assert health.failures == 1
    assert health.last_success == 1000.0
    assert health.last_error is not None
    assert "did not answer" in health.last_error


def test_a_failed_part_with_a_retry_runs_again_sooner() -> None:
    clock = Clock()
    outcomes = [True, False, True]

    def capacity(now: float) -> Mapping[str, Any]:
        if not outcomes.pop(0):
            raise ConnectionError("Prometheus at http://127.0.0.1:9 did not answer")
        return {}

    service = _service(clock, Part("capacity", 900, (), capacity, retry=30))
    assert service.run_due() == 900  # a success waits the whole period
    clock.now += 900
    assert service.run_due() == 30  # a failure only the retry
    clock.now += 30
    assert service.run_due() == 900
    assert service.health()["capacity"].last_success == clock.now
    assert outcomes == []


def test_a_part_may_only_set_the_fields_it_owns() -> None:
    service = _service(Clock(), Part("anomaly", 30, ("anomaly_scores",), _scores))
    service.run_due()
    assert service.health()["anomaly"].failures == 1
    with pytest.raises(ValueError, match="unknown fields"):
        _service(Clock(), Part("x", 30, ("no_such_field",), _scores))


def test_exporter_serves_every_result_and_each_parts_health() -> None:
    clock = Clock()

    def capacity(now: float) -> Mapping[str, Any]:
        return {
            "utilization": {"cpu": 0.42},
            "forecasts": (ForecastPoint("cpu", "1h", Bound.UPPER, 0.61),),
            "bottlenecks": {"memory": 0.8},
            "recommendations": (
                ScalingRecommendation(
                    "compute_nodes",
                    ScalingAction.SCALE_UP,
                    Priority.HIGH,
                    24,
                    36,
                    "cpu forecast 0.95 in 1h",
                    "immediate",
                ),
            ),
        }

    service = _service(
        clock,
        Part("failure", 30, ("failure_scores",), _scores),
        Part(
            "capacity",
            900,
            ("utilization", "forecasts", "bottlenecks", "recommendations"),
            capacity,
        ),
    )
    service.run_due()
    text = generate_latest(
        build_registry(AnalyticsCollector(service.snapshot, service.health))
    ).decode()
    for line in (
        'failure_prediction_score{agent_id="optimizer-0",agent_type="optimizer"} 91.5',
        'capacity_utilization_ratio{resource_type="cpu"} 0.42',
        'capacity_forecast{bound="upper",horizon="1h",resource_type="cpu"} 0.61',
        'performance_bottlenecks{component="memory"} 0.8',
        'scaling_recommendation{action="scale_up",priority="high",resource="compute_nodes"} 36.0',
        'analytics_run_timestamp_seconds{part="failure"} 1000.0',
        'analytics_run_failures_total{part="capacity"} 0.0',
    ):
        assert line in text, line
