"""Helpers for the OTLP receiver tests: requests built from the protocol's own protobuf
classes, a WSGI caller, the real OpenTelemetry SDK pointed at a receiver, free ports and
exposition parsing (promtool's verdict is tests/unit/tools.py's check_metrics)."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.metrics.v1.metrics_pb2 import (
    HistogramDataPoint,
    Metric,
    NumberDataPoint,
    ResourceMetrics,
    ScopeMetrics,
)
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.sdk.metrics import Counter, Histogram, MeterProvider
from opentelemetry.sdk.metrics.export import AggregationTemporality, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource as SdkResource
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from agentwatch.exporters import build_registry
from agentwatch.exporters.otlp import OtlpApp, OtlpCollector, OtlpReceiver, OtlpStore
from agentwatch.spec import OtlpReceiverSettings

DELTA, CUMULATIVE = 1, 2
SECOND = 1_000_000_000


def attrs(values: Mapping[str, Any]) -> list[KeyValue]:
    out = []
    for key, value in values.items():
        if isinstance(value, bool):
            any_value = AnyValue(bool_value=value)
        elif isinstance(value, int):
            any_value = AnyValue(int_value=value)
        elif isinstance(value, float):
            any_value = AnyValue(double_value=value)
        else:
            any_value = AnyValue(string_value=str(value))
        out.append(KeyValue(key=key, value=any_value))
    return out


def number(
    value: float,
    attributes: Mapping[str, Any] | None = None,
    *,
    start: int = 1 * SECOND,
    time: int = 2 * SECOND,
) -> NumberDataPoint:
    point = NumberDataPoint(
        attributes=attrs(attributes or {}), start_time_unix_nano=start, time_unix_nano=time
    )
    if isinstance(value, int):
        point.as_int = value
    else:
        point.as_double = value
    return point


def sum_metric(
    name: str,
    points: Sequence[NumberDataPoint],
    *,
    temporality: int = DELTA,
    monotonic: bool = True,
    unit: str = "",
) -> Metric:
    metric = Metric(name=name, unit=unit)
    metric.sum.aggregation_temporality = temporality  # type: ignore[assignment]
    metric.sum.is_monotonic = monotonic
    metric.sum.data_points.extend(points)
    return metric


def hist_point(
    bounds: Sequence[float],
    counts: Sequence[int],
    total: float,
    attributes: Mapping[str, Any] | None = None,
    *,
    start: int = 1 * SECOND,
    time: int = 2 * SECOND,
) -> HistogramDataPoint:
    return HistogramDataPoint(
        attributes=attrs(attributes or {}),
        start_time_unix_nano=start,
        time_unix_nano=time,
        count=sum(counts),
        sum=total,
        bucket_counts=list(counts),
        explicit_bounds=list(bounds),
    )


def hist_metric(
    name: str,
    points: Sequence[HistogramDataPoint],
    *,
    temporality: int = DELTA,
    unit: str = "s",
) -> Metric:
    metric = Metric(name=name, unit=unit)
    metric.histogram.aggregation_temporality = temporality  # type: ignore[assignment]
    metric.histogram.data_points.extend(points)
    return metric


def request(
    *metrics: Metric, service: str = "claude-code", resource: Mapping[str, Any] | None = None
) -> ExportMetricsServiceRequest:
    resource_attrs = {"service.name": service, **(resource or {})}
    return ExportMetricsServiceRequest(
        resource_metrics=[
            ResourceMetrics(
                resource=Resource(attributes=attrs(resource_attrs)),
                scope_metrics=[ScopeMetrics(metrics=list(metrics))],
            )
        ]
    )


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


def call(
    app: OtlpApp,
    body: bytes = b"",
    *,
    method: str = "POST",
    path: str = "/v1/metrics",
    content_type: str = "application/x-protobuf",
    headers: Mapping[str, str] | None = None,
    content_length: str | None = None,
) -> Reply:
    """One request straight into the WSGI app (no socket)."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)) if content_length is None else content_length,
        "wsgi.input": io.BytesIO(body),
    }
    for key, value in (headers or {}).items():
        environ["HTTP_" + key.upper().replace("-", "_")] = value
    captured: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]]) -> None:
        captured["status"] = int(status.split(maxsplit=1)[0])
        captured["headers"] = dict(response_headers)

    chunks = app(environ, start_response)
    return Reply(captured["status"], captured["headers"], b"".join(chunks))


def sdk_meter_provider(
    metrics_url: str,
    temporality: AggregationTemporality,
    *,
    compression: Compression = Compression.NoCompression,
    resource: Mapping[str, str] | None = None,
) -> MeterProvider:
    """The real OpenTelemetry SDK exporting over OTLP/HTTP to ``metrics_url``, as Claude Code
    does; exports happen only when the caller flushes (the interval is an hour)."""
    exporter = OTLPMetricExporter(
        endpoint=metrics_url,
        preferred_temporality={Counter: temporality, Histogram: temporality},
        compression=compression,
        timeout=5,
    )
    reader = PeriodicExportingMetricReader(exporter, export_interval_millis=3_600_000)
    attributes = {"service.name": "claude-code", "service.version": "2.1.0", **(resource or {})}
    return MeterProvider(metric_readers=[reader], resource=SdkResource.create(attributes))


def free_ports(count: int) -> list[int]:
    """Distinct loopback ports free now (for servers whose port the spec names)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in sockets]
    finally:
        for s in sockets:
            s.close()


def exposition(store: OtlpStore) -> str:
    return generate_latest(build_registry(OtlpCollector(store))).decode()


def samples(store: OtlpStore) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every served sample: (name, sorted labels) → value."""
    found = {}
    for family in text_string_to_metric_families(exposition(store)):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(store: OtlpStore, name: str, **labels: str) -> float | None:
    """The sample ``name`` whose labels include ``labels`` (exactly one must match)."""
    matches = [
        v
        for (sample, sample_labels), v in samples(store).items()
        if sample == name and set(labels.items()) <= set(sample_labels)
    ]
    assert len(matches) <= 1, f"{len(matches)} samples of {name} match {labels}"
    return matches[0] if matches else None


@pytest.fixture
def store() -> OtlpStore:
    return OtlpStore()


@pytest.fixture
def app(store: OtlpStore) -> OtlpApp:
    return OtlpApp(store)


@pytest.fixture
def small_app() -> OtlpApp:
    """A receiver with small limits, so limits are reached cheaply."""
    settings = OtlpReceiverSettings(
        max_body_bytes=4096, max_decompressed_bytes=8192, max_series=5, max_streams=5
    )
    return OtlpApp(OtlpStore(settings))


@pytest.fixture
def receiver(store: OtlpStore) -> Iterator[OtlpReceiver]:
    with OtlpReceiver(store, port=0) as running:
        yield running
