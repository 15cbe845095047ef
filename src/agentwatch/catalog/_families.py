"""Every metric family agentwatch knows about. Nothing else spells a metric name.

Seed 004 is the agent communication system document, seed 000 the framework document.
"""

from __future__ import annotations

from ._cardinality import CARDINALITY_FAMILIES
from ._framework import SCANNER_FAMILIES
from ._home import HOME_FAMILIES
from ._model import MetricFamily, MetricType, Origin
from ._otlp import OTLP_FAMILIES
from ._security import SECURITY_FAMILIES

C, G, H = MetricType.COUNTER, MetricType.GAUGE, MetricType.HISTOGRAM

# Processing and transport latencies span sub-millisecond hops to multi-second agent work.
LATENCY_BUCKETS: tuple[float, ...] = (
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
    0.25, 0.5, 1.0, 2.0, 5.0, 10.0,
)  # fmt: skip
WORKFLOW_BUCKETS: tuple[float, ...] = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

AGENT = ("agent_id", "agent_type")

AGENT_STATUS = MetricFamily(
    "agent_status",
    G,
    "",
    (*AGENT, "status"),
    "Current agent status, one series per status; the current one is 1, the others 0.",
    Origin.AGENT_EXPORTER,
    seed="004: agent_status (idle/running/failed)",
)

AGENT_MESSAGES_PROCESSED_TOTAL = MetricFamily(
    "agent_messages_processed_total",
    C,
    "",
    (*AGENT, "source_agent", "action"),
    "Messages processed by an agent, by the agent type that sent them and the action taken.",
    Origin.AGENT_EXPORTER,
    seed="004",
)

AGENT_PROCESSING_TIME_SECONDS = MetricFamily(
    "agent_processing_time_seconds",
    H,
    "seconds",
    AGENT,
    "Time an agent spent processing one message.",
    Origin.AGENT_EXPORTER,
    buckets=LATENCY_BUCKETS,
    seed="004",
)

AGENT_QUEUE_DEPTH = MetricFamily(
    "agent_queue_depth",
    G,
    "",
    AGENT,
    "Messages waiting in an agent's inbound queue.",
    Origin.AGENT_EXPORTER,
    seed="004",
)

AGENT_RESOURCE_USAGE = MetricFamily(
    "agent_resource_usage",
    G,
    "ratio",
    (*AGENT, "resource"),
    "Share of the agent's limit in use, 0 to 1, for resource cpu or memory.",
    Origin.AGENT_EXPORTER,
    seed="004: CPU/memory usage per agent",
)

AGENT_MEMORY_BYTES = MetricFamily(
    "agent_memory_bytes",
    G,
    "bytes",
    AGENT,
    "Resident memory of the agent.",
    Origin.AGENT_EXPORTER,
)

AGENT_MEMORY_LIMIT_BYTES = MetricFamily(
    "agent_memory_limit_bytes",
    G,
    "bytes",
    AGENT,
    "Memory the agent may use before it is killed.",
    Origin.AGENT_EXPORTER,
)

AGENT_CPU_SECONDS_TOTAL = MetricFamily(
    "agent_cpu_seconds_total",
    C,
    "seconds",
    AGENT,
    "CPU time the agent consumed.",
    Origin.AGENT_EXPORTER,
)

AGENT_BUSY_SECONDS_TOTAL = MetricFamily(
    "agent_busy_seconds_total",
    C,
    "seconds",
    AGENT,
    "Worker time spent processing messages; divided by workers it gives utilisation.",
    Origin.AGENT_EXPORTER,
)

AGENT_WORKERS = MetricFamily(
    "agent_workers",
    G,
    "",
    AGENT,
    "Workers the agent runs in parallel.",
    Origin.AGENT_EXPORTER,
)

AGENT_ERRORS_TOTAL = MetricFamily(
    "agent_errors_total",
    C,
    "",
    (*AGENT, "error_type"),
    "Messages an agent failed to process, by error type.",
    Origin.AGENT_EXPORTER,
)

AGENT_LAST_HEARTBEAT_TIMESTAMP_SECONDS = MetricFamily(
    "agent_last_heartbeat_timestamp_seconds",
    G,
    "seconds",
    AGENT,
    "Unix time of the agent's last heartbeat.",
    Origin.AGENT_EXPORTER,
)

AGENT_HEALTH_SCORE = MetricFamily(
    "agent_health_score",
    G,
    "",
    AGENT,
    "Health score 0-100 computed from the agent's state (docs/metrics.md gives the formula).",
    Origin.AGENT_EXPORTER,
    seed="004: computed health score (0-100)",
)

AGENT_UNAUTHORIZED_ACCESS_TOTAL = MetricFamily(
    "agent_unauthorized_access_total",
    C,
    "",
    ("agent_type", "reason"),
    "Messages rejected because the sender was not allowed to reach this agent type.",
    Origin.AGENT_EXPORTER,
    seed="004: unauthorized agent access attempts",
)

AGENT_WORKFLOW_DURATION_SECONDS = MetricFamily(
    "agent_workflow_duration_seconds",
    H,
    "seconds",
    ("workflow",),
    "End-to-end time of a request across all the agents it visited.",
    Origin.AGENT_EXPORTER,
    buckets=WORKFLOW_BUCKETS,
    seed="000: claude_workflow_completion_time",
)

AGENT_WORKFLOWS_TOTAL = MetricFamily(
    "agent_workflows_total",
    C,
    "",
    ("workflow", "outcome"),
    "Requests finished, by outcome (success or failure).",
    Origin.AGENT_EXPORTER,
)

AGENT_TRANSPORT_MESSAGES_TOTAL = MetricFamily(
    "agent_transport_messages_total",
    C,
    "",
    ("direction", "msg_type", "priority"),
    "Messages moved by the transport.",
    Origin.TRANSPORT_EXPORTER,
    seed="004",
)

AGENT_TRANSPORT_BYTES_TOTAL = MetricFamily(
    "agent_transport_bytes_total",
    C,
    "bytes",
    ("direction", "msg_type", "priority"),
    "Payload bytes moved by the transport.",
    Origin.TRANSPORT_EXPORTER,
)

AGENT_TRANSPORT_LATENCY_SECONDS = MetricFamily(
    "agent_transport_latency_seconds",
    H,
    "seconds",
    ("msg_type",),
    "Delivery latency of a sample of messages; the sample share is "
    "agent_transport_latency_sample_ratio, so use agent_transport_messages_total for rates.",
    Origin.TRANSPORT_EXPORTER,
    buckets=LATENCY_BUCKETS,
    seed="004",
)

AGENT_TRANSPORT_LATENCY_SAMPLE_RATIO = MetricFamily(
    "agent_transport_latency_sample_ratio",
    G,
    "ratio",
    (),
    "Share of messages whose latency is observed now; adapts between 0.001 and 1 with load.",
    Origin.TRANSPORT_EXPORTER,
    seed="004: adaptive sampling (0.1% to 100%)",
)

AGENT_TRANSPORT_THROUGHPUT_MPS = MetricFamily(
    "agent_transport_throughput_mps",
    G,
    "messages per second",
    (),
    "Messages sent (direction out) per second over the last 10 s, from real counts.",
    Origin.TRANSPORT_EXPORTER,
    seed="004",
)

AGENT_TRANSPORT_ERRORS_TOTAL = MetricFamily(
    "agent_transport_errors_total",
    C,
    "",
    ("error_type", "severity"),
    "Transport errors by type and severity.",
    Origin.TRANSPORT_EXPORTER,
    seed="004",
)

VOICE_BIOMETRIC_AUTH_TOTAL = MetricFamily(
    "voice_biometric_auth_total",
    C,
    "",
    ("result",),
    "Voice biometric authentications, by result (success or failure).",
    Origin.VOICE_EXPORTER,
    seed="004: voice biometric authentication failures",
)

VOICE_AUDIO_CAPTURE_ANOMALIES_TOTAL = MetricFamily(
    "voice_audio_capture_anomalies_total",
    C,
    "",
    ("kind",),
    "Audio capture anomalies detected (clipping, silence, dropout).",
    Origin.VOICE_EXPORTER,
    seed="004: audio capture anomalies",
)

VOICE_RECOGNITION_TOTAL = MetricFamily(
    "voice_recognition_total",
    C,
    "",
    ("outcome",),
    "Voice recognitions by outcome: correct, rejected, or false_positive "
    "(accepted although nobody said the phrase).",
    Origin.VOICE_EXPORTER,
    seed="004: voice recognition false positives",
)

CAPACITY_UTILIZATION_RATIO = MetricFamily(
    "capacity_utilization_ratio",
    G,
    "ratio",
    ("resource_type",),
    "Share of capacity in use per resource type.",
    Origin.ANALYTICS_EXPORTER,
    seed="004",
)

CAPACITY_FORECAST = MetricFamily(
    "capacity_forecast",
    G,
    "",
    ("resource_type", "horizon", "bound"),
    "Forecast of a resource at a horizon, with prediction interval bounds.",
    Origin.ANALYTICS_EXPORTER,
)

PERFORMANCE_BOTTLENECKS = MetricFamily(
    "performance_bottlenecks",
    G,
    "",
    ("component",),
    "Bottleneck severity per component (0 none, higher is worse).",
    Origin.ANALYTICS_EXPORTER,
    seed="004",
)

FAILURE_PREDICTION_SCORE = MetricFamily(
    "failure_prediction_score",
    G,
    "",
    AGENT,
    "Predicted risk 0-100 that the agent fails soon.",
    Origin.ANALYTICS_EXPORTER,
    seed="004",
)

ANOMALY_SCORE = MetricFamily(
    "anomaly_score",
    G,
    "",
    ("series",),
    "Anomaly score of a monitored series.",
    Origin.ANALYTICS_EXPORTER,
    seed="004: anomaly detection",
)

SYSTEM_ACTIVE_AGENTS = MetricFamily(
    "system_active_agents",
    G,
    "",
    ("agent_type",),
    "Agents of a type that are alive (not failed).",
    Origin.AGENT_EXPORTER,
    seed="004: active agents by type",
)

MESSAGE_FLOW_MATRIX_TOTAL = MetricFamily(
    "message_flow_matrix_total",
    C,
    "",
    ("source_agent", "target_agent", "message_type"),
    "Messages sent from one agent type to another.",
    Origin.TRANSPORT_EXPORTER,
    seed="004: message flow visualization (message_flow_matrix)",
)

VOICE_PROCESSING_TIME_SECONDS = MetricFamily(
    "voice_processing_time_seconds",
    H,
    "seconds",
    ("stage",),
    "Time spent in each voice pipeline stage.",
    Origin.VOICE_EXPORTER,
    buckets=LATENCY_BUCKETS,
)

SCALING_RECOMMENDATION = MetricFamily(
    "scaling_recommendation",
    G,
    "",
    ("resource", "action", "priority"),
    "Recommended target size of a resource.",
    Origin.ANALYTICS_EXPORTER,
    seed="004: scaling recommendations",
)

ANALYTICS_RUN_TIMESTAMP_SECONDS = MetricFamily(
    "analytics_run_timestamp_seconds",
    G,
    "seconds",
    ("part",),
    "When a part of the analytics engine (failure, anomaly, capacity) last ran successfully.",
    Origin.ANALYTICS_EXPORTER,
)

ANALYTICS_RUN_FAILURES_TOTAL = MetricFamily(
    "analytics_run_failures_total",
    C,
    "",
    ("part",),
    "Runs of an analytics part that failed (Prometheus unreachable, not enough data, ...).",
    Origin.ANALYTICS_EXPORTER,
)

ANALYTICS_RUN_DURATION_SECONDS = MetricFamily(
    "analytics_run_duration_seconds",
    G,
    "seconds",
    ("part",),
    "How long the last run of an analytics part took.",
    Origin.ANALYTICS_EXPORTER,
)

TRACE_SAMPLING_RATIO = MetricFamily(
    "trace_sampling_ratio",
    G,
    "ratio",
    (),
    "Head-sampling probability for new traces now; adapts between the spec's bounds "
    "(0.001 to 1 by default) to keep sampled spans near the budget.",
    Origin.TRACE_SAMPLER,
    seed="004: adaptive sampling (0.1% to 100% based on load)",
)

TRACE_SPANS_TOTAL = MetricFamily(
    "trace_spans_total",
    C,
    "",
    ("decision",),
    "Spans the trace sampler decided on: sampled (head sampling or a sampled parent), dropped, "
    "kept_error and kept_slow (dropped by head sampling, recorded afterwards because they "
    "failed or were slow).",
    Origin.TRACE_SAMPLER,
)


AGENT_FAMILIES = (
    AGENT_STATUS,
    AGENT_MESSAGES_PROCESSED_TOTAL,
    AGENT_PROCESSING_TIME_SECONDS,
    AGENT_QUEUE_DEPTH,
    AGENT_RESOURCE_USAGE,
    AGENT_MEMORY_BYTES,
    AGENT_MEMORY_LIMIT_BYTES,
    AGENT_CPU_SECONDS_TOTAL,
    AGENT_BUSY_SECONDS_TOTAL,
    AGENT_WORKERS,
    AGENT_ERRORS_TOTAL,
    AGENT_LAST_HEARTBEAT_TIMESTAMP_SECONDS,
    AGENT_HEALTH_SCORE,
    AGENT_UNAUTHORIZED_ACCESS_TOTAL,
    AGENT_WORKFLOW_DURATION_SECONDS,
    AGENT_WORKFLOWS_TOTAL,
    SYSTEM_ACTIVE_AGENTS,
)
TRANSPORT_FAMILIES = (
    AGENT_TRANSPORT_MESSAGES_TOTAL,
    AGENT_TRANSPORT_BYTES_TOTAL,
    AGENT_TRANSPORT_LATENCY_SECONDS,
    AGENT_TRANSPORT_LATENCY_SAMPLE_RATIO,
    AGENT_TRANSPORT_THROUGHPUT_MPS,
    AGENT_TRANSPORT_ERRORS_TOTAL,
    MESSAGE_FLOW_MATRIX_TOTAL,
)
VOICE_FAMILIES = (
    VOICE_BIOMETRIC_AUTH_TOTAL,
    VOICE_AUDIO_CAPTURE_ANOMALIES_TOTAL,
    VOICE_RECOGNITION_TOTAL,
    VOICE_PROCESSING_TIME_SECONDS,
)
TRACE_SAMPLER_FAMILIES = (TRACE_SAMPLING_RATIO, TRACE_SPANS_TOTAL)
ANALYTICS_FAMILIES = (
    CAPACITY_UTILIZATION_RATIO,
    CAPACITY_FORECAST,
    PERFORMANCE_BOTTLENECKS,
    FAILURE_PREDICTION_SCORE,
    ANOMALY_SCORE,
    SCALING_RECOMMENDATION,
    ANALYTICS_RUN_TIMESTAMP_SECONDS,
    ANALYTICS_RUN_FAILURES_TOTAL,
    ANALYTICS_RUN_DURATION_SECONDS,
)


def _rule(name: str, unit: str, labels: tuple[str, ...], help_text: str) -> MetricFamily:
    # Produced by agentwatch.generate.rules from instrumented data.
    return MetricFamily(name, G, unit, labels, help_text, Origin.RECORDING_RULE, seed="000")


# Seed 000's development and business metrics: recording rules over Claude Code's telemetry,
# the agents' workflows and the framework scanner (docs/business-metrics.md has each formula).
CONTEXT_LOADING_TIME = _rule(
    "claude_context_loading_time",
    "seconds",
    (),
    "Time the last framework scan took to read and analyse the project context.",
)
PROMPT_EXECUTION_COUNT = _rule(
    "claude_prompt_execution_count",
    "",
    (),
    "Model calls (GenAI client operations) over spec.business.window.",
)
SESSION_SUCCESS_RATE = _rule(
    "claude_session_success_rate",
    "ratio",
    (),
    "Share of requests (agent workflows) that completed successfully.",
)
DEVELOPMENT_VELOCITY = _rule(
    "claude_development_velocity",
    "commits per active hour",
    (),
    "Commits made with Claude Code per hour of active Claude Code time.",
)
CODE_QUALITY_IMPROVEMENT = _rule(
    "claude_code_quality_improvement",
    "points",
    (),
    "Change of the framework quality score over spec.business.quality_trend_window.",
)
TIME_TO_DEPLOYMENT = _rule(
    "claude_time_to_deployment",
    "seconds",
    (),
    "Median end-to-end time of the deployment workflow's requests.",
)
DEVELOPER_SATISFACTION = _rule(
    "claude_developer_satisfaction",
    "",
    (),
    "0-100: share of Claude Code edits accepted, averaged with the survey score if any.",
)
COST_REDUCTION = _rule(
    "claude_cost_reduction",
    "USD",
    (),
    "Engineer cost saved over the window at the baseline velocity, minus Claude Code's cost.",
)
EFFICIENCY_GAINS = _rule(
    "claude_efficiency_gains",
    "ratio",
    (),
    "Development velocity over the baseline velocity, minus 1.",
)
ERROR_PREVENTION = _rule(
    "claude_error_prevention",
    "",
    (),
    "Framework quality findings fixed after a scan caught them, over the window.",
)
KNOWLEDGE_REUSE = _rule(
    "claude_knowledge_reuse",
    "ratio",
    (),
    "Share of Claude Code's input context served from the prompt cache.",
)
_BUSINESS_RULES = [
    CONTEXT_LOADING_TIME,
    PROMPT_EXECUTION_COUNT,
    SESSION_SUCCESS_RATE,
    DEVELOPMENT_VELOCITY,
    CODE_QUALITY_IMPROVEMENT,
    TIME_TO_DEPLOYMENT,
    DEVELOPER_SATISFACTION,
    COST_REDUCTION,
    EFFICIENCY_GAINS,
    ERROR_PREVENTION,
    KNOWLEDGE_REUSE,
]

# The developer survey, served by the framework exporter beside the scanner's families.
DEVELOPER_SURVEY_SCORE = MetricFamily(
    "claude_developer_survey_score",
    G,
    "",
    (),
    "Mean developer survey score over the last 30 days, 1-5 mapped to 0-100.",
    Origin.FRAMEWORK_EXPORTER,
)
DEVELOPER_SURVEY_RESPONSES = MetricFamily(
    "claude_developer_survey_responses",
    G,
    "",
    (),
    "Survey responses in the last 30 days.",
    Origin.FRAMEWORK_EXPORTER,
)
SURVEY_FAMILIES = (
    DEVELOPER_SURVEY_SCORE,
    DEVELOPER_SURVEY_RESPONSES,
)

_LEGACY_RULES = [
    _rule(
        "claude_agent_response_time",
        "milliseconds",
        ("agent_type",),
        "p95 agent processing time in milliseconds, from agent_processing_time_seconds.",
    ),
    _rule(
        "claude_workflow_completion_time",
        "seconds",
        ("workflow",),
        "p95 end-to-end workflow time, from agent_workflow_duration_seconds.",
    ),
    _rule(
        "claude_memory_usage", "bytes", (), "Memory used by all agents, from agent_memory_bytes."
    ),
    _rule(
        "claude_agent_utilization_rate",
        "ratio",
        ("agent_type",),
        "Busy share of agent workers, from agent_busy_seconds_total and agent_workers.",
    ),
    _rule(
        "claude_error_rate",
        "ratio",
        ("agent_type",),
        "Share of messages that failed, from agent_errors_total.",
    ),
]

CATALOG: tuple[MetricFamily, ...] = (
    *AGENT_FAMILIES,
    *TRANSPORT_FAMILIES,
    *VOICE_FAMILIES,
    *TRACE_SAMPLER_FAMILIES,
    *ANALYTICS_FAMILIES,
    *SCANNER_FAMILIES,
    *SURVEY_FAMILIES,
    *_BUSINESS_RULES,
    *OTLP_FAMILIES,
    *SECURITY_FAMILIES,
    *CARDINALITY_FAMILIES,
    *HOME_FAMILIES,
    *_LEGACY_RULES,
)
