"""Spans recorded by the real OpenTelemetry SDK into memory, for tests that read them back."""

from __future__ import annotations

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.id_generator import IdGenerator
from opentelemetry.sdk.trace.sampling import ALWAYS_ON, Sampler


def recording_provider(
    sampler: Sampler = ALWAYS_ON, *, id_generator: IdGenerator | None = None
) -> tuple[TracerProvider, InMemorySpanExporter]:
    """A provider that hands every ended span to the returned exporter at once."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider(sampler=sampler, shutdown_on_exit=False, id_generator=id_generator)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter
