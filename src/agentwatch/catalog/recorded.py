"""The names of the recorded series: what the recording rules record, as ``level:metric:
operations`` (kubernetes-mixin's convention), the metric part always a catalog family, and the
seed's legacy ``claude_*`` names from the catalog; with the label selectors the rules and
their readers share.

Defined once, here: generate/rules writes the rules that record them, and the dashboards,
runbooks, SLOs, alerts, analytics and console read them by these names.
"""

from __future__ import annotations

from agentwatch import catalog

from ._model import MetricFamily

__all__ = [
    "AGENT_ERRORS_RATE",
    "AGENT_ERROR_RATIO",
    "AGENT_P95",
    "AGENT_P99",
    "AGENT_PROCESSED_RATE",
    "AUTH_FAILURE",
    "AVAILABILITY",
    "EMERGENCY",
    "ERROR_RATE",
    "FALSE_POSITIVE",
    "HEALTHY_RATIO",
    "LEGACY",
    "MEMORY",
    "MEMORY_USAGE",
    "QUEUE_DEPTH_MAX",
    "QUEUE_DEPTH_SUM",
    "RESOURCE_USAGE_MAX",
    "RESPONSE_TIME",
    "SENT",
    "SLO_BUDGET_REMAINING",
    "SLO_CURRENT_BURN_RATE",
    "SLO_ERROR_BUDGET",
    "SLO_OBJECTIVE",
    "SLO_PERIOD_BURN_RATE",
    "SLO_TIME_PERIOD_DAYS",
    "TRANSPORT_BYTES_RATE",
    "TRANSPORT_ERROR",
    "TRANSPORT_ERROR_RATIO",
    "TRANSPORT_LATENCY",
    "TRANSPORT_MESSAGES_RATE",
    "UTILIZATION",
    "VOICE_AUDIO_ANOMALY_RATE",
    "VOICE_AUTH_FAILURE_RATIO",
    "VOICE_FALSE_POSITIVE_RATIO",
    "WORKFLOW_TIME",
    "bucket",
    "rule_name",
    "slo_error_ratio",
]

# Label values the instrumentation writes (see agentwatch.instrument): the transport records
# each message once "out" when sent and once "in" when delivered.
SENT = 'direction="out"'
TRANSPORT_ERROR = 'severity="error"'
AUTH_FAILURE = 'result="failure"'
FALSE_POSITIVE = 'outcome="false_positive"'
MEMORY = 'resource="memory"'
EMERGENCY = 'msg_type="emergency"'


def rule_name(level: str, family: MetricFamily, operations: str) -> str:
    """``level:metric:operations`` with the metric taken from the catalog (counters lose
    ``_total``, as the Prometheus naming guide asks)."""
    return f"{level}:{family.family}:{operations}"


def bucket(family: MetricFamily) -> str:
    return f"{family.name}_bucket"


_MSG = catalog.AGENT_TRANSPORT_MESSAGES_TOTAL
_LAT = catalog.AGENT_TRANSPORT_LATENCY_SECONDS
_PROC = catalog.AGENT_PROCESSING_TIME_SECONDS

TRANSPORT_MESSAGES_RATE = rule_name("job", _MSG, "rate1m")
TRANSPORT_BYTES_RATE = rule_name("job", catalog.AGENT_TRANSPORT_BYTES_TOTAL, "rate1m")
TRANSPORT_ERROR_RATIO = rule_name("job", catalog.AGENT_TRANSPORT_ERRORS_TOTAL, "ratio_rate5m")
# Quantile label in the name -> (quantile, name).
TRANSPORT_LATENCY: dict[str, tuple[float, str]] = {
    q: (value, rule_name("job", _LAT, f"{q}_1m"))
    for q, value in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99), ("p999", 0.999))
}
AGENT_P95 = rule_name("agent_type", _PROC, "p95_5m")
AGENT_P99 = rule_name("agent_type", _PROC, "p99_5m")
AGENT_PROCESSED_RATE = rule_name("agent_type", catalog.AGENT_MESSAGES_PROCESSED_TOTAL, "rate5m")
AGENT_ERRORS_RATE = rule_name("agent_type", catalog.AGENT_ERRORS_TOTAL, "rate5m")
AGENT_ERROR_RATIO = rule_name("agent_type", catalog.AGENT_ERRORS_TOTAL, "ratio_rate5m")
QUEUE_DEPTH_MAX = rule_name("agent_type", catalog.AGENT_QUEUE_DEPTH, "max")
QUEUE_DEPTH_SUM = rule_name("agent_type", catalog.AGENT_QUEUE_DEPTH, "sum")
RESOURCE_USAGE_MAX = rule_name("agent_type_resource", catalog.AGENT_RESOURCE_USAGE, "max")
HEALTHY_RATIO = rule_name("job", catalog.AGENT_HEALTH_SCORE, "healthy_ratio")
# Fully aggregated (empty level), as node-mixin spells its cluster-wide rules.
AVAILABILITY = rule_name("", _MSG, "availability_rate5m")
VOICE_AUTH_FAILURE_RATIO = rule_name("", catalog.VOICE_BIOMETRIC_AUTH_TOTAL, "failure_ratio_rate5m")
VOICE_FALSE_POSITIVE_RATIO = rule_name(
    "", catalog.VOICE_RECOGNITION_TOTAL, "false_positive_ratio_rate5m"
)
VOICE_AUDIO_ANOMALY_RATE = rule_name("kind", catalog.VOICE_AUDIO_CAPTURE_ANOMALIES_TOTAL, "rate5m")

# Seed 000's legacy names have no catalog constant; by_name fails loudly if one is renamed.
RESPONSE_TIME = catalog.by_name("claude_agent_response_time").name
WORKFLOW_TIME = catalog.by_name("claude_workflow_completion_time").name
MEMORY_USAGE = catalog.by_name("claude_memory_usage").name
UTILIZATION = catalog.by_name("claude_agent_utilization_rate").name
ERROR_RATE = catalog.by_name("claude_error_rate").name
LEGACY = (RESPONSE_TIME, WORKFLOW_TIME, MEMORY_USAGE, UTILIZATION, ERROR_RATE)

# The SLO series, under Sloth's names (slok/sloth), so that users and dashboards that know
# Sloth find them; each carries the SLO's sloth_id, sloth_service and sloth_slo labels.
SLO_OBJECTIVE = "slo:objective:ratio"
SLO_ERROR_BUDGET = "slo:error_budget:ratio"
SLO_TIME_PERIOD_DAYS = "slo:time_period:days"
SLO_CURRENT_BURN_RATE = "slo:current_burn_rate:ratio"  # over 5m, in budgets
SLO_PERIOD_BURN_RATE = "slo:period_burn_rate:ratio"
SLO_BUDGET_REMAINING = "slo:period_error_budget_remaining:ratio"


def slo_error_ratio(window: str) -> str:
    """The SLI's error ratio over ``window`` (5m, 30m, 1h, ... and the SLO's period)."""
    return f"slo:sli_error:ratio_rate{window}"
