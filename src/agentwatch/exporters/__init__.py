"""HTTP exporters: each serves prometheus_client collectors on /metrics, plus /healthz; and
where spans go (OTLP to a collector, the last traces in memory)."""

from typing import TYPE_CHECKING

from agentwatch._lazy import lazy_exports

# Imported when first used (agentwatch._lazy): the supervisor and `agentwatch status` need only
# _home (the home's free space), without OpenTelemetry's SDK, protobuf and the agent SDK.
if TYPE_CHECKING:
    from ._business import BusinessExporter, home_pseudonymizer
    from ._home import FilesystemSpace, HomeFilesystemCollector, filesystem_space, format_bytes
    from ._server import Collector, MetricsServer, PortInUseError, build_registry
    from ._survey import MAX_SCORE, MIN_SCORE, SurveyLog
    from ._traces import (
        TraceStore,
        TracingPipeline,
        otlp_span_exporter,
        span_summary,
        trace_summary,
    )
    from .otlp import IngestResult, OtlpCollector, OtlpReceiver, OtlpStore
else:
    __getattr__, __dir__ = lazy_exports(__name__)

__all__ = [
    "MAX_SCORE",
    "MIN_SCORE",
    "BusinessExporter",
    "Collector",
    "FilesystemSpace",
    "HomeFilesystemCollector",
    "IngestResult",
    "MetricsServer",
    "OtlpCollector",
    "OtlpReceiver",
    "OtlpStore",
    "PortInUseError",
    "SurveyLog",
    "TraceStore",
    "TracingPipeline",
    "build_registry",
    "filesystem_space",
    "format_bytes",
    "home_pseudonymizer",
    "otlp_span_exporter",
    "span_summary",
    "trace_summary",
]
