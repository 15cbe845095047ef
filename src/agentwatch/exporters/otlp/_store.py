"""Received OTLP data points → Prometheus counters and histograms, thread-safe.

Only the catalog's OTLP sources are served. Delta points are added; cumulative points are
turned into increases per stream (one exporting process, scope and attribute set), with a
new run (a new start time, or a lower value) counted from zero, so a served counter never
goes backwards. Everything refused is counted with its reason.

Personal values (docs/privacy.md): the value of every attribute whose key the store's
``Pseudonymizer`` lists (``privacy.hashed_labels``), and of every attribute that feeds a label
it lists (``user`` reads user.account_uuid, user.id and user.email), is replaced by its keyed
hash as the attribute is read, before labels, stream keys or refusal messages are made from
it. Dropped attributes (``otlp_receiver.drop_attributes``) are read for nothing but the
stream key, which is a keyed hash too, under a key drawn per store, so no plain digest of a
personal value exists that a list of addresses could be matched against.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import secrets
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.metrics.v1.metrics_pb2 import (
    AggregationTemporality,
    DataPointFlags,
    HistogramDataPoint,
    Metric,
    NumberDataPoint,
)

from agentwatch.catalog import OTLP_SOURCES as _SOURCES
from agentwatch.catalog import MetricFamily, OtlpKind, OtlpSource
from agentwatch.instrument import default_pseudonymizer
from agentwatch.security import Pseudonymizer
from agentwatch.spec import OtlpReceiverSettings

__all__ = [
    "HistogramValue",
    "IngestResult",
    "OtlpStore",
    "Refusal",
    "StoreSnapshot",
]

Labels = tuple[str, ...]

_DELTA = AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA
_CUMULATIVE = AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE
_NO_RECORDED_VALUE = DataPointFlags.DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK
_BY_NAME: dict[str, OtlpSource] = {source.otel_name: source for source in _SOURCES}


class Refusal(StrEnum):
    """Why a data point was not served (the ``outcome`` of otlp_receiver_data_points_total)."""

    UNKNOWN_METRIC = "unknown_metric"
    UNSUPPORTED_TYPE = "unsupported_type"
    UNSUPPORTED_TEMPORALITY = "unsupported_temporality"
    UNIT_MISMATCH = "unit_mismatch"
    NO_VALUE = "no_value"
    INVALID_VALUE = "invalid_value"
    BUCKET_MISMATCH = "bucket_mismatch"
    OUT_OF_ORDER = "out_of_order"
    LABEL_TOO_LONG = "label_too_long"
    SERIES_LIMIT = "series_limit"
    STREAM_LIMIT = "stream_limit"


ACCEPTED = "accepted"


@dataclass(frozen=True, slots=True)
class IngestResult:
    accepted: int
    refused: Mapping[Refusal, int]
    # The first refusal of each reason, described (for the partial-success message).
    examples: Mapping[Refusal, str]

    @property
    def rejected(self) -> int:
        return sum(self.refused.values())

    def error_message(self) -> str:
        """Empty when nothing was refused; else what was refused and why, in English."""
        if not self.rejected:
            return ""
        total = self.accepted + self.rejected
        parts = [
            f"{count} {reason.value} ({self.examples[reason]})"
            for reason, count in sorted(self.refused.items())
        ]
        return f"refused {self.rejected} of {total} data points: " + "; ".join(parts)


@dataclass(slots=True)
class HistogramValue:
    """One served histogram series: bucket bounds, per-bucket counts (len(bounds) + 1)."""

    bounds: tuple[float, ...]
    counts: list[float]
    sum: float = 0.0
    count: float = 0.0


@dataclass(frozen=True, slots=True)
class StoreSnapshot:
    counters: Mapping[MetricFamily, Mapping[Labels, float]]
    histograms: Mapping[MetricFamily, Mapping[Labels, HistogramValue]]
    requests: Mapping[str, int]
    data_points: Mapping[str, int]
    series: int


@dataclass(slots=True)
class _Stream:
    """What the last cumulative point of one stream said."""

    start: int
    time: int
    value: float = 0.0
    count: float = 0.0
    buckets: tuple[float, ...] = ()
    seen: float = 0.0


@dataclass(slots=True)
class _Batch:
    accepted: int = 0
    refused: Counter[Refusal] = field(default_factory=Counter)
    examples: dict[Refusal, str] = field(default_factory=dict)
    # Pseudonyms already computed in this request (Claude Code repeats the same identity
    # attributes on every point); gone with the request, as its raw values are.
    pseudonyms: dict[tuple[str, str], str] = field(default_factory=dict)

    def refuse(self, reason: Refusal, count: int, example: str) -> None:
        if count <= 0:
            return
        self.refused[reason] += count
        self.examples.setdefault(reason, example)


@dataclass(frozen=True, slots=True)
class _Attributes:
    """One attribute list as read: ``kept`` are the label candidates (not dropped, scalar),
    ``entries`` every attribute as the stream key sees it, hashed ones as pseudonyms."""

    kept: dict[str, str]
    entries: list[tuple[str, bytes]]


def _text(value: AnyValue) -> str | None:
    kind = value.WhichOneof("value")
    if kind == "string_value":
        return value.string_value
    if kind == "bool_value":
        return "true" if value.bool_value else "false"
    if kind == "int_value":
        return str(value.int_value)
    if kind == "double_value":
        return repr(value.double_value)
    return None  # arrays, kvlists and bytes make no label


def _finite(value: float) -> bool:
    return math.isfinite(value)


def _points_of(metric: Metric) -> int:
    kind = metric.WhichOneof("data")
    if kind is None:
        return 0
    return len(getattr(metric, kind).data_points)


class OtlpStore:
    """The receiver's memory: served series, cumulative streams, and its own counts."""

    def __init__(
        self,
        settings: OtlpReceiverSettings | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        pseudonymizer: Pseudonymizer | None = None,
    ) -> None:
        """``pseudonymizer``: the home's (``privacy.hashed_labels`` under the secrets'
        ``pii_key``); default: the spec's default names under a key drawn once per process."""
        self.settings = settings or OtlpReceiverSettings()
        self._drop = frozenset(self.settings.drop_attributes)
        base = pseudonymizer or default_pseudonymizer()
        # An attribute feeding a hashed label is as personal as the label: hashed on arrival,
        # so the label is a pseudonym whichever attribute it was read from.
        feeding = {
            key
            for source in _SOURCES
            for label, keys in zip(source.family.labels, source.attributes, strict=True)
            if label in base.names
            for key in keys
        }
        self.pseudonymizer = base.hashing(feeding)
        self._digest_key = secrets.token_bytes(32)
        self._clock = clock
        self._lock = threading.Lock()
        self._counters: dict[MetricFamily, dict[Labels, float]] = {
            s.family: {} for s in _SOURCES if s.kind is OtlpKind.SUM
        }
        self._histograms: dict[MetricFamily, dict[Labels, HistogramValue]] = {
            s.family: {} for s in _SOURCES if s.kind is OtlpKind.HISTOGRAM
        }
        self._series = 0
        self._streams: OrderedDict[bytes, _Stream] = OrderedDict()
        self._requests: Counter[str] = Counter()
        self._points: Counter[str] = Counter()

    # -- counting -----------------------------------------------------------------------

    def count_request(self, outcome: str) -> None:
        with self._lock:
            self._requests[outcome] += 1

    def snapshot(self) -> StoreSnapshot:
        with self._lock:
            return StoreSnapshot(
                counters={f: dict(series) for f, series in self._counters.items()},
                histograms={
                    f: {
                        labels: HistogramValue(h.bounds, list(h.counts), h.sum, h.count)
                        for labels, h in series.items()
                    }
                    for f, series in self._histograms.items()
                },
                requests=dict(self._requests),
                data_points=dict(self._points),
                series=self._series,
            )

    # -- ingest -------------------------------------------------------------------------

    def ingest(self, request: ExportMetricsServiceRequest) -> IngestResult:
        batch = _Batch()
        with self._lock:
            now = self._clock()
            self._expire_streams(now)
            for resource_metrics in request.resource_metrics:
                resource = self._read(resource_metrics.resource.attributes, batch)
                resource_values = resource.kept
                resource_key = self._digest(resource.entries)
                for scope_metrics in resource_metrics.scope_metrics:
                    scope = scope_metrics.scope
                    scope_key = hashlib.blake2b(
                        f"{scope.name}\0{scope.version}".encode(), digest_size=8
                    ).digest()
                    for metric in scope_metrics.metrics:
                        self._metric(metric, resource_values, resource_key + scope_key, now, batch)
            self._points[ACCEPTED] += batch.accepted
            for reason, count in batch.refused.items():
                self._points[reason.value] += count
        return IngestResult(batch.accepted, dict(batch.refused), dict(batch.examples))

    def _read(
        self, attributes: Iterable[KeyValue], batch: _Batch, *, keyed: bool = True
    ) -> _Attributes:
        """The one place attribute values are read: hashed ones become pseudonyms here.
        ``keyed=False`` skips the stream key's entries (a delta point needs no stream)."""
        hashed = self.pseudonymizer.names
        kept: dict[str, str] = {}
        entries: list[tuple[str, bytes]] = []
        for attribute in attributes:
            key = attribute.key
            text = _text(attribute.value)
            if key in hashed:
                # A list or a map under a hashed key: hashed whole, for the stream key only.
                raw = text if text is not None else attribute.value.SerializeToString().hex()
                memo = (key, raw)
                pseudonym = batch.pseudonyms.get(memo)
                if pseudonym is None:
                    pseudonym = batch.pseudonyms[memo] = self.pseudonymizer.value(key, raw)
                if keyed:
                    entries.append((key, pseudonym.encode()))
                text = pseudonym if text is not None else None
            elif keyed:
                entries.append((key, attribute.value.SerializeToString(deterministic=True)))
            if text is not None and key not in self._drop and key not in kept:
                kept[key] = text
        return _Attributes(kept, entries)

    def _digest(self, entries: list[tuple[str, bytes]]) -> bytes:
        """A fixed-size key for an attribute set: every attribute, dropped or not, so streams
        stay apart; keyed, so no plain digest of a value is kept."""
        digest = hashlib.blake2b(digest_size=16, key=self._digest_key)
        for key, payload in sorted(entries, key=lambda entry: entry[0]):
            encoded = key.encode()
            digest.update(len(encoded).to_bytes(8, "big"))
            digest.update(encoded)
            digest.update(len(payload).to_bytes(8, "big"))
            digest.update(payload)
        return digest.digest()

    def _metric(
        self,
        metric: Metric,
        resource: Mapping[str, str],
        origin_key: bytes,
        now: float,
        batch: _Batch,
    ) -> None:
        name = metric.name
        source = _BY_NAME.get(name)
        if source is None:
            batch.refuse(
                Refusal.UNKNOWN_METRIC,
                _points_of(metric),
                f"not served: {name[:80]!r}; only the metrics in docs/otlp.md are",
            )
            return
        kind = metric.WhichOneof("data")
        expected = "sum" if source.kind is OtlpKind.SUM else "histogram"
        if kind != expected or (kind == "sum" and not metric.sum.is_monotonic):
            what = "non-monotonic sum" if kind == "sum" else (kind or "no data")
            batch.refuse(
                Refusal.UNSUPPORTED_TYPE,
                _points_of(metric),
                f"{name} must be a {'monotonic sum' if kind == 'sum' else expected}, got {what}",
            )
            return
        if metric.unit not in source.units:
            batch.refuse(
                Refusal.UNIT_MISMATCH,
                _points_of(metric),
                f"{name} in unit {metric.unit[:40]!r}, expected one of {list(source.units)}",
            )
            return
        data = metric.sum if kind == "sum" else metric.histogram
        temporality = data.aggregation_temporality
        if temporality not in (_DELTA, _CUMULATIVE):
            batch.refuse(
                Refusal.UNSUPPORTED_TEMPORALITY,
                len(data.data_points),
                f"{name} has aggregation temporality {temporality}; expected 1 (delta) or "
                "2 (cumulative)",
            )
            return
        cumulative = temporality == _CUMULATIVE
        metric_key = origin_key + name.encode()
        if kind == "sum":
            for number in metric.sum.data_points:
                self._number(
                    source,
                    number,
                    cumulative=cumulative,
                    resource=resource,
                    metric_key=metric_key,
                    now=now,
                    batch=batch,
                )
        else:
            for point in metric.histogram.data_points:
                self._histogram(
                    source,
                    point,
                    cumulative=cumulative,
                    resource=resource,
                    metric_key=metric_key,
                    now=now,
                    batch=batch,
                )

    def _labels(
        self,
        source: OtlpSource,
        point: Mapping[str, str],
        resource: Mapping[str, str],
        batch: _Batch,
    ) -> Labels | None:
        values: list[str] = []
        limit = self.settings.max_label_value_chars
        for label, keys in zip(source.family.labels, source.attributes, strict=True):
            value = ""
            for key in keys:
                found = point.get(key, resource.get(key))
                if found is not None:
                    value = found
                    break
            if len(value) > limit:
                batch.refuse(
                    Refusal.LABEL_TOO_LONG,
                    1,
                    f"{source.otel_name}: label {label} would be {len(value)} characters "
                    f"({value[:24]!r}...), more than {limit} (otlp_receiver.max_label_value_chars)",
                )
                return None
            values.append(value)
        return tuple(values)

    def _room_for(self, exists: bool, source: OtlpSource, batch: _Batch) -> bool:
        if exists or self._series < self.settings.max_series:
            return True
        batch.refuse(
            Refusal.SERIES_LIMIT,
            1,
            f"{source.otel_name}: a new series would pass the limit of "
            f"{self.settings.max_series} series (otlp_receiver.max_series)",
        )
        return False

    def _stream(self, key: bytes, source: OtlpSource, batch: _Batch) -> tuple[_Stream | None, bool]:
        """(the stream's state, whether it may be created)."""
        stream = self._streams.get(key)
        if stream is not None:
            return stream, True
        if len(self._streams) < self.settings.max_streams:
            return None, True
        batch.refuse(
            Refusal.STREAM_LIMIT,
            1,
            f"{source.otel_name}: a new cumulative stream would pass the limit of "
            f"{self.settings.max_streams} (otlp_receiver.max_streams); delta temporality "
            "needs no streams",
        )
        return None, False

    def _order(
        self, stream: _Stream, start: int, at: int, source: OtlpSource, batch: _Batch
    ) -> str:
        """ "same" (same run), "new" (a new run) or "late" (refused) for a cumulative point."""
        if start and stream.start and start != stream.start:
            if start > stream.start:
                return "new"
        elif at >= stream.time:
            return "same"
        batch.refuse(
            Refusal.OUT_OF_ORDER,
            1,
            f"{source.otel_name}: a cumulative point older than one already received",
        )
        return "late"

    def _remember(self, key: bytes, stream: _Stream, now: float) -> None:
        stream.seen = now
        self._streams[key] = stream
        self._streams.move_to_end(key)

    def _expire_streams(self, now: float) -> None:
        horizon = now - self.settings.stream_idle_seconds
        while self._streams:
            key, oldest = next(iter(self._streams.items()))
            if oldest.seen >= horizon:
                return
            del self._streams[key]

    def _number(
        self,
        source: OtlpSource,
        point: NumberDataPoint,
        *,
        cumulative: bool,
        resource: Mapping[str, str],
        metric_key: bytes,
        now: float,
        batch: _Batch,
    ) -> None:
        if point.flags & _NO_RECORDED_VALUE:
            batch.accepted += 1  # a staleness marker: nothing to add
            return
        which = point.WhichOneof("value")
        if which is None:
            batch.refuse(Refusal.NO_VALUE, 1, f"{source.otel_name}: a point without a value")
            return
        value = float(point.as_double if which == "as_double" else point.as_int)
        if not _finite(value) or value < 0:
            batch.refuse(
                Refusal.INVALID_VALUE,
                1,
                f"{source.otel_name}: value {value!r}; a counter takes finite values >= 0",
            )
            return
        attributes = self._read(point.attributes, batch, keyed=cumulative)
        labels = self._labels(source, attributes.kept, resource, batch)
        if labels is None:
            return
        series = self._counters[source.family]
        if not self._room_for(labels in series, source, batch):
            return
        increase = value
        if cumulative:
            key = metric_key + self._digest(attributes.entries)
            stream, allowed = self._stream(key, source, batch)
            if not allowed:
                return
            start, at = point.start_time_unix_nano, point.time_unix_nano
            if stream is None:
                stream = _Stream(start, at, value)
            else:
                order = self._order(stream, start, at, source, batch)
                if order == "late":
                    return
                if order == "same" and value >= stream.value:
                    increase = value - stream.value
                # else a new run, or a reset (a lower value): counted from zero
                stream.start, stream.time, stream.value = start or stream.start, at, value
            self._remember(key, stream, now)
        if labels not in series:
            series[labels] = 0.0
            self._series += 1
        series[labels] += increase
        batch.accepted += 1

    def _histogram(
        self,
        source: OtlpSource,
        point: HistogramDataPoint,
        *,
        cumulative: bool,
        resource: Mapping[str, str],
        metric_key: bytes,
        now: float,
        batch: _Batch,
    ) -> None:
        name = source.otel_name
        if point.flags & _NO_RECORDED_VALUE:
            batch.accepted += 1
            return
        if not point.HasField("sum"):
            batch.refuse(
                Refusal.NO_VALUE, 1, f"{name}: a histogram point without a sum cannot be served"
            )
            return
        bounds = tuple(point.explicit_bounds)
        buckets = tuple(float(c) for c in point.bucket_counts) or (float(point.count),)
        problem = _histogram_problem(point, bounds, buckets)
        if problem:
            batch.refuse(Refusal.INVALID_VALUE, 1, f"{name}: {problem}")
            return
        attributes = self._read(point.attributes, batch, keyed=cumulative)
        labels = self._labels(source, attributes.kept, resource, batch)
        if labels is None:
            return
        series = self._histograms[source.family]
        served = series.get(labels)
        if served is not None and served.bounds != bounds:
            batch.refuse(
                Refusal.BUCKET_MISMATCH,
                1,
                f"{name}: bucket bounds {list(bounds)[:6]} differ from the bounds the series "
                f"was first given {list(served.bounds)[:6]}",
            )
            return
        if not self._room_for(served is not None, source, batch):
            return
        count, total = float(point.count), point.sum
        if cumulative:
            key = metric_key + self._digest(attributes.entries)
            stream, allowed = self._stream(key, source, batch)
            if not allowed:
                return
            start, at = point.start_time_unix_nano, point.time_unix_nano
            new_state = _Stream(start, at, total, count, buckets)
            if stream is not None:
                order = self._order(stream, start, at, source, batch)
                if order == "late":
                    return
                grew = (
                    len(stream.buckets) == len(buckets)
                    and count >= stream.count
                    and total >= stream.value
                    and all(b >= a for a, b in zip(stream.buckets, buckets, strict=True))
                )
                if order == "same" and grew:
                    buckets = tuple(b - a for a, b in zip(stream.buckets, buckets, strict=True))
                    count, total = count - stream.count, total - stream.value
                new_state.start = start or stream.start
            self._remember(key, new_state, now)
        if served is None:
            served = series[labels] = HistogramValue(bounds, [0.0] * len(buckets))
            self._series += 1
        for index, added in enumerate(buckets):
            served.counts[index] += added
        served.count += count
        served.sum += total
        batch.accepted += 1


def _histogram_problem(
    point: HistogramDataPoint, bounds: tuple[float, ...], buckets: tuple[float, ...]
) -> str:
    if not all(_finite(b) for b in bounds):
        return "bucket bounds must be finite"
    if any(later <= earlier for earlier, later in itertools.pairwise(bounds)):
        return "bucket bounds must increase"
    if len(buckets) != len(bounds) + 1:
        return f"{len(buckets)} bucket counts for {len(bounds)} bounds (expected one more)"
    if sum(point.bucket_counts) != point.count and point.bucket_counts:
        return f"bucket counts add up to {sum(point.bucket_counts)}, not the count {point.count}"
    if not _finite(point.sum) or point.sum < 0:
        return f"sum {point.sum!r}; these histograms measure finite quantities >= 0"
    return ""
