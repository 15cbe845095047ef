"""Security alerts: intruders, floods, anomalies, password guessing, and no security agent."""

from __future__ import annotations

from agentwatch import catalog
from agentwatch.catalog import recorded as rec
from agentwatch.catalog import scrape
from agentwatch.spec import Spec

from .. import constants as k
from .._number import num
from .._promtool_series import AGENTS_JOB, OUT_TASK, TRANSPORT, Series, counter, gauge
from ._definition import Alert, AlertDefinition, Category, Runbook, fires, metrics_url, silent

__all__ = ["ALERTS", "CATEGORY"]

CATEGORY: Category = "security"


def unauthorized_agent_access(spec: Spec) -> Alert:
    fam = catalog.AGENT_UNAUTHORIZED_ACCESS_TOTAL
    labels = {"agent_type": "database", "reason": "sender_not_allowed"}
    return Alert(
        name="UnauthorizedAgentAccess",
        category=CATEGORY,
        severity="critical",
        expr=f"sum by (agent_type, reason) (rate({fam.name}[5m])) > 0",
        summary="Unauthorized messages are reaching an agent type",
        description="{labels[agent_type]} agents reject {value} unauthorized messages/s"
        " (reason {labels[reason]}).",
        value_format="%.3f",
        runbook=Runbook(
            meaning="Messages from senders that may not reach this agent type are being rejected.",
            queries=(
                f"sum by (agent_type, reason) (rate({fam.name}[5m]))",
                f"sum by (source_agent, target_agent) "
                f"(rate({catalog.MESSAGE_FLOW_MATRIX_TOTAL.name}[5m]))",
            ),
            where="Message Flow dashboard; security team channel.",
            actions=(
                "Identify the sending agent type; a new deployment with a wrong route is the "
                "usual cause.",
                "If no deployment explains it, treat it as an intrusion: isolate the sender.",
            ),
        ),
        cases=(
            fires([counter(fam, 0.1, **labels)], labels, 0.1),
            # A counter that stopped increasing: old attempts are not a current attack.
            silent([Series(fam.name, labels, 5)]),
        ),
    )


def anomalous_message_pattern(spec: Spec) -> Alert:
    limit = spec.thresholds.anomaly_score_max
    fam = catalog.ANOMALY_SCORE
    labels = {"series": "transport_messages"}
    high = (limit + 1) / 2
    return Alert(
        name="AnomalousMessagePattern",
        category=CATEGORY,
        severity="warning",
        expr=f"{fam.name} >= {num(limit)}",
        summary="A monitored series behaves anomalously",
        description="Series {labels[series]} has anomaly score {value}"
        f" (anomalous from {num(limit)}).",
        runbook=Runbook(
            meaning="The analytics engine's streaming detector (docs/analytics/anomaly.md) scores "
            f"the latest point of a monitored series at least {num(limit)} "
            "(scores are 0-1, judged against the series' own recent past).",
            queries=(f"{fam.name}", f"{rec.TRANSPORT_MESSAGES_RATE}"),
            where="Operational Analytics dashboard; analytics exporter on port "
            f"{spec.ports.analytics_exporter}.",
            actions=(
                "Compare the named series with the same hour last week.",
                "If there is no known cause (release, load test), escalate to security.",
            ),
        ),
        cases=(
            fires([gauge(fam, high, **labels)], labels, high),
            silent([gauge(fam, limit / 2, **labels)]),
        ),
    )


def emergency_message_flood(spec: Spec) -> Alert:
    limit = spec.thresholds.emergency_message_rate_max
    msgs = catalog.AGENT_TRANSPORT_MESSAGES_TOTAL
    emergency = {"direction": "out", "msg_type": "emergency", "priority": "emergency"}
    return Alert(
        name="EmergencyMessageFlood",
        category=CATEGORY,
        severity="critical",
        expr=f"sum by (job) (rate({msgs.name}{{{rec.SENT}, {rec.EMERGENCY}}}[1m])) > {num(limit)}",
        summary="Emergency messages are flooding the transport",
        description=f"{{labels[job]}} sends {{value}} emergency messages/s (limit {num(limit)}).",
        value_format="%.0f",
        runbook=Runbook(
            meaning=f"The transport sends more than {num(limit)} emergency messages per second.",
            queries=(
                f"sum by (job) (rate({msgs.name}{{{rec.SENT}, {rec.EMERGENCY}}}[1m]))",
                f"sum by (source_agent) "
                f'(rate({catalog.MESSAGE_FLOW_MATRIX_TOTAL.name}{{message_type="emergency"}}[1m]))',
            ),
            where="Message Flow dashboard.",
            actions=(
                "Find the sending agent; a stuck monitor re-raising the same emergency is common.",
                "Throttle or stop the sender; check the receivers' queues (QueueBackup).",
            ),
        ),
        cases=(
            fires([counter(msgs, 2 * limit, **TRANSPORT, **emergency)], TRANSPORT, 2 * limit),
            # Plenty of ordinary traffic, a trickle of emergencies: no flood.
            silent(
                [
                    counter(msgs, limit / 2, **TRANSPORT, **emergency),
                    counter(msgs, 100 * limit, **TRANSPORT, **OUT_TASK),
                ]
            ),
        ),
    )


def security_agent_down(spec: Spec) -> Alert:
    fam = catalog.SYSTEM_ACTIVE_AGENTS
    security = {"agent_type": k.SECURITY_AGENT_TYPE}
    selector = f'{fam.name}{{agent_type="{k.SECURITY_AGENT_TYPE}"}}'
    return Alert(
        name="SecurityAgentDown",
        category=CATEGORY,
        severity="critical",
        # No series at all (exporter gone, or the type never registered) counts as down.
        expr=f"sum by (agent_type) ({selector}) == 0\nor absent({selector})",
        summary="No security agent is running",
        description="{labels[agent_type]} agents alive: 0. Nothing is watching for security"
        " events.",
        value_format="%.0f",
        runbook=Runbook(
            meaning=f"No agent of type `{k.SECURITY_AGENT_TYPE}` is alive, or none reports at "
            "all: nothing watches for security events.",
            queries=(
                selector,
                f'{catalog.AGENT_STATUS.name}{{agent_type="{k.SECURITY_AGENT_TYPE}"}} == 1',
            ),
            where="System Overview dashboard; agent exporter "
            f"{metrics_url(spec.ports.agent_exporter)}.",
            actions=(
                "Restart the security agents; read their last logs for the cause of the crash.",
                "If the series is absent, check the agent exporter (ExporterDown).",
            ),
        ),
        cases=(
            fires(
                [
                    gauge(fam, 0, job=AGENTS_JOB, **security),
                    gauge(fam, 2, job=AGENTS_JOB, agent_type="web"),
                ],
                security,
                0,
            ),
            # No series for the security type at all also counts as down.
            fires([gauge(fam, 2, job=AGENTS_JOB, agent_type="web")], security, 1),
            silent([gauge(fam, 2, job=AGENTS_JOB, **security)]),
        ),
    )


def repeated_failed_logins(spec: Spec) -> Alert:
    limit = spec.thresholds.failed_logins_max
    fam = catalog.CONSOLE_LOGINS_TOTAL
    job = {"job": scrape.CONSOLE_JOB}
    return Alert(
        name="RepeatedFailedLogins",
        category=CATEGORY,
        severity="warning",
        expr=f'sum by (job) (increase({fam.name}{{outcome="failure"}}[5m])) > {num(limit)}',
        summary="Console logins keep failing",
        description="{value} failed console logins in the last 5 minutes"
        f" (limit {num(limit)}): someone may be guessing passwords.",
        value_format="%.0f",
        runbook=Runbook(
            meaning=f"More than {num(limit)} console logins failed within 5 minutes.",
            queries=(
                f"sum by (outcome) (increase({fam.name}[5m]))",
                "sum by (component, reason) "
                f"(rate({catalog.AGENTWATCH_AUTH_FAILURES_TOTAL.name}[5m]))",
            ),
            where="The audit log, HOME/audit.log: each `login_failed` entry names the account "
            "tried and the client address.",
            actions=(
                "Read the audit log's login_failed entries: one client trying many accounts "
                "is an attack; one account failing repeatedly is usually a stale password.",
                "For an attack, block the client address and rotate the console passwords "
                "(move HOME/secrets/secrets.json away and run `agentwatch up`).",
            ),
        ),
        cases=(
            # 5-minute increases of 3 x limit (an attack) and limit / 2 (typos), with steady
            # successful logins.
            fires(
                [
                    counter(fam, 3 * limit / 300, outcome="failure", **job),
                    counter(fam, 1, outcome="success", **job),
                ],
                job,
                3 * limit,
            ),
            silent([counter(fam, limit / 2 / 300, outcome="failure", **job)]),
        ),
    )


# In the order of their rules in alerts-security.yml.
ALERTS: tuple[AlertDefinition, ...] = (
    unauthorized_agent_access,
    anomalous_message_pattern,
    emergency_message_flood,
    security_agent_down,
    repeated_failed_logins,
)
