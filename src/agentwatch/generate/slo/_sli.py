"""Each SLO's error-ratio query per window, as PromQL.

Built-in SLIs take metric names from the catalog and the recorded series of the rules package,
with the same definitions as the threshold alerts, so an SLO and its alert never disagree on
what an error is. User SLIs are Sloth templates with ``{{.window}}``.
"""

from __future__ import annotations

from typing import Final

from agentwatch import catalog
from agentwatch.catalog import recorded as rec
from agentwatch.generate.rules import num
from agentwatch.spec import WINDOW_PLACEHOLDER, Slo, Spec

__all__ = [
    "HEALTHY_SHARE_MIN",
    "LATENCY_SLO_SECONDS",
    "TIME_BASED",
    "error_ratio",
]

# Seed 004: "Latency: 95% of requests < 100ms". It must be a bucket bound of the latency
# histogram, because the SLI counts the observations in that bucket exactly.
LATENCY_SLO_SECONDS: Final = 0.1
# Seed 004: "Agent Health: > 80% agents healthy"; "healthy" is thresholds.agent_health_min.
HEALTHY_SHARE_MIN: Final = 0.8
# Built-in SLIs that judge time, not events: each 5m sample is 1 (bad) or 0 (good), and longer
# windows are the share of bad samples in them. The error ratio is then a share of time.
TIME_BASED: Final = frozenset({"throughput", "agent_health"})

_latency = catalog.AGENT_TRANSPORT_LATENCY_SECONDS
assert _latency.buckets is not None
assert LATENCY_SLO_SECONDS in _latency.buckets, (
    "the latency SLO threshold must be a bucket bound of the transport latency histogram"
)


def _rate(selector: str, window: str) -> str:
    return f"rate({selector}[{window}])"


def _availability_events(window: str) -> tuple[str, str]:
    # As :agent_transport_messages:availability_rate5m: failed = agent errors + transport
    # errors of severity error, over messages sent; `or vector(0)` for a counter not yet seen.
    agent_errors = f"sum({_rate(catalog.AGENT_ERRORS_TOTAL.name, window)})"
    failed = f"{catalog.AGENT_TRANSPORT_ERRORS_TOTAL.name}{{{rec.TRANSPORT_ERROR}}}"
    transport_errors = f"sum({_rate(failed, window)})"
    sent = f"sum({_rate(f'{catalog.AGENT_TRANSPORT_MESSAGES_TOTAL.name}{{{rec.SENT}}}', window)})"
    return f"({agent_errors} or vector(0))\n+ ({transport_errors} or vector(0))", sent


def _latency_events(window: str) -> tuple[str, str]:
    # Slow = all observations minus those in the le bucket; a difference of rates, not
    # 1 - ratio, so an error ratio exactly at the objective is exactly the budget (no float
    # residue that would fire a 1x burn alert).
    count = f"sum({_rate(f'{_latency.name}_count', window)})"
    le = f'le="{num(LATENCY_SLO_SECONDS)}"'
    fast = f"sum({_rate(f'{rec.bucket(_latency)}{{{le}}}', window)})"
    return f"{count}\n- {fast}", count


def _time_based_5m(builtin: str, spec: Spec) -> str:
    if builtin == "throughput":
        # Bad while the send rate is below the target (TransportThroughputLow's threshold and
        # recorded 1m rate), judged only once that rate has been recorded for a minute: over a
        # window the counters fill only in part (a fresh start, a join with backfilled
        # history) rate() reads low, and the first evaluations of a healthy start, the only
        # samples the SLO's windows then hold, would page. Until then the SLI is unknown.
        sent = f"{rec.TRANSPORT_MESSAGES_RATE}{{{rec.SENT}}}"
        return (
            f"(sum({sent}) < bool {num(spec.thresholds.transport_throughput_min_mps)})"
            f" and on () count({sent} offset 1m)"
        )
    # agent_health: bad while some agents job has no more than 80% of its agents healthy.
    # An instant sample (the recorded ratio is a gauge), taken every evaluation.
    return f"min({rec.HEALTHY_RATIO}) <= bool {num(HEALTHY_SHARE_MIN)}"


def error_ratio(slo: Slo, spec: Spec, window: str, sli_5m: str) -> str:
    """PromQL for ``slo``'s error ratio over ``window``. ``sli_5m`` selects the SLO's own
    recorded 5m error ratio, from which time-based SLIs build their longer windows."""
    sli = slo.sli
    if sli.builtin in TIME_BASED:
        if window == "5m":
            return _time_based_5m(sli.builtin, spec)
        return f"avg_over_time({sli_5m}[{window}])"
    if sli.builtin == "availability":
        errors, total = _availability_events(window)
    elif sli.builtin == "latency":
        errors, total = _latency_events(window)
    elif sli.error_ratio_query is not None:
        return f"({sli.error_ratio_query.replace(WINDOW_PLACEHOLDER, window)})"
    else:
        assert sli.error_query is not None
        assert sli.total_query is not None
        errors = sli.error_query.replace(WINDOW_PLACEHOLDER, window)
        total = sli.total_query.replace(WINDOW_PLACEHOLDER, window)
    # Sloth's events form.
    return f"(\n{errors}\n)\n/\n(\n{total}\n)"
