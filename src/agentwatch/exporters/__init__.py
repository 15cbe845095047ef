"""HTTP exporters: each serves prometheus_client collectors on /metrics, plus /healthz; and
where spans go (OTLP to a collector, the last traces in memory)."""

from ._home import FilesystemSpace, HomeFilesystemCollector, filesystem_space, format_bytes
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
    "FilesystemSpace",
    "HomeFilesystemCollector",
    "IngestResult",
    "MetricsServer",
    "OtlpCollector",
    "OtlpReceiver",
    "OtlpStore",
    "PortInUseError",
    "TraceStore",
    "TracingPipeline",
    "build_registry",
    "filesystem_space",
    "format_bytes",
    "otlp_span_exporter",
    "span_summary",
    "trace_summary",
]
