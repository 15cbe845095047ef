"""Where spans go: OTLP to a collector (HTTP or gRPC), and the last traces kept in memory.

``TracingPipeline`` owns the parts every tracer provider of a process shares: the adaptive
sampler (one span budget for the whole process) and the span processors. A process that hosts
many agents (the simulated system) makes one provider per agent, so each agent is a service of
its own in Jaeger and in the collector's service graph, all feeding the same processors.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.trace import StatusCode

from agentwatch.instrument import AdaptiveSampler
from agentwatch.spec import Tracing

__all__ = [
    "TraceStore",
    "TracingPipeline",
    "otlp_span_exporter",
    "span_summary",
    "trace_summary",
]

# Enough recent traces to look up any exemplar a dashboard shows from the last minutes.
DEFAULT_KEPT_TRACES = 2000


def otlp_span_exporter(tracing: Tracing) -> SpanExporter | None:
    """The OTLP exporter ``tracing`` asks for, or None when no endpoint is configured."""
    endpoint = tracing.otlp_endpoint
    if endpoint is None:
        return None
    # Imported only for the protocol asked for: gRPC's alone is some 16 MiB per process.
    if tracing.otlp_protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (  # noqa: PLC0415
            OTLPSpanExporter as GrpcExporter,
        )

        parts = urlsplit(endpoint)
        return GrpcExporter(endpoint=parts.netloc, insecure=parts.scheme == "http")
    # As OTEL_EXPORTER_OTLP_ENDPOINT: a base URL, under which spans go to /v1/traces.
    if urlsplit(endpoint).path in ("", "/"):
        endpoint = endpoint.rstrip("/") + "/v1/traces"
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # noqa: PLC0415
        OTLPSpanExporter as HttpExporter,
    )

    return HttpExporter(endpoint=endpoint)


class TraceStore(SpanProcessor):
    """The spans of the last ``max_traces`` traces, in memory, for looking traces up locally."""

    def __init__(self, max_traces: int = DEFAULT_KEPT_TRACES) -> None:
        self._max = max_traces
        self._lock = threading.Lock()
        self._traces: OrderedDict[int, list[ReadableSpan]] = OrderedDict()

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        """Spans are kept when they end."""

    def on_end(self, span: ReadableSpan) -> None:
        if span.context is None or not span.context.trace_flags.sampled:
            return
        trace_id = span.context.trace_id
        with self._lock:
            spans = self._traces.get(trace_id)
            if spans is None:
                spans = self._traces[trace_id] = []
                while len(self._traces) > self._max:
                    self._traces.popitem(last=False)
            spans.append(span)

    def shutdown(self) -> None:
        """Nothing to flush; what is kept stays readable."""

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True

    def traces(self) -> list[list[ReadableSpan]]:
        """Every kept trace's spans, oldest trace first."""
        with self._lock:
            return [list(spans) for spans in self._traces.values()]

    def trace(self, trace_id: int) -> list[ReadableSpan]:
        with self._lock:
            return list(self._traces.get(trace_id, ()))


def span_summary(span: ReadableSpan) -> dict[str, Any]:
    """A span as plain JSON: ids in W3C hex, times in Unix nanoseconds."""
    context, parent = span.context, span.parent
    assert context is not None  # an ended SDK span always has one
    return {
        "trace_id": format(context.trace_id, "032x"),
        "span_id": format(context.span_id, "016x"),
        "parent_span_id": None if parent is None else format(parent.span_id, "016x"),
        "name": span.name,
        "kind": span.kind.name,
        "service": span.resource.attributes.get("service.name"),
        "service_instance": span.resource.attributes.get("service.instance.id"),
        "start_time": span.start_time,
        "end_time": span.end_time,
        "status": span.status.status_code.name,
        "error": span.status.status_code is StatusCode.ERROR,
        "attributes": dict(span.attributes or {}),
    }


def trace_summary(spans: list[ReadableSpan]) -> dict[str, Any]:
    """One trace in a line: its root (the earliest span whose parent is not in it), how long,
    how many spans, the services it crossed, whether anything failed."""
    ids = {span.context.span_id for span in spans if span.context is not None}
    roots = [s for s in spans if s.parent is None or s.parent.span_id not in ids]
    root = min(roots or spans, key=lambda s: s.start_time or 0)
    start = min(s.start_time or 0 for s in spans)
    end = max(s.end_time or 0 for s in spans)
    services = sorted({str(s.resource.attributes.get("service.name")) for s in spans})
    summary = span_summary(root)
    return {
        "trace_id": summary["trace_id"],
        "root": root.name,
        "service": summary["service"],
        "conversation_id": summary["attributes"].get("gen_ai.conversation.id"),
        "start_time": start,
        "duration_seconds": (end - start) / 1e9,
        "spans": len(spans),
        "services": services,
        "error": any(s.status.status_code is StatusCode.ERROR for s in spans),
    }


class TracingPipeline:
    """One sampler and the span processors for a process, with a provider per service."""

    def __init__(
        self,
        tracing: Tracing,
        *,
        exporter: SpanExporter | None = None,
        store: TraceStore | None = None,
        max_queue_size: int = 2048,
    ) -> None:
        """``max_queue_size``: spans waiting for export; beyond it new ones are dropped (the
        batch processor's guard against a collector that cannot keep up)."""
        self.tracing = tracing
        self.sampler = AdaptiveSampler(
            tracing.budget_spans_per_second,
            min_ratio=tracing.min_sampling_ratio,
            max_ratio=tracing.max_sampling_ratio,
        )
        self.exporter = exporter if exporter is not None else otlp_span_exporter(tracing)
        self.store = store
        self._processors: list[SpanProcessor] = []
        if self.exporter is not None:
            self._processors.append(
                BatchSpanProcessor(self.exporter, max_queue_size=max_queue_size)
            )
        if store is not None:
            self._processors.append(store)

    def provider(self, attributes: Mapping[str, str]) -> TracerProvider:
        """A tracer provider for one service (``service.name`` and friends in ``attributes``)."""
        # The pipeline shuts the shared processors down once; providers must not at exit.
        provider = TracerProvider(
            sampler=self.sampler, resource=Resource.create(dict(attributes)), shutdown_on_exit=False
        )
        for processor in self._processors:
            provider.add_span_processor(processor)
        return provider

    def shutdown(self) -> None:
        """Export what is pending, then stop."""
        for processor in self._processors:
            processor.shutdown()
