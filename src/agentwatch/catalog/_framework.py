"""Families the framework scanner produces (``agentwatch framework scan``), served by the
framework exporter. Seed 000's quality metrics, and the scan's own health. docs/framework.md
gives every formula."""

from __future__ import annotations

from ._model import MetricFamily, MetricType, Origin

__all__ = [
    "AGENT_STANDARDIZATION_RATE",
    "DOCUMENTATION_CONSISTENCY_SCORE",
    "FRAMEWORK_AGENTS",
    "FRAMEWORK_AGENT_CHECK_FAILURES",
    "FRAMEWORK_AGENT_QUALITY",
    "FRAMEWORK_FINDINGS_RESOLVED_TOTAL",
    "FRAMEWORK_QUALITY_GATE_SCORE",
    "FRAMEWORK_QUALITY_GATE_WEIGHT",
    "FRAMEWORK_QUALITY_SCORE",
    "FRAMEWORK_SCANS_TOTAL",
    "FRAMEWORK_SCAN_DURATION_SECONDS",
    "FRAMEWORK_SCAN_FAILURES_TOTAL",
    "FRAMEWORK_SCAN_PROBLEMS",
    "FRAMEWORK_SCAN_TIMESTAMP_SECONDS",
    "SCANNER_FAMILIES",
    "TEMPLATE_COMPLIANCE_RATE",
]

C, G = MetricType.COUNTER, MetricType.GAUGE
_FX = Origin.FRAMEWORK_EXPORTER

FRAMEWORK_QUALITY_SCORE = MetricFamily(
    "claude_framework_quality_score",
    G,
    "",
    (),
    "Overall framework quality, 0-100: the weighted mean of the measured quality gates.",
    _FX,
    seed="000",
)
AGENT_STANDARDIZATION_RATE = MetricFamily(
    "claude_agent_standardization_rate",
    G,
    "ratio",
    (),
    "Share of agents following the unified agent template (every template check passes).",
    _FX,
    seed="000",
)
TEMPLATE_COMPLIANCE_RATE = MetricFamily(
    "claude_template_compliance_rate",
    G,
    "ratio",
    (),
    "Share of template checks passed, over all agent files.",
    _FX,
    seed="000",
)
DOCUMENTATION_CONSISTENCY_SCORE = MetricFamily(
    "claude_documentation_consistency_score",
    G,
    "",
    (),
    "Documentation consistency, 0-100: share of documentation checks passed.",
    _FX,
    seed="000",
)
FRAMEWORK_AGENTS = MetricFamily(
    "claude_framework_agents",
    G,
    "",
    ("state",),
    "Agent files by state: standardized or non_standardized (N of M: M is the sum).",
    _FX,
    seed="000: agent standardization compliance (43/45 agents)",
)
FRAMEWORK_QUALITY_GATE_SCORE = MetricFamily(
    "claude_framework_quality_gate_score",
    G,
    "",
    ("gate",),
    "Score of each measured quality gate, 0-100; a gate with nothing to measure has no series.",
    _FX,
    seed="000: quality gate success rates",
)
FRAMEWORK_QUALITY_GATE_WEIGHT = MetricFamily(
    "claude_framework_quality_gate_weight",
    G,
    "ratio",
    ("gate",),
    "Weight of each measured gate in the quality score, re-normalised over measured gates.",
    _FX,
)
FRAMEWORK_AGENT_CHECK_FAILURES = MetricFamily(
    "claude_framework_agent_check_failures",
    G,
    "",
    ("check",),
    "Agent files failing each agent check in the last scan.",
    _FX,
)
FRAMEWORK_SCAN_PROBLEMS = MetricFamily(
    "claude_framework_scan_problems",
    G,
    "",
    ("kind",),
    "Files the last scan could not use as they are, by kind of problem.",
    _FX,
)
FRAMEWORK_SCAN_TIMESTAMP_SECONDS = MetricFamily(
    "claude_framework_scan_timestamp_seconds",
    G,
    "seconds",
    (),
    "Unix time the last successful scan finished.",
    _FX,
)
FRAMEWORK_SCAN_DURATION_SECONDS = MetricFamily(
    "claude_framework_scan_duration_seconds",
    G,
    "seconds",
    (),
    "How long the last successful scan took.",
    _FX,
)
FRAMEWORK_SCANS_TOTAL = MetricFamily(
    "claude_framework_scans_total",
    C,
    "",
    (),
    "Scans the framework exporter completed.",
    _FX,
)
FRAMEWORK_SCAN_FAILURES_TOTAL = MetricFamily(
    "claude_framework_scan_failures_total",
    C,
    "",
    (),
    "Scans that could not run (framework directory missing or unreadable).",
    _FX,
)
FRAMEWORK_AGENT_QUALITY = MetricFamily(
    "claude_framework_agent_quality",
    G,
    "ratio",
    ("agent",),
    "Share of its template and quality checks each agent definition passes (agent: its name).",
    _FX,
)
FRAMEWORK_FINDINGS_RESOLVED_TOTAL = MetricFamily(
    "claude_framework_findings_resolved_total",
    C,
    "",
    (),
    "Quality findings a framework scan reported that a later scan no longer found.",
    _FX,
)

SCANNER_FAMILIES = (
    FRAMEWORK_QUALITY_SCORE,
    AGENT_STANDARDIZATION_RATE,
    TEMPLATE_COMPLIANCE_RATE,
    DOCUMENTATION_CONSISTENCY_SCORE,
    FRAMEWORK_AGENTS,
    FRAMEWORK_QUALITY_GATE_SCORE,
    FRAMEWORK_QUALITY_GATE_WEIGHT,
    FRAMEWORK_AGENT_CHECK_FAILURES,
    FRAMEWORK_SCAN_PROBLEMS,
    FRAMEWORK_SCAN_TIMESTAMP_SECONDS,
    FRAMEWORK_SCAN_DURATION_SECONDS,
    FRAMEWORK_SCANS_TOTAL,
    FRAMEWORK_SCAN_FAILURES_TOTAL,
    FRAMEWORK_AGENT_QUALITY,
    FRAMEWORK_FINDINGS_RESOLVED_TOTAL,
)
