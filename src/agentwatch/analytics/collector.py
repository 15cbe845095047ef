"""The analytics exporter's collector: the latest AnalyticsSnapshot as catalog families, built
at scrape time, plus each analytics part's own health. It lives with the analytics it serves
(as framework/_collector.py does), so exporters/ imports nothing above it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from prometheus_client.metrics_core import Metric

from agentwatch import catalog
from agentwatch.catalog.prometheus import counter, gauge

from ._results import AnalyticsSnapshot
from .service import PartHealth

__all__ = ["AnalyticsCollector"]


class AnalyticsCollector:
    def __init__(
        self,
        snapshot: Callable[[], AnalyticsSnapshot],
        health: Callable[[], Mapping[str, PartHealth]],
    ) -> None:
        self._snapshot = snapshot
        self._health = health

    def collect(self) -> Iterator[Metric]:
        results = self._snapshot()
        failure = gauge(catalog.FAILURE_PREDICTION_SCORE)
        for score in results.failure_scores:
            failure.add_metric([score.agent_id, score.agent_type], score.score)
        utilization = gauge(catalog.CAPACITY_UTILIZATION_RATIO)
        for resource, ratio in sorted(results.utilization.items()):
            utilization.add_metric([resource], ratio)
        forecast = gauge(catalog.CAPACITY_FORECAST)
        for point in results.forecasts:
            forecast.add_metric([point.resource_type, point.horizon, point.bound], point.value)
        bottlenecks = gauge(catalog.PERFORMANCE_BOTTLENECKS)
        for component, severity in sorted(results.bottlenecks.items()):
            bottlenecks.add_metric([component], severity)
        anomaly = gauge(catalog.ANOMALY_SCORE)
        for series, value in sorted(results.anomaly_scores.items()):
            anomaly.add_metric([series], value)
        scaling = gauge(catalog.SCALING_RECOMMENDATION)
        for r in results.recommendations:
            scaling.add_metric([r.resource, r.action, r.priority], r.target)
        yield from (failure, utilization, forecast, bottlenecks, anomaly, scaling)
        yield from self._health_families()

    def _health_families(self) -> Iterator[Metric]:
        succeeded = gauge(catalog.ANALYTICS_RUN_TIMESTAMP_SECONDS)
        failures = counter(catalog.ANALYTICS_RUN_FAILURES_TOTAL)
        duration = gauge(catalog.ANALYTICS_RUN_DURATION_SECONDS)
        for part, health in sorted(self._health().items()):
            failures.add_metric([part], health.failures)
            if health.last_success is not None:
                succeeded.add_metric([part], health.last_success)
            if health.last_duration is not None:
                duration.add_metric([part], health.last_duration)
        yield from (succeeded, failures, duration)
