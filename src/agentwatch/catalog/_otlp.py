"""Families the OTLP/HTTP receiver produces from the telemetry agents push to it (Claude
Code's ``claude_code.*`` metrics, the OpenTelemetry GenAI client metrics), and the receiver's
own health.

Each served family has one :class:`OtlpSource`: the OpenTelemetry metric it is built from,
the units accepted for it, and for every label the attribute keys it is read from (first
found wins; point attributes before resource attributes). The mapping is documented, with
the naming rule, in docs/otlp.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ._model import MetricFamily, MetricType, Origin

__all__ = [
    "CLAUDE_CODE_ACTIVE_TIME_SECONDS_TOTAL",
    "CLAUDE_CODE_CODE_EDIT_TOOL_DECISION_TOTAL",
    "CLAUDE_CODE_COMMIT_COUNT_TOTAL",
    "CLAUDE_CODE_COST_USAGE_USD_TOTAL",
    "CLAUDE_CODE_LINES_OF_CODE_COUNT_TOTAL",
    "CLAUDE_CODE_PULL_REQUEST_COUNT_TOTAL",
    "CLAUDE_CODE_SESSION_COUNT_TOTAL",
    "CLAUDE_CODE_TOKEN_USAGE_TOKENS_TOTAL",
    "GEN_AI_CLIENT_OPERATION_DURATION_SECONDS",
    "GEN_AI_CLIENT_TOKEN_USAGE",
    "GEN_AI_OPERATION_DURATION_BUCKETS",
    "GEN_AI_TOKEN_USAGE_BUCKETS",
    "OTLP_FAMILIES",
    "OTLP_RECEIVER_DATA_POINTS_TOTAL",
    "OTLP_RECEIVER_REQUESTS_TOTAL",
    "OTLP_RECEIVER_SERIES",
    "OTLP_SOURCES",
    "OtlpKind",
    "OtlpSource",
]

C, G, H = MetricType.COUNTER, MetricType.GAUGE, MetricType.HISTOGRAM
R = Origin.OTLP_RECEIVER

# The GenAI semantic conventions' advised ExplicitBucketBoundaries. The receiver serves the
# bounds a client really sends (it cannot re-bucket); these are what the OpenTelemetry SDKs
# use when an instrumentation follows the conventions.
GEN_AI_TOKEN_USAGE_BUCKETS: tuple[float, ...] = (
    1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
)  # fmt: skip
GEN_AI_OPERATION_DURATION_BUCKETS: tuple[float, ...] = (
    0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
)  # fmt: skip

# Every served family's first label: the pushing process's resource ``service.name``
# (Claude Code sends "claude-code").
_SERVICE = "service_name"
# Claude Code's standard attributes that are safe as labels (identity attributes such as
# session.id, organization.id are never labels; see spec.otlp_receiver.drop_attributes).
_CLAUDE = (_SERVICE, "terminal_type")
# Who: the keyed hash of the developer's account (docs/privacy.md), never the account itself.
# Only on the two families adoption is counted from (developers with active time, sessions),
# so the series per person stay two families' worth.
_USER = "user"

CLAUDE_CODE_SESSION_COUNT_TOTAL = MetricFamily(
    "claude_code_session_count_total",
    C,
    "",
    (*_CLAUDE, "start_type", _USER),
    "Claude Code sessions started (OTLP claude_code.session.count); user is a pseudonym "
    "(a keyed hash of the account), so sessions per developer can be counted, not named.",
    R,
)
CLAUDE_CODE_LINES_OF_CODE_COUNT_TOTAL = MetricFamily(
    "claude_code_lines_of_code_count_total",
    C,
    "",
    (*_CLAUDE, "type", "model"),
    "Lines of code Claude Code added or removed, by type (OTLP claude_code.lines_of_code.count).",
    R,
)
CLAUDE_CODE_PULL_REQUEST_COUNT_TOTAL = MetricFamily(
    "claude_code_pull_request_count_total",
    C,
    "",
    _CLAUDE,
    "Pull requests Claude Code created (OTLP claude_code.pull_request.count).",
    R,
)
CLAUDE_CODE_COMMIT_COUNT_TOTAL = MetricFamily(
    "claude_code_commit_count_total",
    C,
    "",
    _CLAUDE,
    "Git commits Claude Code created (OTLP claude_code.commit.count).",
    R,
)
CLAUDE_CODE_COST_USAGE_USD_TOTAL = MetricFamily(
    "claude_code_cost_usage_usd_total",
    C,
    "usd",
    (*_CLAUDE, "model", "query_source"),
    "Estimated cost of Claude Code's API requests in US dollars, a client-side estimate, "
    "not a bill (OTLP claude_code.cost.usage).",
    R,
)
CLAUDE_CODE_TOKEN_USAGE_TOKENS_TOTAL = MetricFamily(
    "claude_code_token_usage_tokens_total",
    C,
    "tokens",
    (*_CLAUDE, "type", "model", "query_source"),
    "Tokens Claude Code used, by type: input, output, cacheRead, cacheCreation "
    "(OTLP claude_code.token.usage).",
    R,
)
CLAUDE_CODE_CODE_EDIT_TOOL_DECISION_TOTAL = MetricFamily(
    "claude_code_code_edit_tool_decision_total",
    C,
    "",
    (*_CLAUDE, "tool_name", "decision", "source", "language"),
    "Permission decisions on Claude Code's Edit, Write and NotebookEdit tools "
    "(OTLP claude_code.code_edit_tool.decision).",
    R,
)
CLAUDE_CODE_ACTIVE_TIME_SECONDS_TOTAL = MetricFamily(
    "claude_code_active_time_seconds_total",
    C,
    "seconds",
    (*_CLAUDE, "type", _USER),
    "Time actively spent in Claude Code, type user (keyboard) or cli (tools, responses) "
    "(OTLP claude_code.active_time.total); user is a pseudonym (a keyed hash of the account).",
    R,
)
GEN_AI_CLIENT_TOKEN_USAGE = MetricFamily(
    "gen_ai_client_token_usage",
    H,
    "tokens",
    (
        _SERVICE,
        "gen_ai_operation_name",
        "gen_ai_provider_name",
        "gen_ai_token_type",
        "gen_ai_request_model",
        "gen_ai_response_model",
    ),
    "Tokens per GenAI operation, by token type (OTLP gen_ai.client.token.usage); "
    "buckets are the client's.",
    R,
    buckets=GEN_AI_TOKEN_USAGE_BUCKETS,
)
GEN_AI_CLIENT_OPERATION_DURATION_SECONDS = MetricFamily(
    "gen_ai_client_operation_duration_seconds",
    H,
    "seconds",
    (
        _SERVICE,
        "gen_ai_operation_name",
        "gen_ai_provider_name",
        "gen_ai_request_model",
        "gen_ai_response_model",
        "error_type",
    ),
    "Duration of GenAI client operations (OTLP gen_ai.client.operation.duration); "
    "buckets are the client's.",
    R,
    buckets=GEN_AI_OPERATION_DURATION_BUCKETS,
)

OTLP_RECEIVER_REQUESTS_TOTAL = MetricFamily(
    "otlp_receiver_requests_total",
    C,
    "",
    ("outcome",),
    "Requests to the OTLP/HTTP receiver by outcome: success, partial_success, bad_request, "
    "too_large, unsupported_media_type, length_required, method_not_allowed, not_found, "
    "internal_error.",
    R,
)
OTLP_RECEIVER_DATA_POINTS_TOTAL = MetricFamily(
    "otlp_receiver_data_points_total",
    C,
    "",
    ("outcome",),
    "OTLP data points received, by outcome: accepted, or the reason they were refused "
    "(unknown_metric, unsupported_type, unsupported_temporality, unit_mismatch, no_value, "
    "invalid_value, bucket_mismatch, out_of_order, label_too_long, series_limit, stream_limit).",
    R,
)
OTLP_RECEIVER_SERIES = MetricFamily(
    "otlp_receiver_series",
    G,
    "",
    (),
    "Series the OTLP receiver serves now (capped by otlp_receiver.max_series).",
    R,
)


class OtlpKind(StrEnum):
    """The OTLP data a source accepts: a monotonic Sum or an explicit-bucket Histogram."""

    SUM = "sum"
    HISTOGRAM = "histogram"


@dataclass(frozen=True, slots=True)
class OtlpSource:
    """One OpenTelemetry metric and the catalog family it becomes.

    ``attributes[i]`` are the attribute keys label ``family.labels[i]`` is read from, in order
    of preference (a later key is an older spelling of the same attribute).
    ``units`` are the OTLP units accepted ("" means the sender gave none).
    """

    otel_name: str
    units: tuple[str, ...]
    kind: OtlpKind
    family: MetricFamily
    attributes: tuple[tuple[str, ...], ...]

    def __post_init__(self) -> None:
        if len(self.attributes) != len(self.family.labels):
            raise ValueError(f"{self.otel_name}: one attribute list per label of {self.family}")
        expected = MetricType.COUNTER if self.kind is OtlpKind.SUM else MetricType.HISTOGRAM
        if self.family.type is not expected:
            raise ValueError(f"{self.otel_name}: a {self.kind} cannot feed a {self.family.type}")


_COUNT_UNITS = ("count", "1", "{count}", "")
_CLAUDE_ATTRS: tuple[tuple[str, ...], ...] = (("service.name",), ("terminal.type",))
# The account first (one per person), then the installation, then the OAuth e-mail. The
# receiver hashes every attribute that feeds a hashed label as it arrives.
_USER_ATTRS = ("user.account_uuid", "user.id", "user.email")

OTLP_SOURCES: tuple[OtlpSource, ...] = (
    OtlpSource(
        "claude_code.session.count",
        _COUNT_UNITS,
        OtlpKind.SUM,
        CLAUDE_CODE_SESSION_COUNT_TOTAL,
        (*_CLAUDE_ATTRS, ("start_type",), _USER_ATTRS),
    ),
    OtlpSource(
        "claude_code.lines_of_code.count",
        _COUNT_UNITS,
        OtlpKind.SUM,
        CLAUDE_CODE_LINES_OF_CODE_COUNT_TOTAL,
        (*_CLAUDE_ATTRS, ("type",), ("model",)),
    ),
    OtlpSource(
        "claude_code.pull_request.count",
        _COUNT_UNITS,
        OtlpKind.SUM,
        CLAUDE_CODE_PULL_REQUEST_COUNT_TOTAL,
        _CLAUDE_ATTRS,
    ),
    OtlpSource(
        "claude_code.commit.count",
        _COUNT_UNITS,
        OtlpKind.SUM,
        CLAUDE_CODE_COMMIT_COUNT_TOTAL,
        _CLAUDE_ATTRS,
    ),
    OtlpSource(
        "claude_code.cost.usage",
        ("USD", "usd", ""),
        OtlpKind.SUM,
        CLAUDE_CODE_COST_USAGE_USD_TOTAL,
        (*_CLAUDE_ATTRS, ("model",), ("query_source",)),
    ),
    OtlpSource(
        "claude_code.token.usage",
        ("tokens", "{token}", "{tokens}", ""),
        OtlpKind.SUM,
        CLAUDE_CODE_TOKEN_USAGE_TOKENS_TOTAL,
        (*_CLAUDE_ATTRS, ("type",), ("model",), ("query_source",)),
    ),
    OtlpSource(
        "claude_code.code_edit_tool.decision",
        _COUNT_UNITS,
        OtlpKind.SUM,
        CLAUDE_CODE_CODE_EDIT_TOOL_DECISION_TOTAL,
        # Claude Code's docs called the attribute `tool` before they called it `tool_name`.
        (*_CLAUDE_ATTRS, ("tool_name", "tool"), ("decision",), ("source",), ("language",)),
    ),
    OtlpSource(
        "claude_code.active_time.total",
        ("s", ""),
        OtlpKind.SUM,
        CLAUDE_CODE_ACTIVE_TIME_SECONDS_TOTAL,
        (*_CLAUDE_ATTRS, ("type",), _USER_ATTRS),
    ),
    OtlpSource(
        "gen_ai.client.token.usage",
        ("{token}", "tokens", ""),
        OtlpKind.HISTOGRAM,
        GEN_AI_CLIENT_TOKEN_USAGE,
        (
            ("service.name",),
            ("gen_ai.operation.name",),
            # gen_ai.system is the provider attribute's name before semantic conventions 1.37.
            ("gen_ai.provider.name", "gen_ai.system"),
            ("gen_ai.token.type",),
            ("gen_ai.request.model",),
            ("gen_ai.response.model",),
        ),
    ),
    OtlpSource(
        "gen_ai.client.operation.duration",
        ("s", ""),
        OtlpKind.HISTOGRAM,
        GEN_AI_CLIENT_OPERATION_DURATION_SECONDS,
        (
            ("service.name",),
            ("gen_ai.operation.name",),
            ("gen_ai.provider.name", "gen_ai.system"),
            ("gen_ai.request.model",),
            ("gen_ai.response.model",),
            ("error.type",),
        ),
    ),
)

OTLP_FAMILIES: tuple[MetricFamily, ...] = (
    *(source.family for source in OTLP_SOURCES),
    OTLP_RECEIVER_REQUESTS_TOTAL,
    OTLP_RECEIVER_DATA_POINTS_TOTAL,
    OTLP_RECEIVER_SERIES,
)
