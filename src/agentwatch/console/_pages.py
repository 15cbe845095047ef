"""The views, who may see each, the Grafana dashboard each matches, and the page templates
(Jinja2, autoescaped)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from agentwatch.generate import dashboards as boards
from agentwatch.security import Permission

from . import _format as fmt
from . import _svg as svg

__all__ = ["VIEWS", "View", "grafana_link", "templates"]


@dataclass(frozen=True, slots=True)
class View:
    slug: str
    title: str
    permission: Permission
    dashboard: str | None  # Grafana dashboard UID (agentwatch.generate.dashboards)


VIEWS: tuple[View, ...] = (
    View("overview", "Overview", Permission.OPERATIONS, boards.SYSTEM_OVERVIEW),
    View("alerts", "Alerts", Permission.OPERATIONS, None),
    View("notifications", "Notifications", Permission.OPERATIONS, None),
    View("slos", "SLOs", Permission.SLO, boards.SLO),
    View("capacity", "Capacity", Permission.OPERATIONS, boards.CAPACITY),
    View("flow", "Message flow", Permission.OPERATIONS, boards.MESSAGE_FLOW),
    View("business", "Business", Permission.BUSINESS, boards.EXECUTIVE),
    View("config", "Config", Permission.CONFIG, None),
)


def grafana_link(base: str | None, view: View) -> str | None:
    if base is None or view.dashboard is None:
        return None
    return f"{base.rstrip('/')}/d/{quote(view.dashboard)}"


def _attr_value(value: float | None) -> Markup:
    return Markup(fmt.exact(value))


def templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("agentwatch.console", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        exact=_attr_value,
        number=fmt.fmt_number,
        rate=fmt.fmt_rate,
        percent=fmt.fmt_percent,
        duration=fmt.fmt_duration,
        time=fmt.fmt_time,
    )
    env.globals.update(meter=svg.meter, Permission=Permission)
    return env
