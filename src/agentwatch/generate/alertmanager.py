"""alertmanager.yml from the spec: seed 004's route, team and SLO routes, and inhibition.

Pure: the spec in, a plain dict out (``agentwatch.render`` writes it). Secrets never appear in
the result: the PagerDuty routing key and web-hook tokens are ``*_file`` paths into
``secrets_dir``, which Alertmanager reads when it sends a notification.

Routing, first match wins (every child inherits ``group_by`` and the timings):

- ``category="security"`` → the security web hook; critical ones also page.
- ``category="voice"`` → the voice team's web hook; critical ones also page.
- ``category="business"`` → the executives' web hook (business-impact alerts, never paged).
- ``category="slo"``: fast burn (critical) pages at once; slow burn (warning) pages only in
  business hours (seed 004).
- ``severity="critical"`` → PagerDuty.
- everything else → the default web hook: ``alerting.webhook_url``, or unset, the console's
  (it keeps the notification log of its Notifications page).

PagerDuty is off by default (a fresh checkout has no routing key): then "page" means the web
hook of the alert's team, or the default one, and no PagerDuty receiver is written at all, so
the default config names no secret file that could be missing.
"""

from __future__ import annotations

import posixpath
from typing import Any

from agentwatch.security import ALERT_WEBHOOK_TOKEN_FILE
from agentwatch.spec import Spec

from .console_links import console_webhook_url

__all__ = [
    "AGENT_ALERTS_SILENCED_BY_TRANSPORT_DOWN",
    "BUSINESS_HOURS",
    "DEFAULT_RECEIVER",
    "DEFAULT_SECRETS_DIR",
    "EXECUTIVE_RECEIVER",
    "PAGERDUTY_RECEIVER",
    "SECURITY_PAGERDUTY_RECEIVER",
    "SECURITY_RECEIVER",
    "VOICE_PAGERDUTY_RECEIVER",
    "VOICE_RECEIVER",
    "alertmanager_config",
]

# Where the production tree (docker-compose.monitoring.yml) mounts the secrets; the local
# stack passes its home's secrets directory instead.
DEFAULT_SECRETS_DIR = "/etc/alertmanager/secrets"

# Seed 004 names the default receiver ``web.hook`` and the critical one ``pagerduty``.
DEFAULT_RECEIVER = "web.hook"
PAGERDUTY_RECEIVER = "pagerduty"
SECURITY_RECEIVER = "security"
SECURITY_PAGERDUTY_RECEIVER = "security-pagerduty"
VOICE_RECEIVER = "voice"
# The business-impact alerts' receiver (seed 000: executives see the business views).
EXECUTIVE_RECEIVER = "executive"
VOICE_PAGERDUTY_RECEIVER = "voice-pagerduty"

BUSINESS_HOURS = "business-hours"
CONSOLE_MAX_ALERTS = 20

# With the transport down, agents starve or queue up: these alerts are its symptoms, and
# paging for them too would bury the cause.
AGENT_ALERTS_SILENCED_BY_TRANSPORT_DOWN: tuple[str, ...] = (
    "AgentHealthLow",
    "AgentPerformanceDegradation",
    "HighLatencyP99",
    "QueueBackup",
    "TransportThroughputLow",
)

# Labels two alerts must share for a critical one to silence a warning one: the same alert in
# the same cluster, and, for SLO burn alerts that share a name, the same SLO (a label missing
# from both counts as equal, so alerts without ``slo`` are unaffected).
_SAME_ALERT = ["alertname", "cluster", "slo"]


def _secret(secrets_dir: str, name: str) -> str:
    # Alertmanager paths are POSIX, whatever machine generates the file.
    return posixpath.join(secrets_dir, name)


def _webhook(url: str, token_file: str | None, secrets_dir: str) -> dict[str, Any]:
    config: dict[str, Any] = {"url": url, "send_resolved": True}
    if token_file is not None:
        # Alertmanager 0.25 has no ``url_file`` for web hooks, so the URL is configuration and
        # the token, the secret part, travels in the Authorization header from a file.
        config["http_config"] = {
            "authorization": {
                "type": "Bearer",
                "credentials_file": _secret(secrets_dir, token_file),
            }
        }
    return config


def _pagerduty(spec: Spec, secrets_dir: str) -> dict[str, Any]:
    alerting = spec.alerting
    config: dict[str, Any] = {
        "routing_key_file": _secret(secrets_dir, alerting.pagerduty_routing_key_file),
        "send_resolved": True,
        # Our severities (critical, warning) are PagerDuty's own words for the same thing.
        "severity": "{{ .CommonLabels.severity }}",
    }
    if alerting.pagerduty_url is not None:
        config["url"] = alerting.pagerduty_url
    return config


def _receivers(spec: Spec, secrets_dir: str) -> list[dict[str, Any]]:
    alerting = spec.alerting

    def default() -> dict[str, Any]:
        if alerting.webhook_url is None:
            console = _webhook(console_webhook_url(spec), ALERT_WEBHOOK_TOKEN_FILE, secrets_dir)
            # Alerts past this are counted (truncatedAlerts), not sent: the body stays well
            # below the console's request size limit (64 KiB; an alert is about 1.5 KiB).
            console["max_alerts"] = CONSOLE_MAX_ALERTS
            return console
        return _webhook(alerting.webhook_url, alerting.webhook_token_file, secrets_dir)

    def team(url: str | None, token_file: str | None) -> dict[str, Any]:
        # A team without its own hook shares the default one, with the default one's token.
        return default() if url is None else _webhook(url, token_file, secrets_dir)

    # Each receiver gets its own dicts: a dict shared between two places would be written as
    # a YAML anchor and alias, which is valid but hard to read and to diff.
    def security() -> dict[str, Any]:
        return team(alerting.security_webhook_url, alerting.security_webhook_token_file)

    def voice() -> dict[str, Any]:
        return team(alerting.voice_webhook_url, alerting.voice_webhook_token_file)

    def executive() -> dict[str, Any]:
        return team(alerting.executive_webhook_url, alerting.executive_webhook_token_file)

    receivers: list[dict[str, Any]] = [
        {"name": DEFAULT_RECEIVER, "webhook_configs": [default()]},
        {"name": SECURITY_RECEIVER, "webhook_configs": [security()]},
        {"name": VOICE_RECEIVER, "webhook_configs": [voice()]},
        {"name": EXECUTIVE_RECEIVER, "webhook_configs": [executive()]},
    ]
    if alerting.pagerduty:
        receivers += [
            {"name": PAGERDUTY_RECEIVER, "pagerduty_configs": [_pagerduty(spec, secrets_dir)]},
            # The team hears about its own pages too.
            {
                "name": SECURITY_PAGERDUTY_RECEIVER,
                "webhook_configs": [security()],
                "pagerduty_configs": [_pagerduty(spec, secrets_dir)],
            },
            {
                "name": VOICE_PAGERDUTY_RECEIVER,
                "webhook_configs": [voice()],
                "pagerduty_configs": [_pagerduty(spec, secrets_dir)],
            },
        ]
    return receivers


def _team_route(category: str, receiver: str, paging: str | None) -> dict[str, Any]:
    route: dict[str, Any] = {"matchers": [f'category="{category}"'], "receiver": receiver}
    if paging is not None:
        route["routes"] = [{"matchers": ['severity="critical"'], "receiver": paging}]
    return route


def _routes(spec: Spec) -> list[dict[str, Any]]:
    pagerduty = spec.alerting.pagerduty
    page = PAGERDUTY_RECEIVER if pagerduty else DEFAULT_RECEIVER
    routes = [
        _team_route(
            "security", SECURITY_RECEIVER, SECURITY_PAGERDUTY_RECEIVER if pagerduty else None
        ),
        _team_route("voice", VOICE_RECEIVER, VOICE_PAGERDUTY_RECEIVER if pagerduty else None),
        # Business-impact alerts are warnings for the people who own the numbers: never paged.
        _team_route("business", EXECUTIVE_RECEIVER, None),
        {
            "matchers": ['category="slo"'],
            "receiver": page,
            "routes": [
                # Fast burn: the budget is gone within hours, page now.
                {"matchers": ['severity="critical"'], "receiver": page},
                # Slow burn: days of budget left, so it waits for someone to be at work.
                # Outside the interval the alert is muted here, not passed on to the parent.
                {
                    "matchers": ['severity="warning"'],
                    "receiver": page,
                    "active_time_intervals": [BUSINESS_HOURS],
                },
            ],
        },
    ]
    if pagerduty:
        routes.append({"matchers": ['severity="critical"'], "receiver": PAGERDUTY_RECEIVER})
    return routes


def _inhibit_rules() -> list[dict[str, Any]]:
    symptoms = "|".join(AGENT_ALERTS_SILENCED_BY_TRANSPORT_DOWN)
    return [
        {
            "source_matchers": ['alertname="TransportDown"'],
            "target_matchers": [f'alertname=~"{symptoms}"'],
            "equal": ["cluster"],
        },
        {
            "source_matchers": ['severity="critical"'],
            "target_matchers": ['severity="warning"'],
            "equal": list(_SAME_ALERT),
        },
    ]


def alertmanager_config(spec: Spec, *, secrets_dir: str | None = None) -> dict[str, Any]:
    """A complete alertmanager.yml for ``spec``, the same for the same arguments.

    ``secrets_dir`` is where Alertmanager will find the secret files the spec names
    (default: :data:`DEFAULT_SECRETS_DIR`); it is only written into paths, never read.
    """
    directory = DEFAULT_SECRETS_DIR if secrets_dir is None else secrets_dir
    alerting = spec.alerting
    return {
        "route": {
            "receiver": DEFAULT_RECEIVER,
            # Seed 004's grouping and timings.
            "group_by": ["alertname", "cluster"],
            "group_wait": "10s",
            "group_interval": "10s",
            "repeat_interval": "1h",
            "routes": _routes(spec),
        },
        "inhibit_rules": _inhibit_rules(),
        "receivers": _receivers(spec, directory),
        "time_intervals": [
            {
                "name": BUSINESS_HOURS,
                "time_intervals": [
                    {
                        "weekdays": ["monday:friday"],
                        "times": [
                            {
                                "start_time": alerting.business_hours_start,
                                "end_time": alerting.business_hours_end,
                            }
                        ],
                        "location": alerting.business_hours_location,
                    }
                ],
            }
        ],
    }
