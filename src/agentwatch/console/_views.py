"""The read-only views, each as an HTML page and as JSON under /api (same data, same
permission)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from agentwatch.analytics.flow import flow_query, read_flow
from agentwatch.analytics.slo_status import BURN_COLUMNS, SloView, read_slos
from agentwatch.clients.alertmanager import AlertmanagerError, is_silence_id
from agentwatch.spec import duration_seconds

from . import _format as fmt
from . import _queries as q
from . import _svg as svg
from ._alerts import read_alerts
from ._business import read_business
from ._capacity import PLOT_HORIZON_SECONDS, CapacityView, read_capacity
from ._notifications import Notification
from ._overview import read_overview
from ._pages import VIEWS, View
from ._state import Console, console_of, jsonable, problem_text

__all__ = ["router"]

router = APIRouter()
VIEW = {v.slug: v for v in VIEWS}
#: The window of the message-flow rates (as `agentwatch flow` defaults to).
FLOW_WINDOW = "5m"
# Messages the alerts page shows after an action (the id comes from Alertmanager).
_DONE = {
    "silenced": "Silence {id} created.",
    "acknowledged": "Alert acknowledged: silence {id} created.",
    "expired": "Silence {id} expired.",
}

Reader = Callable[[Console], Any]
_PROMETHEUS_READERS: dict[str, Reader] = {
    "overview": lambda c: c.from_prometheus(lambda api: read_overview(api, c.spec)),
    "slos": lambda c: c.from_prometheus(lambda api: read_slos(api, c.spec, now=c.clock())),
    "capacity": lambda c: c.from_prometheus(
        lambda api: read_capacity(
            api, now=c.clock(), interval=duration_seconds(c.spec.analytics.capacity_interval)
        )
    ),
    "flow": lambda c: c.from_prometheus(lambda api: read_flow(api, FLOW_WINDOW)),
    "business": lambda c: c.from_prometheus(lambda api: read_business(api, c.spec)),
}


@dataclass(frozen=True, slots=True)
class NotificationsView:
    notifications: list[Notification]
    # Where Alertmanager's default receiver delivers: this console, or a hook of the spec's.
    default_receiver: str


def _default_receiver(console: Console) -> str:
    url = console.spec.alerting.webhook_url
    return "this console" if url is None else url


def _alerts(console: Console) -> tuple[Any, list[str]]:
    try:
        return read_alerts(console.alertmanager), []
    except AlertmanagerError as exc:
        return None, [problem_text(exc, console.alertmanager.url)]


def _read(console: Console, slug: str) -> tuple[Any, list[str]]:
    if slug == "alerts":
        return _alerts(console)
    if slug == "notifications":
        return NotificationsView(console.notifications.latest(), _default_receiver(console)), []
    data, problems = _PROMETHEUS_READERS[slug](console)
    return data, problems


@router.get("/", include_in_schema=False)
def home(request: Request) -> Response:
    console = console_of(request)
    visitor = console.access.identify(request)
    for view in VIEWS:
        if visitor.may(view.permission):
            return RedirectResponse(f"/{view.slug}", status_code=303)
    # A role that may see no view of its own; no such role exists today, but a page saying so
    # beats a redirect loop if one is added.
    return console.render(
        request,
        "error.html",
        visitor=visitor,
        title="Nothing to show",
        status=403,
        message=f"The {visitor.principal.role.value} role may see none of the console's views.",
    )


def _charts(slug: str, data: Any, now: float) -> dict[str, Any]:
    """The SVG drawn for a view, built here so templates only place them."""
    if slug == "slos" and isinstance(data, SloView):
        return {
            row.sloth_id: svg.time_chart(
                f"{row.name}: error budget remaining, last 24h",
                [
                    svg.Line(
                        row.history.timestamps.tolist(),
                        row.history.values.tolist(),
                        "history",
                        "budget remaining",
                    )
                ]
                if row.history is not None
                else [],
                start=now - 24 * 3600,
                end=now,
                y_format=fmt.fmt_percent,
            )
            for row in data.rows
        }
    if slug == "capacity" and isinstance(data, CapacityView):
        return {plot.resource: _forecast_chart(plot, data.run_at, now) for plot in data.plots}
    if slug == "flow" and data is not None:
        return {"flow": svg.flow_graph(data.edges, rate_format=fmt.fmt_rate)}
    return {}


def _forecast_chart(plot: Any, run_at: float | None, now: float) -> Any:
    lines: list[svg.Line] = []
    bands: list[svg.Band] = []
    if plot.history is not None:
        lines.append(
            svg.Line(
                plot.history.timestamps.tolist(),
                plot.history.values.tolist(),
                "history",
                f"{plot.resource}: measured",
            )
        )
    drawn = [p for p in plot.forecasts if p.seconds <= PLOT_HORIZON_SECONDS]
    if run_at is not None and drawn:
        # The forecast starts from the last measured point before the run, when there is one.
        times = [run_at + p.seconds for p in drawn]
        lines.append(
            svg.Line(times, [p.mean for p in drawn], "forecast", "forecast (mean)", dots=True)
        )
        bands.append(
            svg.Band(
                times,
                [p.lower for p in drawn],
                [p.upper for p in drawn],
                "interval",
                "80% prediction interval",
            )
        )
    end = max([now, *(run_at + p.seconds for p in drawn)] if run_at is not None else [now])
    return svg.time_chart(
        f"{plot.resource}: last 24h and forecast",
        lines,
        bands=bands,
        start=now - 24 * 3600,
        end=end,
        now=now,
        y_format=fmt.fmt_number,
    )


def _page(request: Request, view: View) -> Response:
    console = console_of(request)
    visitor = console.access.require(request, view.permission)
    if view.slug == "config":
        text = yaml.safe_dump(console.spec.model_dump(mode="json"), sort_keys=False)
        return console.render(
            request,
            "config.html",
            visitor=visitor,
            view=view,
            text=text,
            source=console.config_source,
        )
    data, problems = _read(console, view.slug)
    now = console.clock()
    context: dict[str, Any] = {"notice": ""}
    if view.slug == "alerts":
        done = request.query_params.get("done", "")
        silence = request.query_params.get("silence", "")
        if done in _DONE and is_silence_id(silence):
            context["notice"] = _DONE[done].format(id=silence)
    if view.slug == "flow":
        context["flow_query"] = flow_query(FLOW_WINDOW)
        context["flow_window"] = FLOW_WINDOW
    return console.render(
        request,
        f"{view.slug}.html",
        visitor=visitor,
        view=view,
        data=data,
        problems=problems,
        charts=_charts(view.slug, data, now) if data is not None else {},
        q=q,
        burn_columns=BURN_COLUMNS,
        spec=console.spec,
        now=now,
        **context,
    )


def _api(request: Request, view: View) -> Response:
    console = console_of(request)
    console.access.require(request, view.permission)
    if view.slug == "config":
        return JSONResponse(console.spec.model_dump(mode="json"))
    data, problems = _read(console, view.slug)
    if data is None:
        return JSONResponse({"error": problems[0]}, status_code=502)
    return JSONResponse(jsonable(data))


def _register(view: View) -> None:
    def page(request: Request) -> Response:
        return _page(request, view)

    def api(request: Request) -> Response:
        return _api(request, view)

    router.add_api_route(f"/{view.slug}", page, methods=["GET"], include_in_schema=False)
    router.add_api_route(f"/api/{view.slug}", api, methods=["GET"], include_in_schema=False)


for _view in VIEWS:
    _register(_view)


@router.get("/api/session", include_in_schema=False)
def session(request: Request) -> Response:
    """Who the credentials are, what they may do, and the CSRF token a script sends back in
    the X-CSRF-Token header of its POSTs and DELETEs."""
    console = console_of(request)
    visitor = console.access.identify(request)
    return JSONResponse(
        {
            "user": visitor.principal.name,
            "role": visitor.principal.role.value,
            "views": [v.slug for v in VIEWS if visitor.may(v.permission)],
            "csrf_token": console.access.csrf_token(visitor),
        }
    )
