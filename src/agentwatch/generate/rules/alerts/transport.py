"""Transport alerts: the message bus between agents is starved, slow or not scraped."""

from __future__ import annotations

from agentwatch import catalog
from agentwatch.catalog import recorded as rec
from agentwatch.spec import Spec

from .. import constants as k
from .._number import num
from .._promtool_series import (
    OUT_TASK,
    TRANSPORT,
    Series,
    bucket_above,
    bucket_below,
    bucket_quantile,
    counter,
    histogram,
    up,
)
from ._definition import Alert, AlertDefinition, Category, Runbook, fires, metrics_url, silent

__all__ = ["ALERTS", "CATEGORY"]

CATEGORY: Category = "transport"


def transport_throughput_low(spec: Spec) -> Alert:
    minimum = spec.thresholds.transport_throughput_min_mps
    msgs = catalog.AGENT_TRANSPORT_MESSAGES_TOTAL
    received = {**OUT_TASK, "direction": "in"}

    def traffic(rate: float) -> list[Series]:
        # Messages received count once more; only those sent are throughput.
        return [
            counter(msgs, rate, **TRANSPORT, **OUT_TASK),
            counter(msgs, rate, **TRANSPORT, **received),
        ]

    return Alert(
        name="TransportThroughputLow",
        category=CATEGORY,
        severity="critical",
        expr=f"{rec.TRANSPORT_MESSAGES_RATE}{{{rec.SENT}}} < {num(minimum)}",
        summary=f"Transport throughput is below {num(minimum)} messages per second",
        description="Transport job {labels[job]} sends {value} messages/s"
        f" (minimum {num(minimum)}).",
        value_format="%.0f",
        runbook=Runbook(
            meaning="Messages sent per second through the transport are below "
            f"{num(minimum)} (seed 004's capacity target).",
            queries=(
                f"{rec.TRANSPORT_MESSAGES_RATE}",
                f"{rec.TRANSPORT_ERROR_RATIO}",
                f'up{{job="{k.TRANSPORT_JOB}"}}',
            ),
            where="Transport Layer dashboard; transport exporter "
            f"{metrics_url(spec.ports.transport_exporter)}.",
            actions=(
                "If messages in and out dropped together, the load dropped: check the senders.",
                "If transport errors rose, see the error types in agent_transport_errors_total.",
                "If the target does not fit the deployment (a small or demo system), set "
                "`thresholds.transport_throughput_min_mps` in the spec.",
            ),
        ),
        cases=(
            fires(traffic(minimum / 2), {"job": k.TRANSPORT_JOB, "direction": "out"}, minimum / 2),
            silent(traffic(minimum * 2)),
        ),
    )


def high_latency_p99(spec: Spec) -> Alert:
    limit = spec.thresholds.latency_p99_max_seconds
    fam = catalog.AGENT_TRANSPORT_LATENCY_SECONDS
    hi_lo, hi_hi = bucket_above(fam, limit)
    lo_lo, lo_hi = bucket_below(fam, limit)
    labels = {**TRANSPORT, "msg_type": "task"}
    return Alert(
        name="HighLatencyP99",
        category=CATEGORY,
        severity="warning",
        expr=f"{rec.TRANSPORT_LATENCY['p99'][1]} > {num(limit)}",
        summary="Transport p99 latency is high",
        description="p99 delivery latency of {labels[job]} is {value} s"
        f" (limit {num(limit)} s).",
        value_format="%.3f",
        runbook=Runbook(
            meaning="The transport's p99 delivery latency is above "
            f"{num(limit)} s (from a sample of messages; see "
            "agent_transport_latency_sample_ratio).",
            queries=tuple(name for _, name in rec.TRANSPORT_LATENCY.values()),
            where="Transport Layer dashboard; transport exporter "
            f"{metrics_url(spec.ports.transport_exporter)}.",
            actions=(
                "If every quantile rose, the transport is saturated: check throughput and CPU.",
                "If only p99/p999 rose, look for queue backups at a few receivers (QueueBackup).",
            ),
        ),
        cases=(
            fires(
                histogram(fam, hi_lo, hi_hi, **labels),
                TRANSPORT,
                bucket_quantile(0.99, hi_lo, hi_hi),
            ),
            silent(histogram(fam, lo_lo, lo_hi, **labels)),
        ),
    )


def transport_down(spec: Spec) -> Alert:
    job = k.TRANSPORT_JOB
    return Alert(
        name="TransportDown",
        category=CATEGORY,
        severity="critical",
        # `up` is Prometheus's own scrape-health series, not an agentwatch metric.
        expr=f'up{{job="{job}"}} == 0',
        summary="The transport exporter cannot be scraped",
        description="Prometheus cannot scrape {labels[instance]} (job {labels[job]}).",
        value_format="%.0f",
        runbook=Runbook(
            meaning=f"Prometheus cannot scrape the transport exporter (job `{job}`). "
            "Alertmanager inhibits the agent alerts a transport outage causes.",
            queries=(f'up{{job="{job}"}}', f'scrape_duration_seconds{{job="{job}"}}'),
            where="Prometheus targets page; transport exporter "
            f"{metrics_url(spec.ports.transport_exporter)}.",
            actions=(
                "Check that the process runs (`agentwatch status`) and answers on /metrics.",
                "Restart it (`agentwatch up`); if it crashes, read its log in the home directory.",
            ),
        ),
        cases=(
            fires([up(job, 0)], {"job": job, "instance": f"{job}:9100"}, 0),
            silent([up(job, 1)]),
        ),
    )


# In the order of their rules in alerts-transport.yml.
ALERTS: tuple[AlertDefinition, ...] = (transport_throughput_low, high_latency_p99, transport_down)
