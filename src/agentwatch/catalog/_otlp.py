"""Families the OTLP/HTTP receiver produces from the telemetry agents push to it (Claude
Code's ``claude_code.*`` metrics, the OpenTelemetry GenAI client metrics)."""

from __future__ import annotations

from ._model import MetricFamily

OTLP_FAMILIES: tuple[MetricFamily, ...] = ()
