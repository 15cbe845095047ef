"""The agentwatch.yaml model. Every default is a value from the seed documents."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from ._cardinality import CardinalityLimits
from ._framework import FrameworkSettings
from ._otlp import OtlpReceiverSettings
from ._security import Privacy, Security, is_loopback

__all__ = [
    "DEFAULT_AGENT_TYPES",
    "DEFAULT_ALERT_FOR",
    "RATE_SAMPLES",
    "RATE_WINDOW",
    "SHORT_RATE_WINDOW",
    "WINDOW_PLACEHOLDER",
    "Alerting",
    "Analytics",
    "Duration",
    "HighAvailability",
    "Ports",
    "RemoteWrite",
    "RemoteWriteBasicAuth",
    "ScrapeJob",
    "Scraping",
    "ShortWindowScrapeJob",
    "Simulation",
    "Slo",
    "SloAlerting",
    "SloSli",
    "Spec",
    "Storage",
    "Thresholds",
    "Tracing",
    "default_slos",
    "duration_seconds",
    "longest_scrape_interval",
]

_DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
# ASCII digits, matched whole: \d would take other scripts' digits and "$" a final newline,
# both of which Prometheus refuses in the generated config.
_DURATION = re.compile(r"([0-9]+)(ms|s|m|h|d|w)")


def duration_seconds(text: str) -> float:
    """Seconds in a single-unit Prometheus duration such as ``800ms``, ``15s`` or ``7d``."""
    match = _DURATION.fullmatch(text)
    if match is None:
        raise ValueError(f"expected a duration like 800ms, 15s, 5m, 2h, 7d or 1w, got {text!r}")
    return int(match.group(1)) * _DURATION_UNITS[match.group(2)]


def _check_duration(text: str) -> str:
    if duration_seconds(text) <= 0:
        raise ValueError(f"duration must be positive, got {text!r}")
    return text


def _check_hold(text: str) -> str:
    duration_seconds(text)
    return text


Duration = Annotated[str, AfterValidator(_check_duration)]
# A `for` duration: how long a condition must hold; 0s fires at the first evaluation.
HoldDuration = Annotated[str, AfterValidator(_check_hold)]
Port = Annotated[int, Field(ge=1, le=65535)]
AgentTypeName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=63)]

# The 28 agent types of the simulated agent communication system (seed 004 names the count,
# a security agent and voice agents).
DEFAULT_AGENT_TYPES: tuple[str, ...] = (
    "director", "project_orchestrator", "architect", "constructor", "patcher", "debugger",
    "testbed", "linter", "optimizer", "security", "bastion", "oversight", "monitor",
    "deployer", "packager", "api_designer", "database", "web", "mobile", "tui",
    "data_science", "mlops", "c_internal", "python_internal", "researcher", "docgen",
    "infrastructure", "voice",
)  # fmt: skip


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Ports(_Strict):
    prometheus: Port = 9090
    alertmanager: Port = 9093
    agent_exporter: Port = 8000
    transport_exporter: Port = 8001
    framework_exporter: Port = 8002
    analytics_exporter: Port = 8003
    voice_exporter: Port = 8010
    otlp_http: Port = 4318
    console: Port = 8080
    # `agentwatch up --ha` (docs/ha.md): the second Alertmanager, each one's gossip port (9094
    # is Alertmanager's own default; 9095 is left for a web hook receiver of your own) and,
    # with ha.prometheus_replicas, the second Prometheus.
    alertmanager_2: Port = 9096
    alertmanager_gossip: Port = 9094
    alertmanager_2_gossip: Port = 9097
    prometheus_2: Port = 9098

    @model_validator(mode="after")
    def _distinct(self) -> Ports:
        seen: dict[int, str] = {}
        for name, port in self.model_dump().items():
            if port in seen:
                raise ValueError(f"port {port} is given to both {seen[port]} and {name}")
            seen[port] = name
        return self


# The rates the generated rules and the analytics take are over fixed windows, which the
# recorded series' names carry (job:agent_transport_messages:rate1m, agent_type:...:rate5m in
# catalog/recorded.py), and a rate wants RATE_SAMPLES scrapes in its window: with fewer it
# jumps, and with one it is empty. So a job may be scraped at most every window / RATE_SAMPLES
# of the shortest window over its series, and a spec asking for longer intervals is refused.
RATE_SAMPLES: Final = 4
# The transport's rates (the transport recording rules, EmergencyMessageFlood) and the agents'
# (the anomaly series' CPU, the failure predictor's rates on its 15 s grid).
SHORT_RATE_WINDOW: Final = "1m"
# Every other rate: agents, voice, the framework, Prometheus', Alertmanager's, the console's.
RATE_WINDOW: Final = "5m"


def longest_scrape_interval(window: str) -> float:
    """Seconds between scrapes that still give a rate over ``window`` its RATE_SAMPLES."""
    return duration_seconds(window) / RATE_SAMPLES


def _serves(window: str) -> AfterValidator:
    """Refuses a scrape interval too long for rates over ``window``."""
    longest = longest_scrape_interval(window)

    def check(interval: str) -> str:
        if duration_seconds(interval) > longest:
            raise ValueError(
                f"longer than {longest:g}s: the generated rules and the analytics take rates "
                f"over {window} of these series, and a rate needs {RATE_SAMPLES} scrapes in its "
                "window"
            )
        return interval

    return AfterValidator(check)


class ScrapeJob(_Strict):
    """A scrape job whose series the rules take rates of over RATE_WINDOW."""

    interval: Annotated[Duration, _serves(RATE_WINDOW)] = "15s"
    timeout: Duration | None = None

    @model_validator(mode="after")
    def _timeout_within_interval(self) -> ScrapeJob:
        if self.timeout is not None and duration_seconds(self.timeout) > duration_seconds(
            self.interval
        ):
            raise ValueError(
                f"timeout {self.timeout} is longer than the scrape interval {self.interval}"
            )
        return self


class ShortWindowScrapeJob(ScrapeJob):
    """A scrape job whose series are also read over SHORT_RATE_WINDOW."""

    interval: Annotated[Duration, _serves(SHORT_RATE_WINDOW)] = "15s"


class Scraping(_Strict):
    # Prometheus', Alertmanager's and the console's own series (and any job without its own).
    interval: Annotated[Duration, _serves(RATE_WINDOW)] = "15s"
    evaluation_interval: Duration = "15s"
    agents: ShortWindowScrapeJob = ShortWindowScrapeJob()
    # Seed 004: high-frequency scraping for the transport layer.
    transport: ShortWindowScrapeJob = ShortWindowScrapeJob(interval="1s", timeout="800ms")
    voice: ScrapeJob = ScrapeJob()
    # Seed 000: the framework job scrapes every 10s.
    framework: ScrapeJob = ScrapeJob(interval="10s")
    analytics: ScrapeJob = ScrapeJob()
    # Prometheus servers the exporter targets are split across by hashmod of their address
    # (docs/scale-out.md); 1 is a single server.
    shards: int = Field(1, ge=1, le=64)


class Thresholds(_Strict):
    """Alert thresholds, in the units of the metric each one is compared with."""

    framework_quality_score_min: float = Field(90, ge=0, le=100)
    agent_response_time_max_ms: float = Field(2000, gt=0)
    transport_throughput_min_mps: float = Field(4_000_000, ge=0)
    failure_prediction_max: float = Field(80, ge=0, le=100)
    availability_min: float = Field(0.999, gt=0, lt=1)
    memory_usage_max_ratio: float = Field(0.95, gt=0, le=1)
    latency_p99_max_seconds: float = Field(0.1, gt=0)
    agent_health_min: float = Field(50, ge=0, le=100)
    queue_depth_max: float = Field(1000, ge=0)
    # Not given by the seeds; chosen against the simulated system's baselines (docs/runbooks.md).
    anomaly_score_max: float = Field(0.5, ge=0, le=1)
    emergency_message_rate_max: float = Field(50, ge=0)
    voice_auth_failure_ratio_max: float = Field(0.10, gt=0, lt=1)
    audio_capture_anomaly_rate_max: float = Field(0.1, ge=0)
    voice_false_positive_ratio_max: float = Field(0.05, gt=0, lt=1)
    # Failed console logins in 5 minutes (RepeatedFailedLogins): a few typos stay below it.
    failed_logins_max: float = Field(10, ge=0)
    # Share of the home's filesystem still free (HomeFilesystemAlmostFull, and the supervisor's
    # warning): Prometheus needs room to compact blocks, and every agentwatch writer to append.
    home_filesystem_avail_min_ratio: float = Field(0.1, gt=0, lt=1)
    # Share of Alertmanager's requests to a receiver that failed (AlertmanagerNotificationsFailing):
    # retries after a failure count too, so a receiver that is down drives it towards 1.
    notification_failure_ratio_max: float = Field(0.1, gt=0, lt=1)


def _check_otlp_endpoint(text: str) -> str:
    if not re.fullmatch(r"https?://[^/\s]+(/\S*)?", text):
        raise ValueError(
            f"expected an http:// or https:// URL such as http://127.0.0.1:4318, got {text!r}"
        )
    return text


class Simulation(_Strict):
    """The built-in simulated agent system. Everything it reports, it really did."""

    agents_per_type: int = Field(2, ge=1, le=100)
    workers_per_agent: int = Field(4, ge=1, le=64)
    # Requests entering the system per second at the daily mean; each request visits
    # several agents, so messages per second are a multiple of this.
    request_rate: float = Field(200.0, gt=0)
    daily_amplitude: float = Field(0.5, ge=0, lt=1)
    # Simulated seconds per wall-clock second in live mode.
    time_compression: float = Field(1.0, gt=0, le=3600)
    tick: Duration = "100ms"
    seed: int = 42
    memory_limit_bytes: int = Field(512 * 1024 * 1024, gt=0)
    # Weekend load is this share below the weekday load (0 = no weekly pattern).
    weekly_dip: float = Field(0.2, ge=0, lt=1)
    # Loopback HTTP endpoint through which `agentwatch fault` reaches a running simulation.
    control_port: Port = 8009
    # Simulated developers whose (simulated) Claude Code telemetry the live simulation sends to
    # the OTLP receiver, for the business dashboards' demo; 0 sends none.
    developers: int = Field(8, ge=0, le=1000)
    # Their OTLP/HTTP metrics URL; unset: this spec's own receiver (ports.otlp_http).
    developers_endpoint: Annotated[str, AfterValidator(_check_otlp_endpoint)] | None = None


def _check_size(text: str) -> str:
    if not _SIZE.fullmatch(text):
        raise ValueError(f"expected a size like 512MB, 10GB or 1TB, got {text!r}")
    return text


_SIZE = re.compile(r"^[1-9][0-9]*(B|KB|MB|GB|TB|PB)$")


def _check_remote_url(text: str) -> str:
    if not re.fullmatch(r"https?://[^/\s]+(/\S*)?", text):
        raise ValueError(f"expected an http:// or https:// URL, got {text!r}")
    return text


# A file Prometheus reads a credential from: absolute, or relative to prometheus.yml's directory
# (Prometheus resolves it so). The credential itself never appears in the spec.
CredentialsFile = Annotated[str, Field(pattern=r"^\S+$", max_length=4096)]


class RemoteWriteBasicAuth(_Strict):
    username: Annotated[str, Field(min_length=1)]
    password_file: CredentialsFile


class RemoteWrite(_Strict):
    """One Prometheus ``remote_write`` destination: VictoriaMetrics, Thanos Receive, Mimir..."""

    # Prometheus' queue name for this destination (its remote-storage metrics carry it).
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]+$", max_length=63)]
    url: Annotated[str, AfterValidator(_check_remote_url)]
    basic_auth: RemoteWriteBasicAuth | None = None
    # A bearer token's file (Thanos Receive or Mimir behind a token-checking proxy).
    bearer_token_file: CredentialsFile | None = None
    # Mimir's and Thanos Receive's tenant header (X-Scope-OrgID / THANOS-TENANT), when multi-tenant.
    headers: dict[Annotated[str, Field(pattern=r"^[A-Za-z0-9-]+$")], str] = {}

    @model_validator(mode="after")
    def _one_auth(self) -> RemoteWrite:
        if self.basic_auth is not None and self.bearer_token_file is not None:
            raise ValueError("give basic_auth or bearer_token_file, not both")
        reserved = {"authorization", "content-type", "content-encoding", "user-agent"}
        for header in self.headers:
            if header.lower() in reserved or header.lower().startswith("x-prometheus-remote-"):
                raise ValueError(f"header {header!r} is set by Prometheus itself")
        return self


class Storage(_Strict):
    # Prometheus' TSDB keeps this much time ...
    retention: Duration = "15d"
    # ... and, when set, at most this many bytes (--storage.tsdb.retention.size), oldest first.
    retention_size: Annotated[str, AfterValidator(_check_size)] | None = None
    # Where Prometheus also sends every sample it scrapes (docs/scale-out.md).
    remote_write: list[RemoteWrite] = []

    @field_validator("remote_write")
    @classmethod
    def _distinct_names(cls, targets: list[RemoteWrite]) -> list[RemoteWrite]:
        names = [target.name for target in targets]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"remote_write name {name!r} is given twice")
        return targets


class BusinessTargets(_Strict):
    """What the business-impact alerts hold the business metrics to. Each alert is off until
    its target is set: a target is the business's decision, not a default."""

    # claude_development_velocity: commits per active hour, at least.
    development_velocity_min: float | None = Field(None, gt=0)
    # claude_session_success_rate: the share of requests that succeed, at least.
    session_success_rate_min: float | None = Field(None, gt=0, lt=1)
    # Claude Code's estimated cost per commit over business.window, in US dollars, at most.
    cost_per_commit_max_usd: float | None = Field(None, gt=0)


class Business(_Strict):
    """Assumptions behind seed 000's business metrics (docs/business-metrics.md). A metric whose
    assumption is unset is not recorded at all: absent, not invented."""

    # What an hour of an engineer's time costs, in US dollars.
    engineer_hourly_cost_usd: float | None = Field(None, gt=0)
    # Commits per active hour the team made before it used the framework.
    baseline_commits_per_hour: float | None = Field(None, gt=0)
    # The window every business metric is computed over.
    window: Duration = "1h"
    # How far back claude_code_quality_improvement compares the quality score.
    quality_trend_window: Duration = "7d"
    # The workflow (agent_workflow_duration_seconds' workflow label) that ends in a deployment.
    deployment_workflow: Annotated[str, Field(min_length=1)] = "deployment"
    # Targets of the business-impact alerts (each off until set).
    targets: BusinessTargets = BusinessTargets()


class Analytics(_Strict):
    """How often the analytics service (``agentwatch up`` runs it) refreshes its results."""

    # Failure prediction and anomaly scores: a few scrapes' worth of new data each time.
    interval: Duration = "30s"
    # Capacity forecasts fit models over days of history; their inputs change slowly.
    capacity_interval: Duration = "15m"
    # History the anomaly detector reads to judge the latest point of each series.
    anomaly_lookback: Duration = "6h"


def _check_webhook_url(text: str) -> str:
    if not re.fullmatch(r"https?://[^/\s]+(/\S*)?", text):
        raise ValueError(f"expected an http:// or https:// URL, got {text!r}")
    return text


def _check_location(text: str) -> str:
    # Alertmanager resolves the name with Go's IANA time-zone database; Python's is the same one.
    try:
        zoneinfo.ZoneInfo(text)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise ValueError(
            f"expected an IANA time zone such as UTC or Europe/Berlin, got {text!r}"
        ) from None
    return text


WebhookUrl = Annotated[str, AfterValidator(_check_webhook_url)]
# A file name inside the secrets directory: a name, never a value and never a path, so the
# same spec works for the production tree and for a local home.
SecretFileName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$", max_length=255)]
ClockTime = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$")]


# How long each alert's condition must hold before it fires. Seed 000 gives the first two;
# the others are chosen: long enough to ride out one bad scrape or rate window, short enough
# that a page arrives well inside the 43-minute monthly error budget.
DEFAULT_ALERT_FOR: Final[Mapping[str, str]] = MappingProxyType(
    {
        "FrameworkQualityDrop": "5m",
        "AgentPerformanceDegradation": "2m",
        "TransportThroughputLow": "2m",
        "AgentFailurePredicted": "2m",
        "SystemAvailabilityLow": "5m",
        "MemoryUsageCritical": "2m",
        "HighLatencyP99": "5m",
        "AgentHealthLow": "5m",
        "QueueBackup": "5m",
        # Any unauthorized access is worth knowing about at once.
        "UnauthorizedAgentAccess": "0s",
        # The detector scores every analytics run (30s); faults it flags often last only a
        # few minutes (docs/analytics/anomaly.md), so a long hold would miss them.
        "AnomalousMessagePattern": "1m",
        "EmergencyMessageFlood": "1m",
        "SecurityAgentDown": "1m",
        "VoiceBiometricAuthFailures": "5m",
        "AudioCaptureAnomaly": "5m",
        "VoiceRecognitionFalsePositives": "10m",
        "TransportDown": "1m",
        "ExporterDown": "2m",
        "MonitoringComponentDown": "2m",
        # The cluster takes a few seconds to settle after a start or a restart.
        "AlertmanagerClusterDegraded": "5m",
        # One lost post is resent within a minute; ten minutes of failures in every 5m window
        # is an outage of alert delivery.
        "AlertsNotReachingAlertmanager": "10m",
        "AlertmanagerNotificationsFailing": "5m",
        # Folding means data already merged that cannot be told apart again: a ticket at once.
        "CardinalityOverflow": "0s",
        # Someone guessing passwords is worth knowing about at once.
        "RepeatedFailedLogins": "0s",
        # A disk fills over hours; a few minutes' hold keeps a passing spike (a compaction's
        # temporary copy) from paging.
        "HomeFilesystemAlmostFull": "5m",
        # Business metrics move over hours (business.window): half an hour off target is a
        # trend worth a ticket, a single low hour is not.
        "DevelopmentVelocityBelowTarget": "30m",
        "SessionSuccessBelowTarget": "30m",
        "CostPerCommitAboveTarget": "30m",
    }
)


class Alerting(_Strict):
    """Where Alertmanager sends alerts. URLs are configuration; secrets (the PagerDuty routing
    key, webhook bearer tokens) are only named here, as files in the secrets directory, so no
    generated file ever holds one."""

    # Seed 004's default receiver is a web hook. Unset: the console's own
    # (/api/alerts/webhook, with the home's alert-webhook-token), which keeps a notification log
    # people see on its Notifications page.
    webhook_url: WebhookUrl | None = None
    # Bearer token sent to webhook_url (and to the team hooks that fall back to it).
    webhook_token_file: SecretFileName | None = None
    # Team web hooks; unset, the team's alerts go to ``webhook_url``.
    security_webhook_url: WebhookUrl | None = None
    security_webhook_token_file: SecretFileName | None = None
    voice_webhook_url: WebhookUrl | None = None
    voice_webhook_token_file: SecretFileName | None = None
    # The executives' hook for the business-impact alerts; unset, they go to webhook_url.
    executive_webhook_url: WebhookUrl | None = None
    executive_webhook_token_file: SecretFileName | None = None
    # Off by default: a routing key is a secret that a fresh checkout does not have. Off,
    # critical alerts and SLO pages go to the web hooks instead.
    pagerduty: bool = False
    pagerduty_routing_key_file: SecretFileName = "pagerduty_routing_key"
    # Unset: Alertmanager's own default (PagerDuty's Events API v2).
    pagerduty_url: WebhookUrl | None = None
    # Slow SLO burns page only in business hours (seed 004): weekdays, start to end, here.
    business_hours_location: Annotated[str, AfterValidator(_check_location)] = "UTC"
    business_hours_start: ClockTime = "09:00"
    business_hours_end: ClockTime = "17:00"
    # Every alert's runbook_url is this plus "#<alertname lower-cased>". Unset: the console's
    # runbook page (/runbooks), readable by every role; or point it at where your team
    # publishes docs/runbooks.md.
    runbook_base_url: WebhookUrl | None = None
    # `for` per alert; the ones given replace DEFAULT_ALERT_FOR's, the others keep it.
    alert_for: dict[str, HoldDuration] = Field(default_factory=lambda: dict(DEFAULT_ALERT_FOR))

    @field_validator("alert_for", mode="after")
    @classmethod
    def _known_alerts(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(DEFAULT_ALERT_FOR))
        if unknown:
            raise ValueError(
                f"unknown alert {', '.join(unknown)}: expected one of "
                f"{', '.join(DEFAULT_ALERT_FOR)}"
            )
        return {**DEFAULT_ALERT_FOR, **value}

    @model_validator(mode="after")
    def _token_with_its_hook(self) -> Alerting:
        if self.webhook_token_file is not None and self.webhook_url is None:
            raise ValueError(
                "webhook_token_file is the token for webhook_url, which is unset (the console's "
                "web hook, with a token of its own): set webhook_url, or drop webhook_token_file"
            )
        return self

    @model_validator(mode="after")
    def _hours_in_order(self) -> Alerting:
        if self.business_hours_start >= self.business_hours_end:
            raise ValueError(
                f"business hours start ({self.business_hours_start}) must be before their end "
                f"({self.business_hours_end})"
            )
        return self


class HighAvailability(_Strict):
    """Redundancy for the local stack that `agentwatch up` runs (docs/ha.md)."""

    # Two Alertmanagers gossiping on loopback, both sent every alert; `agentwatch up --ha` turns
    # this on too.
    enabled: bool = False
    # Two Prometheus servers, alike but for the external label `replica`, which they drop from
    # the alerts they send: the Alertmanager(s) take both replicas' alerts as one.
    prometheus_replicas: bool = False
    # How long each Alertmanager waits per place in the cluster before it notifies, for the
    # ones before it to do so (Alertmanager's --cluster.peer-timeout; its default).
    peer_timeout: Duration = "15s"


class Tracing(_Strict):
    """Spans across agents with OpenTelemetry (the simulated system uses them too)."""

    enabled: bool = True
    # A collector's OTLP endpoint: its base URL for OTLP/HTTP (http://127.0.0.1:4318; spans go
    # to /v1/traces under it) or for gRPC (http://127.0.0.1:4317; https:// turns on TLS).
    # Unset: spans are kept in memory by the simulated system (`agentwatch traces`), and only
    # there.
    otlp_endpoint: Annotated[str, AfterValidator(_check_otlp_endpoint)] | None = None
    otlp_protocol: Literal["http/protobuf", "grpc"] = "http/protobuf"
    # Head sampling keeps about this many spans per second whatever the load, with a
    # probability between the two ratios below (seed 004: adaptive sampling, 0.1% to 100%).
    budget_spans_per_second: float = Field(100, gt=0)
    min_sampling_ratio: float = Field(0.001, gt=0, le=1)
    max_sampling_ratio: float = Field(1.0, gt=0, le=1)
    # An operation head sampling dropped is kept anyway when it fails, or when it takes this
    # long (seed 000's agent response-time limit, 2000 ms).
    slow_span: Duration = "2s"
    # The production collector's probabilistic sampler (seed 004: 1%). agentwatch's own spans
    # carry sampling.priority, so it applies only to spans from other sources.
    collector_sampling_percentage: float = Field(1.0, ge=0, le=100)

    @model_validator(mode="after")
    def _ratios_in_order(self) -> Tracing:
        if self.min_sampling_ratio > self.max_sampling_ratio:
            raise ValueError(
                f"min_sampling_ratio ({self.min_sampling_ratio}) is above max_sampling_ratio "
                f"({self.max_sampling_ratio})"
            )
        return self


# Sloth's template variable: generators put each window's range ("5m", "1h", ...) in its place.
WINDOW_PLACEHOLDER = "{{.window}}"
SloName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=63)]
LabelName = Annotated[str, Field(pattern=r"^[a-zA-Z_][a-zA-Z0-9_]*$")]
BuiltinSli = Literal["availability", "latency", "throughput", "agent_health"]


def _check_window_template(text: str) -> str:
    if WINDOW_PLACEHOLDER not in text:
        raise ValueError(
            f"expected a PromQL template with {WINDOW_PLACEHOLDER} where the range goes, "
            f"e.g. rate(x_total[{WINDOW_PLACEHOLDER}])"
        )
    return text


def _check_period(text: str) -> str:
    # Recorded as slo:time_period:days and as the ratio_rate<period> window, both in days.
    if duration_seconds(text) % 86400:
        raise ValueError(f"expected a whole number of days such as 30d or 28d, got {text!r}")
    return text


PromQLTemplate = Annotated[str, AfterValidator(_check_window_template)]


class SloSli(_Strict):
    """What counts as an error, in exactly one of three forms: an agentwatch built-in SLI
    (queries built from the catalog and the thresholds), Sloth's ``events`` form (bad events and
    all events over ``{{.window}}``), or Sloth's ``raw`` form (an error ratio over
    ``{{.window}}``)."""

    builtin: BuiltinSli | None = None
    error_query: PromQLTemplate | None = None
    total_query: PromQLTemplate | None = None
    error_ratio_query: PromQLTemplate | None = None

    @model_validator(mode="after")
    def _one_form(self) -> SloSli:
        events = self.error_query is not None or self.total_query is not None
        if events and (self.error_query is None or self.total_query is None):
            raise ValueError("error_query and total_query are given together or not at all")
        forms = [self.builtin is not None, events, self.error_ratio_query is not None]
        if sum(forms) != 1:
            raise ValueError(
                "expected exactly one of builtin, error_query with total_query, "
                "or error_ratio_query"
            )
        return self


class SloAlerting(_Strict):
    """The SLO's multiwindow, multi-burn-rate alert: one name, a page rule and a ticket rule."""

    # Unset: SLO<Name>ErrorBudgetBurn, e.g. SLOAgentHealthErrorBudgetBurn.
    name: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")] | None = None
    # Extra labels for the page (fast burn) and ticket (slow burn) rules.
    page_labels: dict[LabelName, str] = Field(default_factory=dict)
    ticket_labels: dict[LabelName, str] = Field(default_factory=dict)
    # How long each must hold before it fires; unset fires at once, as Sloth's core does
    # (Sloth's alert_for plugin sets them from page_alert.for / ticket_alert.for).
    page_for: Duration | None = None
    ticket_for: Duration | None = None
    # False (agentwatch): a firing alert keeps one label set whichever window pair fired.
    # True reproduces Sloth's alerts exactly: they carry the sloth_window of the pair that
    # fired, so a switch of pair is a new alert that waits its `for` afresh. Imported Sloth
    # SLOs set it, so they page and ticket at the very moments Sloth's own rules would.
    sloth_window_label: bool = False


class Slo(_Strict):
    name: SloName
    # The sloth_service label (and the first half of sloth_id); unset: "agentwatch".
    service: SloName | None = None
    # Extra labels on the SLO's recording rules, as Sloth's SLO and file-wide labels.
    labels: dict[LabelName, str] = Field(default_factory=dict)
    # Percent of good events (or of good time) over the period, as Sloth writes it: 99.9.
    objective: float = Field(gt=0, lt=100)
    description: str = ""
    period: Annotated[Duration, AfterValidator(_check_period)] = "30d"
    sli: SloSli
    alerting: SloAlerting = SloAlerting()


def default_slos() -> tuple[Slo, ...]:
    """Seed 004's four SLOs."""
    return (
        Slo(
            name="availability",
            objective=99.9,
            description="Messages sent are processed without an agent or transport error "
            "(99.9% monthly).",
            sli=SloSli(builtin="availability"),
        ),
        Slo(
            name="latency",
            objective=95,
            description="95% of messages are delivered in under 100 ms.",
            sli=SloSli(builtin="latency"),
        ),
        Slo(
            name="throughput",
            objective=99.5,
            description="The transport sends above its throughput target 99.5% of the time.",
            sli=SloSli(builtin="throughput"),
        ),
        Slo(
            name="agent_health",
            objective=90,
            description="More than 80% of agents are healthy 90% of the time.",
            sli=SloSli(builtin="agent_health"),
        ),
    )


class Spec(_Strict):
    version: Literal[1] = 1
    # Attached to every series and alert as the ``cluster`` label (seed 004 groups alerts by it).
    cluster: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$", max_length=63)] = "local"
    listen_address: str = "127.0.0.1"
    agent_types: tuple[AgentTypeName, ...] = DEFAULT_AGENT_TYPES
    ports: Ports = Ports()
    scrape: Scraping = Scraping()
    thresholds: Thresholds = Thresholds()
    simulation: Simulation = Simulation()
    storage: Storage = Storage()
    alerting: Alerting = Alerting()
    ha: HighAvailability = HighAvailability()
    analytics: Analytics = Analytics()
    tracing: Tracing = Tracing()
    framework: FrameworkSettings = FrameworkSettings()
    business: Business = Business()
    otlp_receiver: OtlpReceiverSettings = OtlpReceiverSettings()
    security: Security = Security()
    privacy: Privacy = Privacy()
    cardinality: CardinalityLimits = CardinalityLimits()
    slos: tuple[Slo, ...] = Field(default_factory=default_slos)

    @field_validator("slos")
    @classmethod
    def _distinct_slo_names(cls, slos: tuple[Slo, ...]) -> tuple[Slo, ...]:
        names = [s.name for s in slos]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"SLO names listed more than once: {', '.join(duplicates)}")
        return slos

    @model_validator(mode="after")
    def _no_open_doors(self) -> Spec:
        if not self.security.auth and not is_loopback(self.listen_address):
            raise ValueError(
                f"listen_address {self.listen_address!r} reaches beyond this machine, and "
                "security.auth is false: anyone on the network could read and silence the "
                "alerts. Set security.auth: true, or listen on 127.0.0.1"
            )
        return self

    @model_validator(mode="after")
    def _simulation_within_cardinality(self) -> Spec:
        # The simulated system reports through the same guarded SDK: a fleet larger than the
        # limits would fold its own agents into __overflow__ and fire CardinalityOverflow.
        agents = len(self.agent_types) * self.simulation.agents_per_type
        if agents > self.cardinality.agents:
            raise ValueError(
                f"the simulated system has {agents} agents ({len(self.agent_types)} agent types "
                f"x simulation.agents_per_type {self.simulation.agents_per_type}), more than "
                f"cardinality.agents ({self.cardinality.agents}): raise cardinality.agents"
            )
        if len(self.agent_types) > self.cardinality.agent_types:
            raise ValueError(
                f"{len(self.agent_types)} agent types are more than cardinality.agent_types "
                f"({self.cardinality.agent_types}): raise cardinality.agent_types"
            )
        return self

    @model_validator(mode="after")
    def _distinct_agent_types(self) -> Spec:
        duplicates = sorted({t for t in self.agent_types if self.agent_types.count(t) > 1})
        if duplicates:
            raise ValueError(f"agent types listed more than once: {', '.join(duplicates)}")
        if not self.agent_types:
            raise ValueError("at least one agent type is needed")
        return self
