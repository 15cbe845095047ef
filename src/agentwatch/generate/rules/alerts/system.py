"""System alerts: the whole system's availability, and agentwatch's own health: exporters,
the monitoring stack, alert delivery, label cardinality and disk space."""

from __future__ import annotations

from collections.abc import Mapping

from agentwatch import catalog
from agentwatch.catalog import recorded as rec
from agentwatch.spec import Spec

from .. import constants as k
from .._number import num
from .._promtool_series import (
    AGENT,
    AGENTS_JOB,
    OUT_TASK,
    STEP,
    TRANSPORT,
    Series,
    counter,
    gauge,
    up,
)
from ._definition import Alert, AlertDefinition, Category, Runbook, fires, metrics_url, silent

__all__ = ["ALERTS", "CATEGORY"]

CATEGORY: Category = "system"

# What to do when Prometheus cannot scrape an agentwatch process.
_RESTART_EXPORTER = (
    "Check that the process runs (`agentwatch status`) and answers on /metrics.",
    "Restart it (`agentwatch up`); if it crashes, read its log in the home directory.",
)


def _jobs(jobs: tuple[str, ...]) -> str:
    """``jobs`` as a PromQL regular expression matcher on ``job``."""
    return f'job=~"{"|".join(jobs)}"'


def _alertmanager(n: int) -> dict[str, str]:
    """The labels Prometheus scrapes the ``n``-th of the HA pair's Alertmanagers with."""
    return {"job": k.ALERTMANAGER_JOB, "instance": f"{k.ALERTMANAGER_JOB}-{n}:9093"}


def system_availability_low(spec: Spec) -> Alert:
    minimum = spec.thresholds.availability_min
    sent_per_s = 1000.0
    msgs = catalog.AGENT_TRANSPORT_MESSAGES_TOTAL
    terr = catalog.AGENT_TRANSPORT_ERRORS_TOTAL

    def traffic(error_share: float) -> list[Series]:
        errors = error_share * sent_per_s
        return [
            counter(msgs, sent_per_s, **TRANSPORT, **OUT_TASK),
            counter(catalog.AGENT_ERRORS_TOTAL, errors / 2, **AGENT, error_type="timeout"),
            counter(terr, errors / 2, **TRANSPORT, error_type="queue_full", severity="error"),
            # Warnings (rejected senders) are not failures of the system: a large rate of
            # them must not make availability low.
            counter(terr, sent_per_s, **TRANSPORT, error_type="unauthorized", severity="warning"),
        ]

    budget = 1 - minimum
    return Alert(
        name="SystemAvailabilityLow",
        category=CATEGORY,
        severity="critical",
        expr=f"{rec.AVAILABILITY} < {num(minimum)}",
        summary=f"System availability is below {num(minimum)}",
        description="Over the last 5 minutes, {value} of sent messages were processed without"
        f" an agent or transport error (objective {num(minimum)}).",
        value_format="%.4f",
        runbook=Runbook(
            meaning="Over 5 minutes, availability = 1 - (agent errors + transport errors of "
            f"severity error) / messages sent fell below {num(minimum)}. Transport warnings "
            "(rejected unauthorized senders) do not count as failures.",
            queries=(
                f"{rec.AVAILABILITY}",
                f"sum by (agent_type, error_type) (rate({catalog.AGENT_ERRORS_TOTAL.name}[5m]))",
                f"sum by (error_type) (rate({terr.name}{{{rec.TRANSPORT_ERROR}}}[5m]))",
            ),
            where="System Overview and SLI/SLO dashboards (error budget burn).",
            actions=(
                "Find the agent type or transport error type that dominates the errors.",
                "Roll back a recent change to it, or take failing agents out of rotation.",
            ),
        ),
        cases=(
            fires(traffic(2 * budget), {}, 1 - 2 * budget),
            silent(traffic(budget / 2)),
        ),
    )


def cardinality_overflow(spec: Spec) -> Alert:
    fam = catalog.AGENTWATCH_CARDINALITY_OVERFLOW_TOTAL
    labels = {"job": AGENTS_JOB, "family": catalog.AGENT_STATUS.name}
    quiet = {"job": AGENTS_JOB, "family": catalog.AGENT_ERRORS_TOTAL.name}
    return Alert(
        name="CardinalityOverflow",
        category=CATEGORY,
        severity="warning",
        expr=f"sum by (job, family) (increase({fam.name}[5m])) > 0",
        summary="New label values are being folded into an __overflow__ series",
        description="{labels[job]} folded {value} new label sets of {labels[family]} into its"
        " __overflow__ series in the last 5 minutes: the family reached its cardinality"
        " limit, and some code passes an unbounded value (an id, a message) as a label.",
        value_format="%.0f",
        runbook=Runbook(
            meaning="An SDK family reached its cardinality limit (`cardinality:` in "
            "agentwatch.yaml) and new label sets are being folded into its `__overflow__` "
            "series: some code passes an unbounded value (a request id, a user name, an error "
            "message) as a label. Nothing recorded is lost, but the folded traffic can no "
            "longer be told apart, and an overflow agent's gauges only say 'some agent beyond "
            "the limit' (docs/cardinality.md).",
            queries=(
                f"sum by (job, family) (increase({fam.name}[1h]))",
                f'{catalog.AGENT_MESSAGES_PROCESSED_TOTAL.name}{{source_agent="__overflow__"}}',
                f'{catalog.AGENT_STATUS.name}{{agent_id="__overflow__"}} == 1',
            ),
            where="The warning the instrumented process logged at the first fold (logger "
            "`agentwatch.instrument._cardinality`) names the families, the limit and its "
            "`cardinality:` field; the exporter's /metrics (agent exporter "
            f"{metrics_url(spec.ports.agent_exporter)}) shows the values that took the room "
            "before the limit; Prometheus' TSDB status page (/tsdb-status) lists the labels "
            "with the most values.",
            actions=(
                "Find the label taking unbounded values among the family's series: the values "
                "that got in before the limit usually show which id or message is passed.",
                "Fix the instrumented code: pass a bounded value (the agent type, an error "
                "class rather than its message); keep the id in a span attribute instead.",
                "Only if the system really is that large, raise the `cardinality:` field the "
                "warning names (or CardinalityLimits on the SDK's constructor) and restart the "
                "process: what was folded stays folded.",
            ),
        ),
        cases=(
            # One new agent id a second beyond the limit: 300 folds in 5 minutes. (counter()
            # would take the label `family` for its own argument.)
            fires([Series(fam.name, labels, STEP, counter=True)], labels, 300),
            # Folds long ago (the counter no longer moves) and a family that never folded.
            silent([Series(fam.name, labels, 1200), Series(fam.name, quiet, 0, counter=True)]),
        ),
    )


def exporter_down(spec: Spec) -> Alert:
    p = spec.ports
    job = k.EXPORTER_JOBS[0]
    return Alert(
        name="ExporterDown",
        category=CATEGORY,
        severity="critical",
        expr=f"up{{{_jobs(k.EXPORTER_JOBS)}}} == 0",
        summary="An agentwatch exporter cannot be scraped",
        description="Prometheus cannot scrape {labels[instance]} (job {labels[job]}).",
        value_format="%.0f",
        runbook=Runbook(
            meaning="Prometheus cannot scrape an exporter (job "
            + ", ".join(f"`{j}`" for j in k.EXPORTER_JOBS)
            + "); its metrics and alerts are blind.",
            queries=(f"up{{{_jobs(k.EXPORTER_JOBS)}}}",),
            where=f"Prometheus targets page; {metrics_url(p.agent_exporter)}, "
            f"{metrics_url(p.voice_exporter)}, "
            f"{metrics_url(p.analytics_exporter)} (analytics: its own "
            f"{catalog.ANALYTICS_RUN_FAILURES_TOTAL.name} says which part fails and why in its "
            f"log), {metrics_url(p.framework_exporter)} (framework: "
            f"{catalog.FRAMEWORK_SCAN_FAILURES_TOTAL.name} counts scans that could not run).",
            actions=_RESTART_EXPORTER,
        ),
        cases=(
            fires([up(job, 0)], {"job": job, "instance": f"{job}:9100"}, 0),
            # The transport has its own alert; ExporterDown must not fire twice for it.
            silent([up(job, 1), up(k.TRANSPORT_JOB, 0)]),
        ),
    )


def monitoring_component_down(spec: Spec) -> Alert:
    job = k.ALERTMANAGER_JOB
    return Alert(
        name="MonitoringComponentDown",
        category=CATEGORY,
        severity="critical",
        expr=f"up{{{_jobs(k.MONITORING_JOBS)}}} == 0",
        summary="A part of the monitoring stack cannot be scraped",
        description="Prometheus cannot scrape {labels[instance]} (job {labels[job]}): alerts"
        " may go undelivered or the console dark.",
        value_format="%.0f",
        runbook=Runbook(
            meaning="Prometheus cannot scrape a part of the monitoring stack itself (job "
            + ", ".join(f"`{j}`" for j in k.MONITORING_JOBS)
            + "). An Alertmanager that does not answer delivers no notifications (with `--ha` "
            "the other one still does, which is how this alert reaches you); a Prometheus "
            "replica that does not answer evaluates no rules; a console that does not answer "
            "leaves its users without views.",
            queries=(f"up{{{_jobs(k.MONITORING_JOBS)}}}",),
            where="`agentwatch status` (each component's health, pid and restarts); "
            "HOME/logs/supervisor.log (deaths and restarts, with the last lines of the "
            "component's log); the component's own log in HOME/logs/.",
            actions=(
                "A process that runs but does not answer (hung, or stopped with SIGSTOP) is not "
                "restarted by the supervisor: find its pid in `agentwatch status` and kill it; "
                "the supervisor starts it again.",
                "A process that keeps dying: read why in its log, fix that, `agentwatch up`.",
            ),
        ),
        cases=(
            fires([up(job, 0)], {"job": job, "instance": f"{job}:9100"}, 0),
            # An exporter has its own alert; MonitoringComponentDown must not fire for it too.
            silent([up(job, 1), up(k.EXPORTER_JOBS[0], 0)]),
        ),
    )


def alertmanager_cluster_degraded(spec: Spec) -> Alert:
    job = f'job="{k.ALERTMANAGER_JOB}"'
    first, second = _alertmanager(1), _alertmanager(2)

    def members(who: Mapping[str, str], count: int) -> Series:
        return Series(k.ALERTMANAGER_CLUSTER_MEMBERS, who, count)

    def answers(who: Mapping[str, str], value: int) -> Series:
        return Series("up", who, value)

    return Alert(
        name="AlertmanagerClusterDegraded",
        category=CATEGORY,
        severity="warning",
        # Alertmanager's own gauge, present only with gossip on (`up --ha`): a member that
        # sees fewer peers than answer Prometheus is cut off, and both may notify.
        expr=f"{k.ALERTMANAGER_CLUSTER_MEMBERS}{{{job}}}"
        f" < on () group_left () count(up{{{job}}} == 1)",
        summary="An Alertmanager has lost its cluster peers",
        description="Alertmanager {labels[instance]} sees {value} cluster members while more"
        " Alertmanagers answer; notifications may be sent twice.",
        value_format="%.0f",
        runbook=Runbook(
            meaning="With `agentwatch up --ha`, an Alertmanager sees fewer cluster members than "
            "there are Alertmanagers answering Prometheus: gossip between them is broken. Each "
            "side then sends its own notifications, so they may arrive twice, and a silence set "
            "on one may not reach the other.",
            queries=(
                f"{k.ALERTMANAGER_CLUSTER_MEMBERS}{{{job}}}",
                f"up{{{job}}}",
                k.ALERTMANAGER_CLUSTER_FAILED_PEERS,
            ),
            where="`agentwatch status` (each Alertmanager's view of its cluster); each "
            "Alertmanager's /api/v2/status (cluster peers and status); "
            "HOME/logs/alertmanager.log and alertmanager-2.log (gossip errors; "
            '"failed to join cluster" right after a start is normal); docs/ha.md.',
            actions=(
                "Check that both gossip ports (`ports.alertmanager_gossip`, "
                "`ports.alertmanager_2_gossip`) are free of other programs and reachable on "
                "127.0.0.1, TCP and UDP.",
                "Restart the Alertmanager that is cut off (kill it; the supervisor starts it "
                "again and it rejoins through its --cluster.peer).",
            ),
        ),
        cases=(
            # Both answer, but the first sees only itself: cut off from its peer.
            fires(
                [answers(first, 1), answers(second, 1), members(first, 1), members(second, 2)],
                first,
                1,
            ),
            # The second is down: the first rightly sees one member (MonitoringComponentDown's).
            silent([answers(first, 1), answers(second, 0), members(first, 1)]),
        ),
    )


def alerts_not_reaching_alertmanager(spec: Spec) -> Alert:
    job = f'job="{k.PROMETHEUS_JOB}"'
    prometheus = {"job": k.PROMETHEUS_JOB, "instance": f"{k.PROMETHEUS_JOB}:9090"}

    def errors(alertmanager: int, per_second: float) -> Series:
        url = f"http://{_alertmanager(alertmanager)['instance']}/api/v2/alerts"
        return counter(k.PROMETHEUS_NOTIFICATION_ERRORS, per_second, **prometheus, alertmanager=url)

    return Alert(
        name="AlertsNotReachingAlertmanager",
        category=CATEGORY,
        severity="critical",
        # Failed posts to every Alertmanager Prometheus knows: one that takes them (the other
        # one, with --ha) is enough. Prometheus resends firing alerts each minute, so a lasting
        # failure keeps the 5m rate above 0 and one lost post does not.
        expr=f"min without (alertmanager) (rate({k.PROMETHEUS_NOTIFICATION_ERRORS}{{{job}}}[5m]))"
        " > 0",
        summary="Prometheus cannot deliver alerts to any Alertmanager",
        description="Prometheus {labels[instance]} fails {value} alert posts/s to every"
        " Alertmanager; the alerts it fires reach nobody.",
        value_format="%.3f",
        runbook=Runbook(
            meaning="Prometheus fails to post alerts to every Alertmanager it knows, in every 5 "
            "minutes for the last 10: the alerts it fires reach no Alertmanager, so nobody is "
            "notified (this one included: it shows on Prometheus' /alerts page, not on the "
            "console's alerts view, which reads Alertmanager). The Alertmanager may be down "
            "(then `MonitoringComponentDown` fires too), refuse Prometheus' credentials, or be "
            "unreachable at the address Prometheus was given.",
            queries=(
                f"rate({k.PROMETHEUS_NOTIFICATION_ERRORS}{{{job}}}[5m])",
                f"rate({k.PROMETHEUS_NOTIFICATIONS_SENT}{{{job}}}[5m])",
            ),
            where="Prometheus' /api/v1/alertmanagers (the Alertmanagers it sends to); "
            'HOME/logs/prometheus.log ("Error sending alert", with the reason); '
            "`agentwatch status`.",
            actions=(
                "A 401 in Prometheus' log: the Alertmanager refuses the credentials Prometheus "
                "sends (the `alertmanagers` basic_auth in HOME/config/prometheus.yml); if the "
                "home's secrets were changed by hand, `agentwatch down` then `agentwatch up` "
                "renders both sides from them again.",
                "Connection refused: start the Alertmanager (`agentwatch up`), or correct its "
                "address in the spec's `ports`.",
            ),
        ),
        cases=(
            # Every post to both Alertmanagers fails; one of the two taking them is enough.
            fires([errors(1, 1 / 60), errors(2, 1 / 60)], prometheus, 1 / 60),
            silent([errors(1, 1 / 60), errors(2, 0)]),
        ),
    )


def alertmanager_notifications_failing(spec: Spec) -> Alert:
    limit = spec.thresholds.notification_failure_ratio_max
    job = f'job="{k.ALERTMANAGER_JOB}"'
    requests_per_s = 1.0

    def requests(n: int, failed_share: float) -> list[Series]:
        who = {**_alertmanager(n), "integration": "webhook"}
        return [
            counter(k.ALERTMANAGER_NOTIFICATION_REQUESTS, requests_per_s, **who),
            counter(
                k.ALERTMANAGER_NOTIFICATION_REQUESTS_FAILED, requests_per_s * failed_share, **who
            ),
        ]

    high = min(2 * limit, (1 + limit) / 2)
    return Alert(
        name="AlertmanagerNotificationsFailing",
        category=CATEGORY,
        severity="critical",
        # The share of failed requests to a receiver, for the Alertmanager that fails least:
        # with --ha, a peer that delivers is enough.
        expr=f"min by (integration) ("
        f"rate({k.ALERTMANAGER_NOTIFICATION_REQUESTS_FAILED}{{{job}}}[5m])"
        f" / rate({k.ALERTMANAGER_NOTIFICATION_REQUESTS}{{{job}}}[5m])"
        f") > {num(limit)}",
        summary="Alertmanager cannot deliver notifications",
        description="{value} of the requests to {labels[integration]} receivers failed over 5"
        f" minutes (limit {num(limit)}) on every Alertmanager; notifications are not reaching"
        " people.",
        value_format="%.3f",
        runbook=Runbook(
            meaning=f"More than {num(limit)} of the requests every Alertmanager made "
            "to one kind of receiver (the `integration` label: webhook, email, ...) failed "
            "over 5 minutes. Alertmanager retries until the group interval runs out and then "
            "drops the notification, so alerts are firing that nobody is told about.",
            queries=(
                f"rate({k.ALERTMANAGER_NOTIFICATION_REQUESTS_FAILED}{{{job}}}[5m])",
                f"rate({k.ALERTMANAGER_NOTIFICATION_REQUESTS}{{{job}}}[5m])",
                f"increase({k.ALERTMANAGER_NOTIFICATIONS_FAILED}{{{job}}}[1h])",
            ),
            where='HOME/logs/alertmanager.log ("Notify for alerts failed", with the receiver and '
            "the error); the receiver's own logs; Alertmanager's /#/alerts page for what is "
            "firing meanwhile.",
            actions=(
                "Check the receiver is up and answers the URL in the spec's `alerting` section "
                "(a webhook must answer 2xx).",
                "Fix the receiver or its address, then `agentwatch up` to reload; Alertmanager "
                "sends what is still firing at the next group interval.",
            ),
        ),
        cases=(
            fires([*requests(1, high), *requests(2, 1.0)], {"integration": "webhook"}, high),
            # The first fails them all, but its peer delivers: notifications still reach people.
            silent([*requests(1, 1.0), *requests(2, limit / 2)]),
        ),
    )


def home_filesystem_almost_full(spec: Spec) -> Alert:
    minimum = spec.thresholds.home_filesystem_avail_min_ratio
    avail, size = catalog.HOME_FILESYSTEM_AVAIL_BYTES, catalog.HOME_FILESYSTEM_SIZE_BYTES
    size_bytes = 64 * 2**30

    def filesystem(free: float) -> list[Series]:
        return [gauge(avail, round(size_bytes * free)), gauge(size, size_bytes)]

    low = minimum / 2
    return Alert(
        name="HomeFilesystemAlmostFull",
        category=CATEGORY,
        severity="warning",
        expr=f"{avail.name} / {size.name} < {num(minimum)}",
        summary="The filesystem holding the agentwatch home is almost full",
        description="{value} of the filesystem holding the agentwatch home is free"
        f" (minimum {num(minimum)}); when it is full, Prometheus stops storing samples.",
        value_format="%.3f",
        runbook=Runbook(
            meaning=f"Less than {num(minimum)} of the filesystem holding the agentwatch "
            "home is free. When it fills, Prometheus cannot write its WAL or compact blocks and "
            "stops storing samples, Alertmanager cannot keep silences, and agentwatch's own "
            "writers (audit log, console state, stack state, backups) refuse to write rather "
            "than leave half a file.",
            queries=(
                f"{avail.name}",
                f"{avail.name} / {size.name}",
                f"predict_linear({avail.name}[6h], 24 * 3600)",
            ),
            where="`agentwatch status` (free space on the home's filesystem); "
            "HOME/logs/supervisor.log (the supervisor warns when the threshold is crossed); "
            "`du -sh HOME/*` for what takes the room (Prometheus' own share is on its TSDB "
            "status page, /tsdb-status); framework exporter "
            f"{metrics_url(spec.ports.framework_exporter)}.",
            actions=(
                "Free space on that filesystem, or give Prometheus less to keep: "
                "`storage.retention` or `storage.retention_size` in agentwatch.yaml.",
                "Delete old backup archives and `HOME/data/prometheus/snapshots/` left behind.",
                "Move the home to a larger filesystem: `agentwatch down`, move the directory, "
                "`agentwatch up --home NEW`.",
            ),
        ),
        cases=(
            # Half the minimum fires; the minimum and a little more stays silent (strictly
            # below).
            fires(filesystem(low), {}, round(size_bytes * low) / size_bytes),
            silent(filesystem(min(1.0, minimum * 1.01))),
        ),
    )


# In the order of their rules in alerts-system.yml.
ALERTS: tuple[AlertDefinition, ...] = (
    system_availability_low,
    cardinality_overflow,
    exporter_down,
    monitoring_component_down,
    alertmanager_cluster_degraded,
    alerts_not_reaching_alertmanager,
    alertmanager_notifications_failing,
    home_filesystem_almost_full,
)
