"""Families of agentwatch's own security: refused requests on every authenticated endpoint,
and the console's logins and rejected input (docs/security.md)."""

from __future__ import annotations

from ._model import MetricFamily, MetricType, Origin

__all__ = [
    "AGENTWATCH_AUTH_FAILURES_TOTAL",
    "CONSOLE_LOGINS_TOTAL",
    "CONSOLE_NOTIFICATIONS_TOTAL",
    "CONSOLE_REJECTED_REQUESTS_TOTAL",
    "SECURITY_FAMILIES",
]

C = MetricType.COUNTER

AGENTWATCH_AUTH_FAILURES_TOTAL = MetricFamily(
    "agentwatch_auth_failures_total",
    C,
    "",
    ("component", "reason"),
    "Requests an agentwatch endpoint refused: missing, malformed or invalid credentials (401), "
    "or an account without the permission (forbidden, 403).",
    Origin.AUTHENTICATION,
    seed="000: authentication on every component",
)

CONSOLE_LOGINS_TOTAL = MetricFamily(
    "agentwatch_console_logins_total",
    C,
    "",
    ("outcome",),
    "Console login attempts by outcome (success, failure); RepeatedFailedLogins watches failures.",
    Origin.CONSOLE,
    seed="004: security monitoring, repeated failed logins",
)

CONSOLE_REJECTED_REQUESTS_TOTAL = MetricFamily(
    "agentwatch_console_rejected_requests_total",
    C,
    "",
    ("reason",),
    "Requests the console refused as bad input (oversized, malformed, path_traversal, csrf, "
    "header_injection, rate_limited).",
    Origin.CONSOLE,
)

CONSOLE_NOTIFICATIONS_TOTAL = MetricFamily(
    "agentwatch_console_notifications_total",
    C,
    "",
    ("receiver", "status"),
    "Notifications Alertmanager delivered to the console's web hook, by Alertmanager receiver "
    "and status (firing, resolved); the Notifications page lists them.",
    Origin.CONSOLE,
    seed="004: alert routing, notifications reach someone",
)

SECURITY_FAMILIES: tuple[MetricFamily, ...] = (
    AGENTWATCH_AUTH_FAILURES_TOTAL,
    CONSOLE_LOGINS_TOTAL,
    CONSOLE_REJECTED_REQUESTS_TOTAL,
    CONSOLE_NOTIFICATIONS_TOTAL,
)
