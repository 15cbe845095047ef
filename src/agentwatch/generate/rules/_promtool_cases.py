"""promtool unit tests: every alert fires above its threshold after its ``for`` and stays
silent below it; the legacy ``claude_*`` recording rules give known values for known inputs.

Inputs are derived from the spec's thresholds, so the tests prove the generated rules for
whatever spec they were generated from, not only the default one.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from agentwatch import catalog
from agentwatch.catalog import MetricFamily
from agentwatch.catalog import recorded as rec
from agentwatch.generate import local_stack
from agentwatch.spec import Spec, duration_seconds

from . import constants as k
from ._alerts import Alert, alerts, num

__all__ = [
    "RECORDING_FILE",
    "TREND_TEST_FILE",
    "alert_file",
    "alert_tests",
    "recording_tests",
    "test_file",
    "trend_tests",
]

RECORDING_FILE = "recording.yml"
# The week-long trend rules, tested in their own file: promtool evaluates every rule of a test
# file at its one evaluation_interval up to the last eval_time, and eight days at 1m (11,520
# evaluations of every recording rule) took 15 s of the 16 s recording.test.yml cost.
TREND_TEST_FILE = "recording-trend.test.yml"
# Samples one minute apart: a linear counter then has an exact rate over 1m and 5m windows.
_STEP = 60
# After the `for`, this long again so every 5m rate window lies wholly inside the input.
_SETTLE = 6 * 60


def alert_file(category: str) -> str:
    return f"alerts-{category}.yml"


def test_file(rule_file: str) -> str:
    return rule_file.removesuffix(".yml") + ".test.yml"


def _sel(name: str, labels: Mapping[str, str]) -> str:
    inner = ", ".join(f'{key}="{value}"' for key, value in labels.items())
    return f"{name}{{{inner}}}" if inner else name


@dataclass(frozen=True)
class _Series:
    name: str
    labels: Mapping[str, str]
    # Per-minute increase for a counter (start 0), or the constant value of a gauge.
    value: float
    counter: bool = False

    def input(self, steps: int) -> dict[str, str]:
        # 12 significant digits drop float noise such as 60.00000000000006 (from 1 - 0.999);
        # the descriptions print far fewer digits, so the expected text is unaffected.
        value = num(float(f"{self.value:.12g}"))
        values = f"0+{value}x{steps}" if self.counter else f"{value}x{steps}"
        return {"series": _sel(self.name, self.labels), "values": values}


@dataclass(frozen=True)
class _Case:
    series: Sequence[_Series]
    # Labels of the alert beyond severity and category, and its value; None: must stay silent.
    labels: Mapping[str, str] | None = None
    value: float = 0.0
    extra: Sequence[Mapping[str, str]] = field(default_factory=tuple)


def _gauge(family: MetricFamily, value: float, **labels: str) -> _Series:
    return _Series(family.name, labels, value)


def _counter(family: MetricFamily | str, per_second: float, **labels: str) -> _Series:
    name = family if isinstance(family, str) else family.name
    return _Series(name, labels, per_second * _STEP, counter=True)


def _bucket_quantile(q: float, low: float, high: float) -> float:
    """histogram_quantile's answer when every observation fell in (low, high] (Prometheus's
    own interpolation, step by step, so the float matches bit for bit)."""
    rank = q * 1.0
    return low + (high - low) * (rank / 1.0)


def _histogram(family: MetricFamily, low: float, high: float, **labels: str) -> list[_Series]:
    """One observation per second, all in the bucket (low, high]."""
    assert family.buckets is not None
    bounds = [b for b in family.buckets if b < high] + [high]
    rows = [_counter(f"{family.name}_bucket", 0.0, **labels, le=num(b)) for b in bounds[:-1]]
    rows.append(_counter(f"{family.name}_bucket", 1.0, **labels, le=num(high)))
    rows.append(_counter(f"{family.name}_bucket", 1.0, **labels, le="+Inf"))
    return rows


def _bucket_above(family: MetricFamily, threshold: float) -> tuple[float, float]:
    """The first bucket wholly at or above ``threshold`` (or the last finite one)."""
    assert family.buckets is not None
    bounds = (0.0, *family.buckets)
    pairs = list(itertools.pairwise(bounds))
    return next(((lo, hi) for lo, hi in pairs if lo >= threshold), pairs[-1])


def _bucket_below(family: MetricFamily, threshold: float) -> tuple[float, float]:
    """The last bucket wholly at or below ``threshold`` (or the first one)."""
    assert family.buckets is not None
    bounds = (0.0, *family.buckets)
    pairs = list(itertools.pairwise(bounds))
    below = [(lo, hi) for lo, hi in pairs if hi <= threshold]
    return below[-1] if below else pairs[0]


_AGENTS_JOB = local_stack.AGENTS_JOB
_CaseBuilder = Callable[[Spec], tuple[_Case, _Case]]
_AGENT = {"agent_id": "web-1", "agent_type": "web"}
_TRANSPORT = {"job": k.TRANSPORT_JOB}
_OUT_TASK = {"direction": "out", "msg_type": "task", "priority": "normal"}


def _framework_quality(spec: Spec) -> tuple[_Case, _Case]:
    t = spec.thresholds.framework_quality_score_min
    score = catalog.by_name("claude_framework_quality_score")
    return _Case([_gauge(score, t / 2)], {}, t / 2), _Case([_gauge(score, t)])


def _response_time(spec: Spec) -> tuple[_Case, _Case]:
    fam = catalog.AGENT_PROCESSING_TIME_SECONDS
    limit = spec.thresholds.agent_response_time_max_ms / 1000
    hi_lo, hi_hi = _bucket_above(fam, limit)
    lo_lo, lo_hi = _bucket_below(fam, limit)
    fire = _Case(
        _histogram(fam, hi_lo, hi_hi, **_AGENT),
        {"agent_type": "web"},
        1000 * _bucket_quantile(0.95, hi_lo, hi_hi),
    )
    return fire, _Case(_histogram(fam, lo_lo, lo_hi, **_AGENT))


def _throughput(spec: Spec) -> tuple[_Case, _Case]:
    t = spec.thresholds.transport_throughput_min_mps
    msgs = catalog.AGENT_TRANSPORT_MESSAGES_TOTAL
    received = {**_OUT_TASK, "direction": "in"}

    def case(rate: float) -> list[_Series]:
        # Messages received count once more; only those sent are throughput.
        return [
            _counter(msgs, rate, **_TRANSPORT, **_OUT_TASK),
            _counter(msgs, rate, **_TRANSPORT, **received),
        ]

    return (
        _Case(case(t / 2), {"job": k.TRANSPORT_JOB, "direction": "out"}, t / 2),
        _Case(case(t * 2)),
    )


def _failure_predicted(spec: Spec) -> tuple[_Case, _Case]:
    t = spec.thresholds.failure_prediction_max
    fam = catalog.FAILURE_PREDICTION_SCORE
    high = t + (100 - t) / 2
    return (
        _Case([_gauge(fam, high, **_AGENT)], _AGENT, high),
        _Case([_gauge(fam, t / 2, **_AGENT)]),
    )


def _availability(spec: Spec) -> tuple[_Case, _Case]:
    t = spec.thresholds.availability_min
    sent_per_s = 1000.0
    msgs = catalog.AGENT_TRANSPORT_MESSAGES_TOTAL
    terr = catalog.AGENT_TRANSPORT_ERRORS_TOTAL

    def case(error_share: float) -> list[_Series]:
        errors = error_share * sent_per_s
        return [
            _counter(msgs, sent_per_s, **_TRANSPORT, **_OUT_TASK),
            _counter(catalog.AGENT_ERRORS_TOTAL, errors / 2, **_AGENT, error_type="timeout"),
            _counter(terr, errors / 2, **_TRANSPORT, error_type="queue_full", severity="error"),
            # Warnings (rejected senders) are not failures of the system: a large rate of
            # them must not make availability low.
            _counter(terr, sent_per_s, **_TRANSPORT, error_type="unauthorized", severity="warning"),
        ]

    budget = 1 - t
    return (
        _Case(case(2 * budget), {}, 1 - 2 * budget),
        _Case(case(budget / 2)),
    )


def _memory(spec: Spec) -> tuple[_Case, _Case]:
    t = spec.thresholds.memory_usage_max_ratio
    fam = catalog.AGENT_RESOURCE_USAGE
    high = (t + 1) / 2
    fire = _Case(
        [_gauge(fam, high, **_AGENT, resource="memory")],
        {**_AGENT, "resource": "memory"},
        high,
    )
    # CPU at its limit is not a memory problem.
    silent = _Case(
        [_gauge(fam, t / 2, **_AGENT, resource="memory"), _gauge(fam, 1, **_AGENT, resource="cpu")]
    )
    return fire, silent


def _latency(spec: Spec) -> tuple[_Case, _Case]:
    fam = catalog.AGENT_TRANSPORT_LATENCY_SECONDS
    limit = spec.thresholds.latency_p99_max_seconds
    hi_lo, hi_hi = _bucket_above(fam, limit)
    lo_lo, lo_hi = _bucket_below(fam, limit)
    labels = {**_TRANSPORT, "msg_type": "task"}
    return (
        _Case(
            _histogram(fam, hi_lo, hi_hi, **labels),
            _TRANSPORT,
            _bucket_quantile(0.99, hi_lo, hi_hi),
        ),
        _Case(_histogram(fam, lo_lo, lo_hi, **labels)),
    )


def _health(spec: Spec) -> tuple[_Case, _Case]:
    t = spec.thresholds.agent_health_min
    fam = catalog.AGENT_HEALTH_SCORE
    return (
        _Case([_gauge(fam, t / 2, **_AGENT)], _AGENT, t / 2),
        _Case([_gauge(fam, t + (100 - t) / 2, **_AGENT)]),
    )


def _queue(spec: Spec) -> tuple[_Case, _Case]:
    t = spec.thresholds.queue_depth_max
    fam = catalog.AGENT_QUEUE_DEPTH
    return (
        _Case([_gauge(fam, 2 * t + 1, **_AGENT)], _AGENT, 2 * t + 1),
        _Case([_gauge(fam, t / 2, **_AGENT)]),
    )


def _unauthorized(spec: Spec) -> tuple[_Case, _Case]:
    fam = catalog.AGENT_UNAUTHORIZED_ACCESS_TOTAL
    labels = {"agent_type": "database", "reason": "sender_not_allowed"}
    # A counter that stopped increasing: old attempts are not a current attack.
    stale = _Series(fam.name, labels, 5)
    return _Case([_counter(fam, 0.1, **labels)], labels, 0.1), _Case([stale])


def _anomaly(spec: Spec) -> tuple[_Case, _Case]:
    t = spec.thresholds.anomaly_score_max
    fam = catalog.ANOMALY_SCORE
    labels = {"series": "transport_messages"}
    high = (t + 1) / 2
    return _Case([_gauge(fam, high, **labels)], labels, high), _Case([_gauge(fam, t / 2, **labels)])


def _emergency(spec: Spec) -> tuple[_Case, _Case]:
    t = spec.thresholds.emergency_message_rate_max
    msgs = catalog.AGENT_TRANSPORT_MESSAGES_TOTAL
    emergency = {"direction": "out", "msg_type": "emergency", "priority": "emergency"}
    fire = _Case([_counter(msgs, 2 * t, **_TRANSPORT, **emergency)], _TRANSPORT, 2 * t)
    # Plenty of ordinary traffic, a trickle of emergencies: no flood.
    silent = _Case(
        [
            _counter(msgs, t / 2, **_TRANSPORT, **emergency),
            _counter(msgs, 100 * t, **_TRANSPORT, **_OUT_TASK),
        ]
    )
    return fire, silent


def _security_down(spec: Spec) -> tuple[_Case, _Case]:
    fam = catalog.SYSTEM_ACTIVE_AGENTS
    security = {"agent_type": k.SECURITY_AGENT_TYPE}
    fire = _Case(
        [
            _gauge(fam, 0, job=_AGENTS_JOB, **security),
            _gauge(fam, 2, job=_AGENTS_JOB, agent_type="web"),
        ],
        security,
        0,
    )
    return fire, _Case([_gauge(fam, 2, job=_AGENTS_JOB, **security)])


def _security_absent(spec: Spec) -> _Case:
    """No series for the security type at all also counts as down."""
    fam = catalog.SYSTEM_ACTIVE_AGENTS
    return _Case([_gauge(fam, 2, job=_AGENTS_JOB, agent_type="web")], {"agent_type": "security"}, 1)


def _failed_logins(spec: Spec) -> tuple[_Case, _Case]:
    t = spec.thresholds.failed_logins_max
    fam = catalog.CONSOLE_LOGINS_TOTAL
    job = {"job": "console"}
    # 5-minute increases of 3t (an attack) and t/2 (typos), with steady successful logins.
    fire = _Case(
        [
            _counter(fam, 3 * t / 300, outcome="failure", **job),
            _counter(fam, 1, outcome="success", **job),
        ],
        job,
        3 * t,
    )
    return fire, _Case([_counter(fam, t / 2 / 300, outcome="failure", **job)])


def _cardinality_overflow(spec: Spec) -> tuple[_Case, _Case]:
    fam = catalog.AGENTWATCH_CARDINALITY_OVERFLOW_TOTAL
    labels = {"job": _AGENTS_JOB, "family": catalog.AGENT_STATUS.name}
    # One new agent id a second beyond the limit: 300 folds in 5 minutes. (_counter would
    # take the label `family` for its own argument.)
    fire = _Case([_Series(fam.name, labels, _STEP, counter=True)], labels, 300)
    # Folds long ago (the counter no longer moves) and a family that never folded: silent.
    quiet = {"job": _AGENTS_JOB, "family": catalog.AGENT_ERRORS_TOTAL.name}
    return fire, _Case([_Series(fam.name, labels, 1200), _Series(fam.name, quiet, 0, counter=True)])


def _share(fam: MetricFamily, label: str, bad: str, good: str, limit: float) -> tuple[_Case, _Case]:
    total_per_s = 10.0

    def case(share: float) -> list[_Series]:
        return [
            _counter(fam, total_per_s * share, **{label: bad}),
            _counter(fam, total_per_s * (1 - share), **{label: good}),
        ]

    high = min(2 * limit, (1 + limit) / 2)
    return _Case(case(high), {}, high), _Case(case(limit / 2))


def _voice_auth(spec: Spec) -> tuple[_Case, _Case]:
    return _share(
        catalog.VOICE_BIOMETRIC_AUTH_TOTAL,
        "result",
        "failure",
        "success",
        spec.thresholds.voice_auth_failure_ratio_max,
    )


def _audio(spec: Spec) -> tuple[_Case, _Case]:
    t = spec.thresholds.audio_capture_anomaly_rate_max
    fam = catalog.VOICE_AUDIO_CAPTURE_ANOMALIES_TOTAL
    return (
        _Case([_counter(fam, 2 * t, kind="clipping")], {"kind": "clipping"}, 2 * t),
        _Case([_counter(fam, t / 2, kind="clipping")]),
    )


def _false_positives(spec: Spec) -> tuple[_Case, _Case]:
    return _share(
        catalog.VOICE_RECOGNITION_TOTAL,
        "outcome",
        "false_positive",
        "correct",
        spec.thresholds.voice_false_positive_ratio_max,
    )


def _up(job: str, value: float) -> _Series:
    return _Series("up", {"job": job, "instance": f"{job}:9100"}, value)


def _transport_down(spec: Spec) -> tuple[_Case, _Case]:
    down = {"job": k.TRANSPORT_JOB, "instance": f"{k.TRANSPORT_JOB}:9100"}
    return _Case([_up(k.TRANSPORT_JOB, 0)], down, 0), _Case([_up(k.TRANSPORT_JOB, 1)])


def _exporter_down(spec: Spec) -> tuple[_Case, _Case]:
    job = k.EXPORTER_JOBS[0]
    fire = _Case([_up(job, 0)], {"job": job, "instance": f"{job}:9100"}, 0)
    # The transport has its own alert; ExporterDown must not fire twice for it.
    return fire, _Case([_up(job, 1), _up(k.TRANSPORT_JOB, 0)])


def _monitoring_down(spec: Spec) -> tuple[_Case, _Case]:
    job = k.ALERTMANAGER_JOB
    fire = _Case([_up(job, 0)], {"job": job, "instance": f"{job}:9100"}, 0)
    # An exporter has its own alert; MonitoringComponentDown must not fire for it too.
    return fire, _Case([_up(job, 1), _up(k.EXPORTER_JOBS[0], 0)])


def _alertmanager(n: int) -> dict[str, str]:
    """The labels Prometheus scrapes the ``n``-th of the HA pair's Alertmanagers with."""
    return {"job": k.ALERTMANAGER_JOB, "instance": f"{k.ALERTMANAGER_JOB}-{n}:9093"}


def _cluster_degraded(spec: Spec) -> tuple[_Case, _Case]:
    first, second = _alertmanager(1), _alertmanager(2)

    def members(who: Mapping[str, str], count: int) -> _Series:
        return _Series(k.ALERTMANAGER_CLUSTER_MEMBERS, who, count)

    def up(who: Mapping[str, str], value: int) -> _Series:
        return _Series("up", who, value)

    # Both answer, but the first sees only itself: cut off from its peer.
    fire = _Case([up(first, 1), up(second, 1), members(first, 1), members(second, 2)], first, 1)
    # The second is down: the first rightly sees one member (MonitoringComponentDown's case).
    return fire, _Case([up(first, 1), up(second, 0), members(first, 1)])


def _alerts_not_reaching_alertmanager(spec: Spec) -> tuple[_Case, _Case]:
    prometheus = {"job": k.PROMETHEUS_JOB, "instance": f"{k.PROMETHEUS_JOB}:9090"}

    def errors(alertmanager: int, per_second: float) -> _Series:
        url = f"http://{_alertmanager(alertmanager)['instance']}/api/v2/alerts"
        return _counter(
            k.PROMETHEUS_NOTIFICATION_ERRORS, per_second, **prometheus, alertmanager=url
        )

    # Every post to both Alertmanagers fails; one of the two taking them is enough.
    fire = _Case([errors(1, 1 / 60), errors(2, 1 / 60)], prometheus, 1 / 60)
    return fire, _Case([errors(1, 1 / 60), errors(2, 0)])


def _notifications_failing(spec: Spec) -> tuple[_Case, _Case]:
    limit = spec.thresholds.notification_failure_ratio_max
    requests_per_s = 1.0

    def alertmanager(n: int, failed_share: float) -> list[_Series]:
        who = _alertmanager(n)
        return [
            _counter(
                k.ALERTMANAGER_NOTIFICATION_REQUESTS, requests_per_s, **who, integration="webhook"
            ),
            _counter(
                k.ALERTMANAGER_NOTIFICATION_REQUESTS_FAILED,
                requests_per_s * failed_share,
                **who,
                integration="webhook",
            ),
        ]

    high = min(2 * limit, (1 + limit) / 2)
    fire = _Case([*alertmanager(1, high), *alertmanager(2, 1.0)], {"integration": "webhook"}, high)
    # The first fails them all, but its peer delivers: notifications still reach people.
    return fire, _Case([*alertmanager(1, 1.0), *alertmanager(2, limit / 2)])


def _home_filesystem(spec: Spec) -> tuple[_Case, _Case]:
    limit = spec.thresholds.home_filesystem_avail_min_ratio
    size = 64 * 2**30

    def case(free: float) -> list[_Series]:
        return [
            _gauge(catalog.HOME_FILESYSTEM_AVAIL_BYTES, round(size * free)),
            _gauge(catalog.HOME_FILESYSTEM_SIZE_BYTES, size),
        ]

    # Half the minimum fires; the minimum and a little more stays silent (strictly below).
    low = limit / 2
    return _Case(case(low), {}, round(size * low) / size), _Case(case(min(1.0, limit * 1.01)))


_CASES: dict[str, _CaseBuilder] = {
    "FrameworkQualityDrop": _framework_quality,
    "AgentPerformanceDegradation": _response_time,
    "TransportThroughputLow": _throughput,
    "AgentFailurePredicted": _failure_predicted,
    "SystemAvailabilityLow": _availability,
    "MemoryUsageCritical": _memory,
    "HighLatencyP99": _latency,
    "AgentHealthLow": _health,
    "QueueBackup": _queue,
    "UnauthorizedAgentAccess": _unauthorized,
    "AnomalousMessagePattern": _anomaly,
    "EmergencyMessageFlood": _emergency,
    "SecurityAgentDown": _security_down,
    "RepeatedFailedLogins": _failed_logins,
    "CardinalityOverflow": _cardinality_overflow,
    "VoiceBiometricAuthFailures": _voice_auth,
    "AudioCaptureAnomaly": _audio,
    "VoiceRecognitionFalsePositives": _false_positives,
    "TransportDown": _transport_down,
    "ExporterDown": _exporter_down,
    "MonitoringComponentDown": _monitoring_down,
    "AlertmanagerClusterDegraded": _cluster_degraded,
    "AlertsNotReachingAlertmanager": _alerts_not_reaching_alertmanager,
    "AlertmanagerNotificationsFailing": _notifications_failing,
    "HomeFilesystemAlmostFull": _home_filesystem,
}


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}m"


def _alert_test(alert: Alert, case: _Case) -> dict[str, Any]:
    eval_seconds = duration_seconds(alert.for_) if alert.for_ != "0s" else 0
    eval_seconds += _SETTLE
    steps = int(eval_seconds // _STEP) + 5
    expected: list[dict[str, Any]] = []
    if case.labels is not None:
        labels = {**case.labels, "severity": alert.severity, "category": alert.category}
        expected.append(
            {
                "exp_labels": dict(sorted(labels.items())),
                "exp_annotations": alert.annotations(labels, case.value),
            }
        )
    return {
        "interval": "1m",
        "input_series": [s.input(steps) for s in case.series],
        "alert_rule_test": [
            {"eval_time": _minutes(eval_seconds), "alertname": alert.name, "exp_alerts": expected}
        ],
    }


def alert_tests(spec: Spec) -> dict[str, list[dict[str, Any]]]:
    """Test cases per alert rule file: for each alert, firing first, then silent."""
    by_file: dict[str, list[dict[str, Any]]] = {}
    for alert in alerts(spec):
        fire, silent = _CASES[alert.name](spec)
        cases = [fire, silent]
        if alert.name == "SecurityAgentDown":
            cases.insert(1, _security_absent(spec))
        by_file.setdefault(alert_file(alert.category), []).extend(
            _alert_test(alert, c) for c in cases
        )
    return by_file


def recording_tests(spec: Spec) -> list[dict[str, Any]]:
    """Known inputs, known values for the seed's legacy recording rules."""
    h = spec.thresholds.agent_health_min
    proc = catalog.AGENT_PROCESSING_TIME_SECONDS
    flow = catalog.AGENT_WORKFLOW_DURATION_SECONDS
    web2 = {"agent_id": "web-2", "agent_type": "web"}
    mib = 1024 * 1024
    series: list[_Series] = [
        *_histogram(proc, 0.1, 0.25, **_AGENT),
        *_histogram(flow, 1.0, 2.5, workflow="checkout"),
        _gauge(catalog.AGENT_MEMORY_BYTES, 100 * mib, **_AGENT),
        _gauge(catalog.AGENT_MEMORY_BYTES, 200 * mib, **web2),
        _counter(catalog.AGENT_BUSY_SECONDS_TOTAL, 2, **_AGENT),
        _counter(catalog.AGENT_BUSY_SECONDS_TOTAL, 1, **web2),
        _gauge(catalog.AGENT_WORKERS, 4, **_AGENT),
        _gauge(catalog.AGENT_WORKERS, 4, **web2),
        _counter(
            catalog.AGENT_MESSAGES_PROCESSED_TOTAL, 9, **_AGENT, source_agent="api", action="x"
        ),
        _counter(catalog.AGENT_ERRORS_TOTAL, 1, **_AGENT, error_type="timeout"),
        _gauge(catalog.AGENT_HEALTH_SCORE, h + (100 - h) / 2, job=_AGENTS_JOB, **_AGENT),
        _gauge(catalog.AGENT_HEALTH_SCORE, h, job=_AGENTS_JOB, **web2),
        _gauge(
            catalog.AGENT_HEALTH_SCORE, h / 2, job=_AGENTS_JOB, agent_id="db-1", agent_type="db"
        ),
    ]
    expected: list[tuple[str, dict[str, str], float]] = [
        (rec.RESPONSE_TIME, {"agent_type": "web"}, 1000 * _bucket_quantile(0.95, 0.1, 0.25)),
        (rec.WORKFLOW_TIME, {"workflow": "checkout"}, _bucket_quantile(0.95, 1.0, 2.5)),
        (rec.MEMORY_USAGE, {}, float(300 * mib)),
        (rec.UTILIZATION, {"agent_type": "web"}, (2.0 + 1.0) / (4.0 + 4.0)),
        (rec.ERROR_RATE, {"agent_type": "web"}, 1.0 / (9.0 + 1.0)),
        # Health exactly at the threshold counts as healthy: 2 of 3 agents.
        (rec.HEALTHY_RATIO, {"job": _AGENTS_JOB}, 2.0 / 3.0),
    ]
    return [
        {
            "interval": "1m",
            "input_series": [s.input(20) for s in series],
            "promql_expr_test": [
                {
                    "expr": name,
                    "eval_time": "10m",
                    "exp_samples": [{"labels": _sel(name, labels), "value": value}],
                }
                for name, labels, value in expected
            ],
        },
        *business_tests(spec),
    ]


def _per_minute(family: MetricFamily | str, increase: float, **labels: str) -> _Series:
    return _counter(family, increase / _STEP, **labels)


def business_tests(spec: Spec) -> list[dict[str, Any]]:
    """Known inputs, known values for seed 000's business rules (docs/business-metrics.md).

    Every counter starts at 0 at the first sample, so an ``increase`` over a window longer
    than the input is exactly the counter's value at the evaluation time.
    """
    business = spec.business
    minutes = 10
    ops = f"{catalog.GEN_AI_CLIENT_OPERATION_DURATION_SECONDS.name}_count"
    tokens = catalog.CLAUDE_CODE_TOKEN_USAGE_TOKENS_TOTAL
    decisions = catalog.CLAUDE_CODE_CODE_EDIT_TOOL_DECISION_TOTAL
    series: list[_Series] = [
        _per_minute(catalog.CLAUDE_CODE_COMMIT_COUNT_TOTAL, 2, service_name="claude-code"),
        # Six developers active all the time: one active hour of Claude Code in ten minutes.
        _per_minute(catalog.CLAUDE_CODE_ACTIVE_TIME_SECONDS_TOTAL, 360, service_name="claude-code"),
        _per_minute(catalog.CLAUDE_CODE_COST_USAGE_USD_TOTAL, 0.5, model="m"),
        _per_minute(tokens, 100, type="input"),
        _per_minute(tokens, 300, type="cacheRead"),
        _per_minute(tokens, 100, type="cacheCreation"),
        _per_minute(tokens, 50, type="output"),
        _per_minute(decisions, 9, decision="accept"),
        _per_minute(decisions, 1, decision="reject"),
        _gauge(catalog.DEVELOPER_SURVEY_SCORE, 70),
        _per_minute(ops, 5),
        # Three in four succeed: a ratio that is exact in binary, however PromQL divides.
        _per_minute(catalog.AGENT_WORKFLOWS_TOTAL, 3, workflow="bug_fix", outcome="success"),
        _per_minute(catalog.AGENT_WORKFLOWS_TOTAL, 1, workflow="bug_fix", outcome="failure"),
        *_histogram(
            catalog.AGENT_WORKFLOW_DURATION_SECONDS, 1.0, 2.5, workflow=business.deployment_workflow
        ),
        _per_minute(catalog.FRAMEWORK_FINDINGS_RESOLVED_TOTAL, 1),
        _gauge(catalog.FRAMEWORK_SCAN_DURATION_SECONDS, 0.25),
    ]
    commits, active_hours, spent = 2.0 * minutes, 360.0 * minutes / 3600, 0.5 * minutes
    velocity = commits / active_hours
    acceptance = 100 * (9.0 * minutes) / (10.0 * minutes)
    expected: list[tuple[str, float]] = [
        (catalog.DEVELOPMENT_VELOCITY.name, velocity),
        (catalog.KNOWLEDGE_REUSE.name, (300.0 * minutes) / (500.0 * minutes)),
        (catalog.DEVELOPER_SATISFACTION.name, (acceptance + 70) / 2),
        (catalog.PROMPT_EXECUTION_COUNT.name, 5.0 * minutes),
        (catalog.SESSION_SUCCESS_RATE.name, 0.75),
        (catalog.TIME_TO_DEPLOYMENT.name, _bucket_quantile(0.5, 1.0, 2.5)),
        (catalog.ERROR_PREVENTION.name, 1.0 * minutes),
        (catalog.CONTEXT_LOADING_TIME.name, 0.25),
    ]
    baseline, hourly = business.baseline_commits_per_hour, business.engineer_hourly_cost_usd
    if baseline is not None:
        expected.append((catalog.EFFICIENCY_GAINS.name, velocity / baseline - 1))
        if hourly is not None:
            saved = (commits / baseline - active_hours) * hourly - spent
            expected.append((catalog.COST_REDUCTION.name, saved))
    values = {
        "interval": "1m",
        "input_series": [s.input(2 * minutes) for s in series],
        "promql_expr_test": [
            {
                "expr": name,
                "eval_time": f"{minutes}m",
                "exp_samples": [{"labels": name, "value": value}],
            }
            for name, value in expected
        ],
    }
    return [values]


def trend_tests(spec: Spec) -> list[dict[str, Any]]:
    """Known inputs, known values for the rules over days, sampled and evaluated hourly
    (TREND_TEST_FILE): the quality score rises a point an hour (whole numbers: promtool's
    expanded series add up exactly); its change over the trend window."""
    trend_hours = duration_seconds(spec.business.quality_trend_window) / 3600
    eval_hours = int(trend_hours) + 24
    score = catalog.FRAMEWORK_QUALITY_SCORE.name
    change = float(int(trend_hours))
    return [
        {
            "interval": "1h",
            "input_series": [{"series": score, "values": f"0+1x{eval_hours + 5}"}],
            "promql_expr_test": [
                {
                    "expr": catalog.CODE_QUALITY_IMPROVEMENT.name,
                    "eval_time": f"{eval_hours}h",
                    "exp_samples": [
                        {"labels": catalog.CODE_QUALITY_IMPROVEMENT.name, "value": change}
                    ],
                }
            ],
        }
    ]
