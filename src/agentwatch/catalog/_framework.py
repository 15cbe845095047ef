"""Families the framework scanner produces (``agentwatch framework scan``), served by the
framework exporter. Seed 000's quality metrics."""

from __future__ import annotations

from ._model import MetricFamily, MetricType, Origin

G = MetricType.GAUGE

FRAMEWORK_QUALITY_SCORE = MetricFamily(
    "claude_framework_quality_score",
    G,
    "",
    (),
    "Overall framework quality, 0-100.",
    Origin.FRAMEWORK_EXPORTER,
    seed="000",
    planned_in=6,
)
AGENT_STANDARDIZATION_RATE = MetricFamily(
    "claude_agent_standardization_rate",
    G,
    "ratio",
    (),
    "Share of agents following the unified agent template.",
    Origin.FRAMEWORK_EXPORTER,
    seed="000",
    planned_in=6,
)
TEMPLATE_COMPLIANCE_RATE = MetricFamily(
    "claude_template_compliance_rate",
    G,
    "ratio",
    (),
    "Template adherence across the framework.",
    Origin.FRAMEWORK_EXPORTER,
    seed="000",
    planned_in=6,
)
DOCUMENTATION_CONSISTENCY_SCORE = MetricFamily(
    "claude_documentation_consistency_score",
    G,
    "",
    (),
    "Documentation consistency, 0-100.",
    Origin.FRAMEWORK_EXPORTER,
    seed="000",
    planned_in=6,
)

SCANNER_FAMILIES = (
    FRAMEWORK_QUALITY_SCORE,
    AGENT_STANDARDIZATION_RATE,
    TEMPLATE_COMPLIANCE_RATE,
    DOCUMENTATION_CONSISTENCY_SCORE,
)
