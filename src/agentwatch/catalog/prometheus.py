"""Empty prometheus_client families built from catalog entries, so no collector spells a name.

Every collector (the SDK's, the exporters', the analytics and framework collectors, the
console's) builds its families here, at scrape time: the catalog entry gives the name, help
and labels, and the factory refuses an entry of another type."""

from __future__ import annotations

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
)

from ._model import MetricFamily, MetricType

__all__ = ["counter", "gauge", "histogram"]


def _check(family: MetricFamily, expected: MetricType) -> None:
    if family.type is not expected:
        raise TypeError(f"{family.name} is a {family.type} in the catalog, not a {expected}")


def counter(family: MetricFamily) -> CounterMetricFamily:
    _check(family, MetricType.COUNTER)
    return CounterMetricFamily(family.family, family.help, labels=family.labels)


def gauge(family: MetricFamily) -> GaugeMetricFamily:
    _check(family, MetricType.GAUGE)
    return GaugeMetricFamily(family.name, family.help, labels=family.labels)


def histogram(family: MetricFamily) -> HistogramMetricFamily:
    _check(family, MetricType.HISTOGRAM)
    return HistogramMetricFamily(family.name, family.help, labels=family.labels)
