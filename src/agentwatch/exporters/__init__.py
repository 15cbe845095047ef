"""HTTP exporters: each serves prometheus_client collectors on /metrics, plus /healthz; and
where spans go (OTLP to a collector, the last traces in memory)."""

from ._server import Collector, MetricsServer, PortInUseError, build_registry
from ._traces import (
    TraceStore,
    TracingPipeline,
    otlp_span_exporter,
    span_summary,
    trace_summary,
)
from .otlp import IngestResult, OtlpCollector, OtlpReceiver, OtlpStore

__all__ = [
    "Collector",
    "IngestResult",
    "MetricsServer",
    "OtlpCollector",
    "OtlpReceiver",
    "OtlpStore",
    "PortInUseError",
    "TraceStore",
    "TracingPipeline",
    "build_registry",
    "otlp_span_exporter",
    "span_summary",
    "trace_summary",
]
