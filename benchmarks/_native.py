"""prometheus_client's own metric objects for catalog families: the peers' side."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from agentwatch.catalog import MetricFamily

__all__ = ["counter", "gauge", "histogram"]


def counter(family: MetricFamily, registry: CollectorRegistry) -> Counter:
    return Counter(family.name, family.help, family.labels, registry=registry)


def gauge(family: MetricFamily, registry: CollectorRegistry) -> Gauge:
    return Gauge(family.name, family.help, family.labels, registry=registry)


def histogram(family: MetricFamily, registry: CollectorRegistry) -> Histogram:
    if family.buckets is None:
        raise ValueError(f"{family.name} has no buckets in the catalog")
    return Histogram(
        family.name, family.help, family.labels, registry=registry, buckets=family.buckets
    )
