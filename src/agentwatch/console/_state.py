"""Everything a request handler needs, built once by ``create_app``: the spec, the clients of
Prometheus and Alertmanager, access control, metrics, the audit log and the templates."""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import jinja2
import numpy as np
from starlette.requests import Request
from starlette.responses import HTMLResponse

from agentwatch.clients.alertmanager import AlertmanagerAPI, AlertmanagerError
from agentwatch.clients.prometheus import PrometheusError
from agentwatch.security import AuditAction, AuditLog
from agentwatch.spec import Spec

from ._access import Access, Visitor
from ._metrics import ConsoleMetrics
from ._notifications import NotificationLog
from ._pages import VIEWS, View, grafana_link
from ._sessions import LoginThrottle
from ._source import Querier

__all__ = ["Console", "console_of", "jsonable", "problem_text"]

T = TypeVar("T")


def problem_text(exc: PrometheusError | AlertmanagerError, url: str) -> str:
    """What the page says when a data source failed: unreachable, or its own refusal."""
    kind = "Prometheus" if isinstance(exc, PrometheusError) else "Alertmanager"
    if exc.unreachable:
        return f"{kind} unreachable at {url}: {exc}"
    return str(exc)


def jsonable(value: object) -> Any:
    """Dataclasses, numpy arrays, tuples and enums as plain JSON; NaN and ±Inf as null."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, float | np.floating):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


@dataclass
class Console:
    spec: Spec
    prometheus: Querier
    alertmanager: AlertmanagerAPI
    grafana_url: str | None
    access: Access
    throttle: LoginThrottle
    metrics: ConsoleMetrics
    audit: AuditLog | None
    templates: jinja2.Environment
    config_source: str
    clock: Callable[[], float]
    notifications: NotificationLog
    # The bearer token Alertmanager's notifications carry; None with auth off.
    webhook_token: str | None

    def record(self, action: AuditAction, actor: str, **fields: object) -> None:
        if self.audit is not None:
            self.audit.record(action, actor=actor, **fields)

    def from_prometheus(self, read: Callable[[Querier], T]) -> tuple[T | None, list[str]]:
        """The view's data, or None and the reason Prometheus could not give it."""
        try:
            return read(self.prometheus), []
        except PrometheusError as exc:
            return None, [problem_text(exc, self.prometheus.url)]

    def render(
        self,
        request: Request,
        template: str,
        *,
        visitor: Visitor | None,
        view: View | None = None,
        title: str = "",
        status: int = 200,
        **context: object,
    ) -> HTMLResponse:
        nav = [v for v in VIEWS if visitor is not None and visitor.may(v.permission)]
        page = self.templates.get_template(template).render(
            title=title or (view.title if view else "agentwatch"),
            nav=nav,
            current=view.slug if view else "",
            visitor=visitor,
            csrf=self.access.csrf_token(visitor) if visitor is not None else "",
            auth_enabled=self.access.enabled,
            grafana=grafana_link(self.grafana_url, view) if view else None,
            prometheus_url=self.prometheus.url,
            alertmanager_url=self.alertmanager.url,
            problems=context.pop("problems", []),
            **context,
        )
        return HTMLResponse(page, status_code=status)


def console_of(request: Request) -> Console:
    found = request.app.state.console
    if not isinstance(found, Console):
        raise TypeError("the app was not made by agentwatch.console.create_app")
    return found
