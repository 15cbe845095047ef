"""docs/runbooks.md: one section per alert, generated from the same definitions as the rules.

Each section's heading is the alert name, so GitHub's heading anchor is the alert name
lower-cased: exactly the ``runbook_url`` fragment every alert carries.
"""

from __future__ import annotations

from dataclasses import dataclass

from agentwatch import catalog
from agentwatch.catalog import recorded as rec
from agentwatch.generate import slo
from agentwatch.generate.rules import alerts, num
from agentwatch.generate.rules import constants as k
from agentwatch.spec import Spec

__all__ = ["runbooks_markdown"]


@dataclass(frozen=True, slots=True)
class _Runbook:
    meaning: str
    # PromQL to run in Prometheus (http://127.0.0.1:<prometheus port>/graph).
    queries: tuple[str, ...]
    # Where else to look: dashboard, exporter endpoint, logs.
    where: str
    actions: tuple[str, ...]


_HEADER = """\
# Runbooks

Generated from `src/agentwatch/generate/rules` and `src/agentwatch/generate/runbooks.py`;
do not edit by hand. Every alert's `runbook_url` points at its section here.

Each alert carries `severity` (`critical` pages, `warning` opens a ticket) and `category`
(the team route in Alertmanager). Thresholds below are those of the spec this file was generated
from; change them in `agentwatch.yaml` (`thresholds:`), never in the rules.
"""


def _runbooks(spec: Spec) -> dict[str, _Runbook]:
    t = spec.thresholds
    p = spec.ports
    c = catalog
    agents_metrics = f"http://127.0.0.1:{p.agent_exporter}/metrics"
    transport_metrics = f"http://127.0.0.1:{p.transport_exporter}/metrics"
    voice_metrics = f"http://127.0.0.1:{p.voice_exporter}/metrics"
    return {
        "FrameworkQualityDrop": _Runbook(
            "The framework exporter's overall quality score (0-100, seed 000) is below "
            f"{num(t.framework_quality_score_min)}: the agent definitions in the framework drifted "
            "from the template or lost documentation.",
            tuple(
                c.by_name(name).name
                for name in (
                    "claude_framework_quality_score",
                    "claude_template_compliance_rate",
                    "claude_documentation_consistency_score",
                )
            ),
            f"Quality Metrics dashboard; framework exporter on port {p.framework_exporter}.",
            (
                "Run `agentwatch framework scan PATH` on the framework to list the failing agents.",
                "Fix the agents that miss template sections, or revert the change that broke them.",
            ),
        ),
        "AgentPerformanceDegradation": _Runbook(
            f"The p95 time agents of one type take to process a message "
            f"({rec.RESPONSE_TIME}, milliseconds) is above {num(t.agent_response_time_max_ms)} ms.",
            (
                rec.RESPONSE_TIME,
                f"{rec.AGENT_P99}",
                f"{rec.QUEUE_DEPTH_MAX}",
                f'{rec.RESOURCE_USAGE_MAX}{{resource="cpu"}}',
            ),
            f"Agent Performance and Individual Agents dashboards; agent exporter {agents_metrics}.",
            (
                "If CPU is at its limit, the type is saturated: add agents or workers.",
                "If one agent_id is slow and the others are not, restart that agent.",
                "If a dependency the agents call got slower, follow it up with its owner.",
            ),
        ),
        "TransportThroughputLow": _Runbook(
            "Messages sent per second through the transport are below "
            f"{num(t.transport_throughput_min_mps)} (seed 004's capacity target).",
            (
                f"{rec.TRANSPORT_MESSAGES_RATE}",
                f"{rec.TRANSPORT_ERROR_RATIO}",
                f'up{{job="{k.TRANSPORT_JOB}"}}',
            ),
            f"Transport Layer dashboard; transport exporter {transport_metrics}.",
            (
                "If messages in and out dropped together, the load dropped: check the senders.",
                "If transport errors rose, see the error types in agent_transport_errors_total.",
                "If the target does not fit the deployment (a small or demo system), set "
                "`thresholds.transport_throughput_min_mps` in the spec.",
            ),
        ),
        "AgentFailurePredicted": _Runbook(
            "The analytics engine's failure model (docs/analytics/failure-prediction.md) "
            "predicts, from the agent's last 15 minutes of memory, cpu, queue, error, latency "
            f"and heartbeat signals, a risk above {num(t.failure_prediction_max)}/100 that the "
            "agent is killed for memory within 15 minutes.",
            (
                f"{c.FAILURE_PREDICTION_SCORE.name}",
                f"{c.AGENT_RESOURCE_USAGE.name}",
                f"{c.AGENT_HEALTH_SCORE.name}",
            ),
            f"Individual Agents dashboard; analytics exporter on port {p.analytics_exporter}.",
            (
                "Look for a rising memory share (leak) or error ratio on the named agent.",
                "Drain and restart the agent before it crashes; keep its metrics for the cause.",
            ),
        ),
        "SystemAvailabilityLow": _Runbook(
            "Over 5 minutes, availability = 1 - (agent errors + transport errors of severity "
            f"error) / messages sent fell below {num(t.availability_min)}. Transport warnings "
            "(rejected unauthorized senders) do not count as failures.",
            (
                f"{rec.AVAILABILITY}",
                f"sum by (agent_type, error_type) (rate({c.AGENT_ERRORS_TOTAL.name}[5m]))",
                f"sum by (error_type) (rate({c.AGENT_TRANSPORT_ERRORS_TOTAL.name}"
                f"{{{rec.TRANSPORT_ERROR}}}[5m]))",
            ),
            "System Overview and SLI/SLO dashboards (error budget burn).",
            (
                "Find the agent type or transport error type that dominates the errors.",
                "Roll back a recent change to it, or take failing agents out of rotation.",
            ),
        ),
        "MemoryUsageCritical": _Runbook(
            "An agent uses more than "
            f"{num(t.memory_usage_max_ratio)} of its memory limit; at the limit it is killed.",
            (
                f"{c.AGENT_RESOURCE_USAGE.name}{{{rec.MEMORY}}}",
                f"{c.AGENT_MEMORY_BYTES.name}",
                f"deriv({c.AGENT_MEMORY_BYTES.name}[30m])",
            ),
            f"Individual Agents dashboard; agent exporter {agents_metrics}.",
            (
                "Steady growth (positive deriv) is a leak: restart the agent and file a bug.",
                "A plateau near the limit means the limit is too small for the work: raise it.",
            ),
        ),
        "HighLatencyP99": _Runbook(
            "The transport's p99 delivery latency is above "
            f"{num(t.latency_p99_max_seconds)} s (from a sample of messages; see "
            "agent_transport_latency_sample_ratio).",
            tuple(name for _, name in rec.TRANSPORT_LATENCY.values()),
            f"Transport Layer dashboard; transport exporter {transport_metrics}.",
            (
                "If every quantile rose, the transport is saturated: check throughput and CPU.",
                "If only p99/p999 rose, look for queue backups at a few receivers (QueueBackup).",
            ),
        ),
        "AgentHealthLow": _Runbook(
            f"An agent's health score is below {num(t.agent_health_min)}/100. The score deducts "
            "for CPU, memory, queue depth, error ratio and a stale heartbeat "
            "(docs/metrics.md gives the formula).",
            (
                f"{c.AGENT_HEALTH_SCORE.name}",
                f"{rec.HEALTHY_RATIO}",
                f"time() - {c.AGENT_LAST_HEARTBEAT_TIMESTAMP_SECONDS.name}",
            ),
            f"Individual Agents dashboard; agent exporter {agents_metrics}.",
            (
                "Find which component deducts (resource usage, queue, errors, heartbeat) and "
                "follow that component's runbook.",
            ),
        ),
        "QueueBackup": _Runbook(
            f"More than {num(t.queue_depth_max)} messages wait in one agent's inbound queue: it "
            "receives faster than it processes.",
            (
                f"{c.AGENT_QUEUE_DEPTH.name}",
                f"{rec.QUEUE_DEPTH_SUM}",
                f"rate({c.AGENT_MESSAGES_PROCESSED_TOTAL.name}[5m])",
            ),
            "Message Flow and Individual Agents dashboards.",
            (
                "If processing slowed, see AgentPerformanceDegradation.",
                "If arrivals jumped, find the sender in message_flow_matrix_total and "
                "throttle it, or add agents of the receiving type.",
            ),
        ),
        "UnauthorizedAgentAccess": _Runbook(
            "Messages from senders that may not reach this agent type are being rejected.",
            (
                f"sum by (agent_type, reason) (rate({c.AGENT_UNAUTHORIZED_ACCESS_TOTAL.name}[5m]))",
                f"sum by (source_agent, target_agent) "
                f"(rate({c.MESSAGE_FLOW_MATRIX_TOTAL.name}[5m]))",
            ),
            "Message Flow dashboard; security team channel.",
            (
                "Identify the sending agent type; a new deployment with a wrong route is the "
                "usual cause.",
                "If no deployment explains it, treat it as an intrusion: isolate the sender.",
            ),
        ),
        "AnomalousMessagePattern": _Runbook(
            "The analytics engine's streaming detector (docs/analytics/anomaly.md) scores "
            f"the latest point of a monitored series at least {num(t.anomaly_score_max)} "
            "(scores are 0-1, judged against the series' own recent past).",
            (f"{c.ANOMALY_SCORE.name}", f"{rec.TRANSPORT_MESSAGES_RATE}"),
            f"Operational Analytics dashboard; analytics exporter on port {p.analytics_exporter}.",
            (
                "Compare the named series with the same hour last week.",
                "If there is no known cause (release, load test), escalate to security.",
            ),
        ),
        "EmergencyMessageFlood": _Runbook(
            "The transport sends more than "
            f"{num(t.emergency_message_rate_max)} emergency messages per second.",
            (
                f"sum by (job) (rate({c.AGENT_TRANSPORT_MESSAGES_TOTAL.name}"
                f"{{{rec.SENT}, {rec.EMERGENCY}}}[1m]))",
                f"sum by (source_agent) "
                f'(rate({c.MESSAGE_FLOW_MATRIX_TOTAL.name}{{message_type="emergency"}}[1m]))',
            ),
            "Message Flow dashboard.",
            (
                "Find the sending agent; a stuck monitor re-raising the same emergency is common.",
                "Throttle or stop the sender; check the receivers' queues (QueueBackup).",
            ),
        ),
        "RepeatedFailedLogins": _Runbook(
            f"More than {num(t.failed_logins_max)} console logins failed within 5 minutes.",
            (
                f"sum by (outcome) (increase({c.CONSOLE_LOGINS_TOTAL.name}[5m]))",
                f"sum by (component, reason) (rate({c.AGENTWATCH_AUTH_FAILURES_TOTAL.name}[5m]))",
            ),
            "The audit log, HOME/audit.log: each `login_failed` entry names the account "
            "tried and the client address.",
            (
                "Read the audit log's login_failed entries: one client trying many accounts "
                "is an attack; one account failing repeatedly is usually a stale password.",
                "For an attack, block the client address and rotate the console passwords "
                "(move HOME/secrets/secrets.json away and run `agentwatch up`).",
            ),
        ),
        "CardinalityOverflow": _Runbook(
            "An SDK family reached its cardinality limit (`cardinality:` in agentwatch.yaml) "
            "and new label sets are being folded into its `__overflow__` series: some code "
            "passes an unbounded value (a request id, a user name, an error message) as a "
            "label. Nothing recorded is lost, but the folded traffic can no longer be told "
            "apart, and an overflow agent's gauges only say 'some agent beyond the limit' "
            "(docs/cardinality.md).",
            (
                f"sum by (job, family) (increase({c.AGENTWATCH_CARDINALITY_OVERFLOW_TOTAL.name}"
                "[1h]))",
                f'{c.AGENT_MESSAGES_PROCESSED_TOTAL.name}{{source_agent="__overflow__"}}',
                f'{c.AGENT_STATUS.name}{{agent_id="__overflow__"}} == 1',
            ),
            "The warning the instrumented process logged at the first fold (logger "
            "`agentwatch.instrument._cardinality`) names the families, the limit and its "
            "`cardinality:` field; the exporter's /metrics (agent exporter "
            f"{agents_metrics}) shows the values that took the room before the limit; "
            "Prometheus' TSDB status page (/tsdb-status) lists the labels with the most values.",
            (
                "Find the label taking unbounded values among the family's series: the values "
                "that got in before the limit usually show which id or message is passed.",
                "Fix the instrumented code: pass a bounded value (the agent type, an error "
                "class rather than its message); keep the id in a span attribute instead.",
                "Only if the system really is that large, raise the `cardinality:` field the "
                "warning names (or CardinalityLimits on the SDK's constructor) and restart the "
                "process: what was folded stays folded.",
            ),
        ),
        "SecurityAgentDown": _Runbook(
            f"No agent of type `{k.SECURITY_AGENT_TYPE}` is alive, or none reports at all: "
            "nothing watches for security events.",
            (
                f'{c.SYSTEM_ACTIVE_AGENTS.name}{{agent_type="{k.SECURITY_AGENT_TYPE}"}}',
                f'{c.AGENT_STATUS.name}{{agent_type="{k.SECURITY_AGENT_TYPE}"}} == 1',
            ),
            f"System Overview dashboard; agent exporter {agents_metrics}.",
            (
                "Restart the security agents; read their last logs for the cause of the crash.",
                "If the series is absent, check the agent exporter (ExporterDown).",
            ),
        ),
        "VoiceBiometricAuthFailures": _Runbook(
            "More than "
            f"{num(t.voice_auth_failure_ratio_max)} of voice biometric authentications failed "
            "over 5 minutes.",
            (f"{rec.VOICE_AUTH_FAILURE_RATIO}", f"{rec.VOICE_AUDIO_ANOMALY_RATE}"),
            f"voice exporter {voice_metrics}.",
            (
                "If audio capture anomalies rose too, fix the capture path first.",
                "Otherwise suspect spoofing attempts: involve security.",
            ),
        ),
        "AudioCaptureAnomaly": _Runbook(
            "Audio capture anomalies (clipping, silence, dropout) happen more than "
            f"{num(t.audio_capture_anomaly_rate_max)} times per second.",
            (f"{rec.VOICE_AUDIO_ANOMALY_RATE}",),
            f"voice exporter {voice_metrics}.",
            (
                "Clipping: lower the input gain. Silence or dropout: check the device and "
                "its driver.",
            ),
        ),
        "VoiceRecognitionFalsePositives": _Runbook(
            "More than "
            f"{num(t.voice_false_positive_ratio_max)} of voice recognitions accepted a phrase "
            "nobody said.",
            (f"{rec.VOICE_FALSE_POSITIVE_RATIO}", f"{rec.VOICE_AUDIO_ANOMALY_RATE}"),
            f"voice exporter {voice_metrics}.",
            (
                "Raise the recognition acceptance threshold; check for audio anomalies.",
                "A false positive runs a command: review what was executed.",
            ),
        ),
        "TransportDown": _Runbook(
            f"Prometheus cannot scrape the transport exporter (job `{k.TRANSPORT_JOB}`). "
            "Alertmanager inhibits the agent alerts a transport outage causes.",
            (
                f'up{{job="{k.TRANSPORT_JOB}"}}',
                f'scrape_duration_seconds{{job="{k.TRANSPORT_JOB}"}}',
            ),
            f"Prometheus targets page; transport exporter {transport_metrics}.",
            (
                "Check that the process runs (`agentwatch status`) and answers on /metrics.",
                "Restart it (`agentwatch up`); if it crashes, read its log in the home directory.",
            ),
        ),
        "ExporterDown": _Runbook(
            "Prometheus cannot scrape an exporter (job "
            + ", ".join(f"`{j}`" for j in k.EXPORTER_JOBS)
            + "); its metrics and alerts are blind.",
            (f'up{{job=~"{"|".join(k.EXPORTER_JOBS)}"}}',),
            f"Prometheus targets page; {agents_metrics}, {voice_metrics}, "
            f"http://127.0.0.1:{p.analytics_exporter}/metrics (analytics: its own "
            f"{c.ANALYTICS_RUN_FAILURES_TOTAL.name} says which part fails and why in its log), "
            f"http://127.0.0.1:{p.framework_exporter}/metrics (framework: "
            f"{c.FRAMEWORK_SCAN_FAILURES_TOTAL.name} counts scans that could not run).",
            (
                "Check that the process runs (`agentwatch status`) and answers on /metrics.",
                "Restart it (`agentwatch up`); if it crashes, read its log in the home directory.",
            ),
        ),
        "MonitoringComponentDown": _Runbook(
            "Prometheus cannot scrape a part of the monitoring stack itself (job "
            + ", ".join(f"`{j}`" for j in k.MONITORING_JOBS)
            + "). An Alertmanager that does not answer delivers no notifications (with `--ha` "
            "the other one still does, which is how this alert reaches you); a Prometheus "
            "replica that does not answer evaluates no rules; a console that does not answer "
            "leaves its users without views.",
            (f'up{{job=~"{"|".join(k.MONITORING_JOBS)}"}}',),
            "`agentwatch status` (each component's health, pid and restarts); "
            "HOME/logs/supervisor.log (deaths and restarts, with the last lines of the "
            "component's log); the component's own log in HOME/logs/.",
            (
                "A process that runs but does not answer (hung, or stopped with SIGSTOP) is not "
                "restarted by the supervisor: find its pid in `agentwatch status` and kill it; "
                "the supervisor starts it again.",
                "A process that keeps dying: read why in its log, fix that, `agentwatch up`.",
            ),
        ),
        "AlertmanagerClusterDegraded": _Runbook(
            "With `agentwatch up --ha`, an Alertmanager sees fewer cluster members than there "
            "are Alertmanagers answering Prometheus: gossip between them is broken. Each side "
            "then sends its own notifications, so they may arrive twice, and a silence set on "
            "one may not reach the other.",
            (
                f'{k.ALERTMANAGER_CLUSTER_MEMBERS}{{job="{k.ALERTMANAGER_JOB}"}}',
                f'up{{job="{k.ALERTMANAGER_JOB}"}}',
                k.ALERTMANAGER_CLUSTER_FAILED_PEERS,
            ),
            "`agentwatch status` (each Alertmanager's view of its cluster); each Alertmanager's "
            "/api/v2/status (cluster peers and status); HOME/logs/alertmanager.log and "
            'alertmanager-2.log (gossip errors; "failed to join cluster" right after a '
            "start is normal); docs/ha.md.",
            (
                "Check that both gossip ports (`ports.alertmanager_gossip`, "
                "`ports.alertmanager_2_gossip`) are free of other programs and reachable on "
                "127.0.0.1, TCP and UDP.",
                "Restart the Alertmanager that is cut off (kill it; the supervisor starts it "
                "again and it rejoins through its --cluster.peer).",
            ),
        ),
        "AlertsNotReachingAlertmanager": _Runbook(
            "Prometheus fails to post alerts to every Alertmanager it knows, in every 5 minutes "
            "for the last 10: the alerts it fires reach no Alertmanager, so nobody is "
            "notified (this one included: it shows on Prometheus' /alerts page, not on the "
            "console's alerts view, which reads Alertmanager). The Alertmanager may be down (then "
            "`MonitoringComponentDown` fires too), refuse Prometheus' credentials, or be "
            "unreachable at the address Prometheus was given.",
            (
                f'rate({k.PROMETHEUS_NOTIFICATION_ERRORS}{{job="{k.PROMETHEUS_JOB}"}}[5m])',
                f'rate({k.PROMETHEUS_NOTIFICATIONS_SENT}{{job="{k.PROMETHEUS_JOB}"}}[5m])',
            ),
            "Prometheus' /api/v1/alertmanagers (the Alertmanagers it sends to); "
            'HOME/logs/prometheus.log ("Error sending alert", with the reason); '
            "`agentwatch status`.",
            (
                "A 401 in Prometheus' log: the Alertmanager refuses the credentials Prometheus "
                "sends (the `alertmanagers` basic_auth in HOME/config/prometheus.yml); if the "
                "home's secrets were changed by hand, `agentwatch down` then `agentwatch up` "
                "renders both sides from them again.",
                "Connection refused: start the Alertmanager (`agentwatch up`), or correct its "
                "address in the spec's `ports`.",
            ),
        ),
        "AlertmanagerNotificationsFailing": _Runbook(
            "More than "
            f"{num(t.notification_failure_ratio_max)} of the requests every Alertmanager made "
            "to one kind of receiver (the `integration` label: webhook, email, ...) failed "
            "over 5 minutes. Alertmanager retries until the group interval runs out and then "
            "drops the notification, so alerts are firing that nobody is told about.",
            (
                f'rate({k.ALERTMANAGER_NOTIFICATION_REQUESTS_FAILED}{{job="{k.ALERTMANAGER_JOB}"}}[5m])',
                f'rate({k.ALERTMANAGER_NOTIFICATION_REQUESTS}{{job="{k.ALERTMANAGER_JOB}"}}[5m])',
                f'increase({k.ALERTMANAGER_NOTIFICATIONS_FAILED}{{job="{k.ALERTMANAGER_JOB}"}}[1h])',
            ),
            'HOME/logs/alertmanager.log ("Notify for alerts failed", with the receiver and the '
            "error); the receiver's own logs; Alertmanager's /#/alerts page for what is firing "
            "meanwhile.",
            (
                "Check the receiver is up and answers the URL in the spec's `alerting` section "
                "(a webhook must answer 2xx).",
                "Fix the receiver or its address, then `agentwatch up` to reload; Alertmanager "
                "sends what is still firing at the next group interval.",
            ),
        ),
        "HomeFilesystemAlmostFull": _Runbook(
            "Less than "
            f"{num(t.home_filesystem_avail_min_ratio)} of the filesystem holding the agentwatch "
            "home is free. When it fills, Prometheus cannot write its WAL or compact blocks and "
            "stops storing samples, Alertmanager cannot keep silences, and agentwatch's own "
            "writers (audit log, console state, stack state, backups) refuse to write rather "
            "than leave half a file.",
            (
                f"{c.HOME_FILESYSTEM_AVAIL_BYTES.name}",
                f"{c.HOME_FILESYSTEM_AVAIL_BYTES.name} / {c.HOME_FILESYSTEM_SIZE_BYTES.name}",
                f"predict_linear({c.HOME_FILESYSTEM_AVAIL_BYTES.name}[6h], 24 * 3600)",
            ),
            "`agentwatch status` (free space on the home's filesystem); HOME/logs/supervisor.log "
            "(the supervisor warns when the threshold is crossed); `du -sh HOME/*` for what "
            "takes the room (Prometheus' own share is on its TSDB status page, /tsdb-status); "
            f"framework exporter http://127.0.0.1:{p.framework_exporter}/metrics.",
            (
                "Free space on that filesystem, or give Prometheus less to keep: "
                "`storage.retention` or `storage.retention_size` in agentwatch.yaml.",
                "Delete old backup archives and `HOME/data/prometheus/snapshots/` left behind.",
                "Move the home to a larger filesystem: `agentwatch down`, move the directory, "
                "`agentwatch up --home NEW`.",
            ),
        ),
    }


def runbooks_markdown(spec: Spec) -> str:
    """The whole of docs/runbooks.md for ``spec``."""
    books = _runbooks(spec)
    parts = [_HEADER]
    for alert in alerts(spec):
        book = books[alert.name]
        for_text = "at once" if alert.for_ == "0s" else f"after {alert.for_}"
        queries = "\n".join(f"    {q}" for q in book.queries)
        actions = "\n".join(f"- {a}" for a in book.actions)
        parts.append(
            f"## {alert.name}\n\n"
            f"`severity={alert.severity}`, `category={alert.category}`; fires {for_text} of\n\n"
            f"    {alert.expr.replace(chr(10), chr(10) + '    ')}\n\n"
            f"**What it means.** {book.meaning}\n\n"
            f"**What to check.** {book.where} In Prometheus:\n\n{queries}\n\n"
            f"**What to do.**\n\n{actions}\n"
        )
    parts.extend(_slo_sections(spec))
    return "\n".join(parts)


def _slo_sections(spec: Spec) -> list[str]:
    """One section per SLO burn-rate alert (page and ticket rules share the name)."""
    sections = []
    for s in spec.slos:
        name = slo.alert_name(s)
        ids = f'sloth_slo="{s.name}"'
        page, ticket = (slo.BURN_WINDOWS[kind] for kind in ("page", "ticket"))
        windows = "; ".join(
            f"{kind} ({sev}): {num(a.factor)}x over {a.long} and {a.short}, or "
            f"{num(b.factor)}x over {b.long} and {b.short}"
            for kind, sev, (a, b) in (("page", "critical", page), ("ticket", "warning", ticket))
        )
        if s.sli.builtin in slo.TIME_BASED:
            sli = (
                "The SLI is time-based: each 5m sample is 1 while the condition is bad, "
                "0 otherwise, and longer windows are the share of bad samples."
            )
        else:
            sli = "The SLI is the share of bad events among all events in each window."
        if page[0].factor * slo.error_budget(s) >= 1:
            # An error ratio cannot exceed 1: at this objective the fastest pair never fires.
            sli += (
                f" At {num(s.objective)}% the highest possible burn rate is "
                f"{num(round(1 / slo.error_budget(s), 6))}x, so only the "
                f"{num(page[1].factor)}x pair can page."
            )
        queries = "\n".join(
            f"    {q}{{{ids}}}"
            for q in (
                rec.slo_error_ratio("5m"),
                rec.slo_error_ratio("1h"),
                rec.SLO_CURRENT_BURN_RATE,
                rec.SLO_BUDGET_REMAINING,
            )
        )
        sections.append(
            f"## {name}\n\n"
            f"`category=slo`, `slo={s.name}`; multiwindow, multi-burn-rate alert on the "
            f"{s.name} SLO ({num(s.objective)}% over {s.period}). {windows}.\n\n"
            f"**What it means.** {s.description or s.name} {sli} A burn rate of 1 spends the "
            f"whole error budget ({num(slo.error_budget(s))}) in exactly {s.period}.\n\n"
            f"**What to check.** SLI/SLO dashboard; `agentwatch slo report`. In Prometheus:\n\n"
            f"{queries}\n\n"
            "**What to do.**\n\n"
            "- A page (critical) means the budget goes within hours to days: find the cause "
            "with the threshold alerts that fire alongside (availability, latency, throughput, "
            "agent health) and follow their runbooks.\n"
            "- A ticket (warning) is a slow leak: look at the period's trend and plan a fix "
            "before the budget runs out.\n"
        )
    return sections
