"""The OTLP receiver's collector: what the store holds, as catalog families built at scrape
time, plus the receiver's own health."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.metrics_core import Metric
from prometheus_client.utils import floatToGoString

from agentwatch import catalog
from agentwatch.catalog import OTLP_SOURCES, OtlpKind
from agentwatch.catalog.prometheus import counter, gauge, histogram

from ._store import OtlpStore

__all__ = ["OtlpCollector"]


class OtlpCollector:
    def __init__(self, store: OtlpStore) -> None:
        self._store = store

    def collect(self) -> Iterator[Metric]:
        snapshot = self._store.snapshot()
        for source in OTLP_SOURCES:
            family = source.family
            if source.kind is OtlpKind.SUM:
                served = counter(family)
                for labels, value in sorted(snapshot.counters[family].items()):
                    served.add_metric(labels, value)
                yield served
            else:
                hist = histogram(family)
                for labels, h in sorted(snapshot.histograms[family].items()):
                    cumulative, buckets = 0.0, []
                    for bound, count in zip((*h.bounds, float("inf")), h.counts, strict=True):
                        cumulative += count
                        buckets.append((floatToGoString(bound), cumulative))
                    hist.add_metric(labels, buckets, h.sum)
                yield hist
        requests = counter(catalog.OTLP_RECEIVER_REQUESTS_TOTAL)
        for outcome, count in sorted(snapshot.requests.items()):
            requests.add_metric([outcome], count)
        points = counter(catalog.OTLP_RECEIVER_DATA_POINTS_TOTAL)
        for outcome, count in sorted(snapshot.data_points.items()):
            points.add_metric([outcome], count)
        series = gauge(catalog.OTLP_RECEIVER_SERIES)
        series.add_metric([], snapshot.series)
        yield from (requests, points, series)
