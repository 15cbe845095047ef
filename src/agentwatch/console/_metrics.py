"""The console's own metrics: logins, refused credentials and rejected input, counted from
the first request and served on the console's /metrics (names from the catalog)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from enum import StrEnum

from prometheus_client import CollectorRegistry
from prometheus_client.metrics_core import Metric

from agentwatch import catalog
from agentwatch.catalog import OVERFLOW
from agentwatch.catalog.prometheus import counter
from agentwatch.security import AuthFailure

__all__ = ["COMPONENT", "ConsoleMetrics", "LoginOutcome", "Rejection"]

#: The ``component`` label of agentwatch_auth_failures_total for the console.
COMPONENT = "console"
#: Distinct (receiver, status) pairs counted before the rest fold into OVERFLOW.
MAX_RECEIVERS = 64
#: What a notification reports about its group of alerts.
NOTIFICATION_STATUSES = ("firing", "resolved")


class Rejection(StrEnum):
    """Why a request was refused as bad input (agentwatch_console_rejected_requests_total)."""

    OVERSIZED = "oversized"  # 413
    MALFORMED = "malformed"  # 400: a form or JSON body that does not parse or validate
    PATH_TRAVERSAL = "path_traversal"  # 404: "..", encoded slashes or NUL in the path
    CSRF = "csrf"  # 403: an unsafe method without the session's CSRF token
    HEADER_INJECTION = "header_injection"  # 400: CR/LF in echoed values, foreign redirects
    RATE_LIMITED = "rate_limited"  # 429: too many failed logins from one client


class LoginOutcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"


class ConsoleMetrics:
    """Counts kept in the process and turned into catalog families at scrape time, as the
    exporters do (no ``_created`` series)."""

    def __init__(self, receivers: Sequence[str] = ()) -> None:
        """``receivers``: Alertmanager's receivers, whose notification counts start at 0."""
        self._lock = threading.Lock()
        # Every label value exists from the start at 0, so rate() and increase() see the
        # first failure instead of a series that appears already at 1.
        self._logins: Counter[str] = Counter({o.value: 0 for o in LoginOutcome})
        self._rejected: Counter[str] = Counter({r.value: 0 for r in Rejection})
        self._auth: Counter[str] = Counter({f.value: 0 for f in AuthFailure})
        self._notifications: Counter[tuple[str, str]] = Counter(
            {(receiver, status): 0 for receiver in receivers for status in NOTIFICATION_STATUSES}
        )
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(self)

    def login(self, outcome: LoginOutcome) -> None:
        with self._lock:
            self._logins[outcome.value] += 1

    def reject(self, reason: Rejection) -> None:
        with self._lock:
            self._rejected[reason.value] += 1

    def auth_failure(self, failure: AuthFailure) -> None:
        with self._lock:
            self._auth[failure.value] += 1

    def notification(self, receiver: str, status: str) -> None:
        # Receivers are the names in alertmanager.yml, a handful; a sender inventing names
        # (it holds the token, so it is ours, but may be misconfigured) folds into overflow.
        key = (receiver, status)
        with self._lock:
            if key not in self._notifications and len(self._notifications) >= MAX_RECEIVERS:
                key = (OVERFLOW, status)
            self._notifications[key] += 1

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            logins, rejected, auth = dict(self._logins), dict(self._rejected), dict(self._auth)
            notifications = dict(self._notifications)
        family = counter(catalog.CONSOLE_LOGINS_TOTAL)
        for outcome, value in logins.items():
            family.add_metric([outcome], value)
        yield family
        family = counter(catalog.CONSOLE_REJECTED_REQUESTS_TOTAL)
        for reason, value in rejected.items():
            family.add_metric([reason], value)
        yield family
        family = counter(catalog.AGENTWATCH_AUTH_FAILURES_TOTAL)
        for failure, value in auth.items():
            family.add_metric([COMPONENT, failure], value)
        yield family
        family = counter(catalog.CONSOLE_NOTIFICATIONS_TOTAL)
        for (receiver, status), value in notifications.items():
            family.add_metric([receiver, status], value)
        yield family
