"""promtool tests for the SLO rules: each SLO pages when it burns fast, stays silent at or
below its budget, and opens a ticket when it burns about 3.5x for a day; recorded values for
known inputs.

Event-based SLIs burn at an exact multiple of the budget (constant counter rates); time-based
SLIs are driven into their bad state for whole stretches of time.
"""

from __future__ import annotations

from typing import Any

from agentwatch import catalog
from agentwatch.catalog import recorded as rec
from agentwatch.catalog.scrape import AGENTS_JOB
from agentwatch.generate.rules import RECORDING_FILE, num
from agentwatch.generate.rules import constants as k
from agentwatch.spec import Slo, Spec

from ._rules import SLO_FILE, Kind, alert_annotations, alert_name, error_budget, sloth_labels
from ._sli import LATENCY_SLO_SECONDS

__all__ = ["SLO_TEST_FILE", "slo_tests"]

SLO_TEST_FILE = "slos.test.yml"
_DAY = 1440  # minutes: input series are one sample a minute
_TOTAL = 1000.0  # events per second for event-based SLIs
# Rules run every 5m in these tests, not every minute: windows up to 3d over a day of input
# cost promtool a minute per run at 1m, and no SLO condition changes faster than 5m.
_EVALUATION = "5m"


def _sel(name: str, labels: dict[str, str]) -> str:
    inner = ", ".join(f'{key}="{value}"' for key, value in labels.items())
    return f"{name}{{{inner}}}"


def _counter(name: str, labels: dict[str, str], per_second: float, minutes: int) -> dict[str, str]:
    return {"series": _sel(name, labels), "values": f"0+{num(per_second * 60)}x{minutes}"}


def _counter_steps(name: str, labels: dict[str, str], increments: list[float]) -> dict[str, str]:
    """A counter with the given per-minute increments, run-length encoded as promtool segments."""
    segments = ["0"]
    value = 0.0
    i = 0
    while i < len(increments):
        j = i
        while j < len(increments) and increments[j] == increments[i]:
            j += 1
        step = increments[i]
        segments.append(f"{num(value + step)}+{num(step)}x{j - i - 1}")
        value += step * (j - i)
        i = j
    return {"series": _sel(name, labels), "values": " ".join(segments)}


def _gauge_steps(name: str, labels: dict[str, str], values: list[float]) -> dict[str, str]:
    segments: list[str] = []
    i = 0
    while i < len(values):
        j = i
        while j < len(values) and values[j] == values[i]:
            j += 1
        segments.append(f"{num(values[i])}x{j - i - 1}" if j - i > 1 else num(values[i]))
        i = j
    return {"series": _sel(name, labels), "values": " ".join(segments)}


_TRANSPORT = {"job": k.TRANSPORT_JOB}
_OUT = {**_TRANSPORT, "direction": "out", "msg_type": "task", "priority": "normal"}


def _events(slo: Slo, burn: float, minutes: int) -> list[dict[str, str]]:
    """Event-based inputs whose error ratio is ``burn`` x the budget."""
    errors = burn * error_budget(slo) * _TOTAL
    if slo.sli.builtin == "availability":
        return [
            _counter(catalog.AGENT_TRANSPORT_MESSAGES_TOTAL.name, _OUT, _TOTAL, minutes),
            _counter(
                catalog.AGENT_ERRORS_TOTAL.name,
                {"agent_id": "web-1", "agent_type": "web", "error_type": "timeout"},
                errors / 2,
                minutes,
            ),
            _counter(
                catalog.AGENT_TRANSPORT_ERRORS_TOTAL.name,
                {**_TRANSPORT, "error_type": "queue_full", "severity": "error"},
                errors / 2,
                minutes,
            ),
        ]
    fam = catalog.AGENT_TRANSPORT_LATENCY_SECONDS
    labels = {**_TRANSPORT, "msg_type": "task"}
    return [
        _counter(f"{fam.name}_count", labels, _TOTAL, minutes),
        _counter(
            f"{fam.name}_bucket",
            {**labels, "le": num(LATENCY_SLO_SECONDS)},
            _TOTAL - errors,
            minutes,
        ),
    ]


def _throughput(spec: Spec, bad_minutes: set[int], minutes: int) -> list[dict[str, str]]:
    """Sends at twice the target, except no messages at all in ``bad_minutes``."""
    per_minute = 2 * spec.thresholds.transport_throughput_min_mps * 60
    increments = [0.0 if m in bad_minutes else per_minute for m in range(minutes)]
    return [_counter_steps(catalog.AGENT_TRANSPORT_MESSAGES_TOTAL.name, _OUT, increments)]


def _health(spec: Spec, bad_minutes: set[int], minutes: int) -> list[dict[str, str]]:
    """Two agents; both unhealthy in ``bad_minutes``, both healthy otherwise."""
    t = spec.thresholds.agent_health_min
    good, bad = t + (100 - t) / 2, t / 2
    values = [bad if m in bad_minutes else good for m in range(minutes + 1)]
    return [
        _gauge_steps(
            catalog.AGENT_HEALTH_SCORE.name,
            {"job": AGENTS_JOB, "agent_id": f"web-{i}", "agent_type": "web"},
            values,
        )
        for i in (1, 2)
    ]


def _periodic(period: int, bad: range, minutes: int) -> set[int]:
    return {m for m in range(minutes) if m % period in bad}


def _inputs(slo: Slo, spec: Spec, scenario: str) -> list[dict[str, str]] | None:
    """Inputs for ``page`` (fast burn), ``silent`` (at most the budget), ``ticket`` (~3.5x)."""
    minutes = _DAY + 10
    builtin = slo.sli.builtin
    if builtin in ("availability", "latency"):
        burn = {"page": 15.0, "silent": 1.0, "ticket": 3.5}[scenario]
        return _events(slo, burn, minutes)
    if builtin == "throughput":
        # Rules run every 5m (_EVALUATION). 3 silent minutes in a row pull one 5m rate sample
        # below the target (twice the target for 2 of 5 minutes is less than it): one bad
        # sample every 5 hours is 1/60 of the time, 3.3x the 0.5% budget. The stretches end
        # at 2.5h + 5h*k, so none lies in the short windows at 1d.
        ticket = _periodic(300, range(147, 150), minutes)
        bad = {"page": set(range(minutes)), "silent": set(), "ticket": ticket}
        return _throughput(spec, bad[scenario], minutes)
    if builtin == "agent_health":
        # Unhealthy in minutes 40-59 of each hour: 4 of the 12 samples an hour, 3.3x a 10%
        # budget, and at most 4 of 7 (0.57 < 6x budget) in a 30m window. At most 10x is
        # possible, so only the 6x pair can page.
        ticket = _periodic(60, range(40, 60), minutes)
        bad = {"page": set(range(minutes)), "silent": set(), "ticket": ticket}
        return _health(spec, bad[scenario], minutes)
    return None  # user SLIs: their metrics are unknown here


def _expected(spec: Spec, slo: Slo, kind: Kind) -> dict[str, Any]:
    return {
        "exp_labels": _labels(slo, kind),
        "exp_annotations": alert_annotations(spec, slo, kind, slo.name),
    }


def _labels(slo: Slo, kind: Kind) -> dict[str, str]:
    extra = slo.alerting.page_labels if kind == "page" else slo.alerting.ticket_labels
    labels = {
        **extra,
        "severity": "critical" if kind == "page" else "warning",
        "category": "slo",
        "slo": slo.name,
        "sloth_severity": kind,
        **sloth_labels(slo),
    }
    return dict(sorted(labels.items()))


def _case(slo: Slo, spec: Spec, scenario: str) -> dict[str, Any] | None:
    series = _inputs(slo, spec, scenario)
    if series is None:
        return None
    name = alert_name(slo)
    # A fast burn also exceeds the ticket thresholds: both fire, Alertmanager inhibits the
    # ticket (same alertname and slo) while the page lasts.
    expected = {
        "page": ("70m", [_expected(spec, slo, "page"), _expected(spec, slo, "ticket")]),
        "silent": ("1d", []),
        "ticket": ("1d", [_expected(spec, slo, "ticket")]),
    }
    eval_time, alerts = expected[scenario]
    return {
        "interval": "1m",
        "input_series": series,
        "alert_rule_test": [{"eval_time": eval_time, "alertname": name, "exp_alerts": alerts}],
    }


def _recorded(slo: Slo, spec: Spec) -> dict[str, Any] | None:
    """At 15x burn, the recorded 5m error ratio is 15x the budget; the budget is 1 - objective."""
    series = _inputs(slo, spec, "page")
    if series is None or slo.sli.builtin not in ("availability", "latency"):
        return None
    ids = sloth_labels(slo)
    budget = error_budget(slo)
    return {
        "interval": "1m",
        "input_series": series,
        "promql_expr_test": [
            {
                "expr": _sel(rec.slo_error_ratio("5m"), ids),
                "eval_time": "10m",
                "exp_samples": [
                    {
                        "labels": _sel(rec.slo_error_ratio("5m"), {**ids, "sloth_window": "5m"}),
                        "value": float(f"{15 * budget:.12g}"),
                    }
                ],
            },
            {
                "expr": _sel(rec.SLO_ERROR_BUDGET, ids),
                "eval_time": "10m",
                "exp_samples": [{"labels": _sel(rec.SLO_ERROR_BUDGET, ids), "value": budget}],
            },
        ],
    }


def slo_tests(spec: Spec) -> dict[str, Any]:
    """The promtool test file for SLO_FILE (which reads recorded series from RECORDING_FILE)."""
    cases: list[dict[str, Any]] = []
    for slo in spec.slos:
        for scenario in ("page", "silent", "ticket"):
            case = _case(slo, spec, scenario)
            if case is not None:
                cases.append(case)
        recorded = _recorded(slo, spec)
        if recorded is not None:
            cases.append(recorded)
    return {
        "rule_files": [RECORDING_FILE, SLO_FILE],
        "evaluation_interval": _EVALUATION,
        "tests": cases,
    }
