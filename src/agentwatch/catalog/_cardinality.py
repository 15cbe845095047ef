"""The SDK's cardinality guard counts what it folds (docs/cardinality.md)."""

from __future__ import annotations

from ._model import MetricFamily, MetricType, Origin

__all__ = ["AGENTWATCH_CARDINALITY_OVERFLOW_TOTAL", "CARDINALITY_FAMILIES", "OVERFLOW"]

#: The label value of folded label sets. Reserved: a caller naming it gets the overflow series.
OVERFLOW = "__overflow__"

AGENTWATCH_CARDINALITY_OVERFLOW_TOTAL = MetricFamily(
    "agentwatch_cardinality_overflow_total",
    MetricType.COUNTER,
    "",
    ("family",),
    # No "__overflow__" here: docs/metrics.md would render it bold.
    "New label sets of a family recorded in its overflow series instead, the family having "
    "reached its limit (spec cardinality:, docs/cardinality.md); one per SDK call that asked "
    "for one.",
    Origin.CARDINALITY_GUARD,
)

CARDINALITY_FAMILIES: tuple[MetricFamily, ...] = (AGENTWATCH_CARDINALITY_OVERFLOW_TOTAL,)
