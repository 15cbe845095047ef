"""The label names of the exemplars the SDK attaches to histogram buckets."""

from __future__ import annotations

__all__ = ["EXEMPLAR_SPAN_ID", "EXEMPLAR_TRACE_ID"]

# Grafana's exemplar link to the trace data source names the first (generate's provisioning).
EXEMPLAR_TRACE_ID, EXEMPLAR_SPAN_ID = "trace_id", "span_id"
