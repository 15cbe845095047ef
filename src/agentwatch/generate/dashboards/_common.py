"""Shared pieces of the dashboards: variables, selectors, links and panel builders.

Everything goes through grafana-foundation-sdk's builders, so the JSON has the shape Grafana 11
expects; the SDK's encoder turns the built model into plain dicts for the tree.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from grafana_foundation_sdk.builders import common, prometheus, stat, table, timeseries
from grafana_foundation_sdk.builders import dashboard as db
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import dashboard as model
from grafana_foundation_sdk.models.common import GraphThresholdsStyleMode
from grafana_foundation_sdk.models.prometheus import PromQueryFormat

from agentwatch import catalog
from agentwatch.generate.grafana_provisioning import PROMETHEUS_DATASOURCE_UID

__all__ = [
    "AGENT_ID",
    "AGENT_TYPE",
    "DATASOURCE",
    "RATE",
    "STATUS",
    "TAG",
    "Board",
    "Query",
    "agent_id_variable",
    "agent_type_variable",
    "at_least",
    "at_most",
    "datasource_variable",
    "encode",
    "label_variable",
    "panel_link",
    "sel",
]

# Every agentwatch dashboard carries this tag; the dashboard links list dashboards by it.
TAG = "agentwatch"
DATASOURCE = "datasource"
AGENT_TYPE = "agent_type"
AGENT_ID = "agent_id"
# Grafana's own interval, sized to the scrape interval and the panel's resolution.
RATE: Final = "$__rate_interval"
# Every agent's status series: the label values behind the agent_type and agent_id variables.
STATUS: Final = catalog.AGENT_STATUS.name
# Panels name the data source through the variable, so one dashboard works against any
# Prometheus the user picks; the variable defaults to the provisioned data source.
_DS_REF = model.DataSourceRef(type_val="prometheus", uid=f"${{{DATASOURCE}}}")


def sel(metric: str, *matchers: str, agent_type: bool = False, agent_id: bool = False) -> str:
    """``metric{...}`` with the dashboard's variables as regex matchers: their "All" value is
    ``.*``, so ``=~`` keeps every series when nothing is selected."""
    parts = list(matchers)
    if agent_type:
        parts.append(f'{AGENT_TYPE}=~"${AGENT_TYPE}"')
    if agent_id:
        parts.append(f'{AGENT_ID}=~"${AGENT_ID}"')
    return f"{metric}{{{', '.join(parts)}}}" if parts else metric


@dataclass(frozen=True, slots=True)
class Query:
    expr: str
    legend: str = ""
    # Tables and the node graph read one instant value per series.
    instant: bool = False
    # Also ask for exemplars: dots on the graph, each a traced message, linking to its trace
    # (the Prometheus data source's exemplar link goes to Jaeger). Only raw histogram series
    # carry exemplars; recorded quantiles do not.
    exemplar: bool = False


def datasource_variable() -> db.DatasourceVariable:
    return (
        db.DatasourceVariable(DATASOURCE)
        .label("Data source")
        .type("prometheus")
        .current(
            model.VariableOption(
                selected=True, text=PROMETHEUS_DATASOURCE_UID, value=PROMETHEUS_DATASOURCE_UID
            )
        )
    )


def label_variable(name: str, label: str, query: str) -> db.QueryVariable:
    return (
        db.QueryVariable(name)
        .label(label)
        .datasource(_DS_REF)
        .query(query)
        .refresh(model.VariableRefresh.ON_TIME_RANGE_CHANGED)
        .sort(model.VariableSort.ALPHABETICAL_ASC)
        .multi(True)
        .include_all(True)
        # ".*" rather than Grafana's default value list, so the =~ matchers stay short.
        .all_value(".*")
        .current(model.VariableOption(selected=True, text="All", value="$__all"))
    )


def agent_type_variable(status_metric: str) -> db.QueryVariable:
    return label_variable(AGENT_TYPE, "Agent type", f"label_values({status_metric}, {AGENT_TYPE})")


def agent_id_variable(status_metric: str) -> db.QueryVariable:
    query = f'label_values({status_metric}{{{AGENT_TYPE}=~"${AGENT_TYPE}"}}, {AGENT_ID})'
    return label_variable(AGENT_ID, "Agent", query)


def _steps(*steps: tuple[float | None, str]) -> db.ThresholdsConfig:
    return (
        db.ThresholdsConfig()
        .mode(model.ThresholdsMode.ABSOLUTE)
        .steps([model.Threshold(value=v, color=c) for v, c in steps])
    )


def at_most(limit: float) -> db.ThresholdsConfig:
    """Green up to ``limit``, red above: for maxima such as latency or queue depth."""
    return _steps((None, "green"), (limit, "red"))


def at_least(limit: float) -> db.ThresholdsConfig:
    """Red below ``limit``, green from it: for minima such as availability."""
    return _steps((None, "red"), (limit, "green"))


def panel_link(title: str, uid: str, *, with_vars: bool = True) -> db.DashboardLink:
    """A drill-down to another agentwatch dashboard, keeping the time range (and variables)."""
    params = "${__url_time_range}"
    if with_vars:
        # Grafana's global: every variable of the current dashboard as URL parameters, so the
        # target keeps the data source and agent type it shares with this one.
        params += "&${__all_variables}"
    return db.DashboardLink(title).type(model.DashboardLinkType.LINK).url(f"/d/{uid}?{params}")


def _target(q: Query, ref: str) -> prometheus.Dataquery:
    target = (
        prometheus.Dataquery().expr(q.expr).ref_id(ref).legend_format(q.legend).datasource(_DS_REF)
    )
    if q.instant:
        target = target.instant().format(PromQueryFormat.TABLE)
    if q.exemplar:
        target = target.exemplar(True)
    return target


class Board:
    """A dashboard under construction: numbers panels in order so their ids are stable."""

    def __init__(self, uid: str, title: str, description: str, variables: Sequence[Any]) -> None:
        self._next_id = 1
        self.dashboard = (
            db.Dashboard(title)
            .uid(uid)
            .description(description)
            .tags([TAG])
            .editable()
            .time("now-6h", "now")
            .refresh("30s")
            .timezone("browser")
            .variables([datasource_variable(), *variables])
            # Every other agentwatch dashboard, one click away, with time and variables kept.
            .link(
                db.DashboardLink("agentwatch")
                .type(model.DashboardLinkType.DASHBOARDS)
                .tags([TAG])
                .as_dropdown(True)
                .include_vars(True)
                .keep_time(True)
            )
        )

    def row(self, title: str) -> Board:
        self.dashboard = self.dashboard.with_row(db.Row(title).id(self._take_id()))
        return self

    def _take_id(self) -> int:
        taken = self._next_id
        self._next_id += 1
        return taken

    def _add(self, panel: Any, queries: Sequence[Query], links: Sequence[db.DashboardLink]) -> None:
        panel = panel.id(self._take_id()).datasource(_DS_REF)
        for i, q in enumerate(queries):
            panel = panel.with_target(_target(q, chr(ord("A") + i)))
        if links:
            panel = panel.links(list(links))
        self.dashboard = self.dashboard.with_panel(panel)

    def stat(
        self,
        title: str,
        query: Query,
        *,
        unit: str = "short",
        thresholds: db.ThresholdsConfig | None = None,
        description: str = "",
        links: Sequence[db.DashboardLink] = (),
        span: int = 6,
    ) -> Board:
        panel = stat.Panel().title(title).description(description).unit(unit).span(span).height(4)
        if thresholds is not None:
            panel = panel.thresholds(thresholds)
        self._add(panel, [query], links)
        return self

    def series(
        self,
        title: str,
        queries: Sequence[Query],
        *,
        unit: str = "short",
        thresholds: db.ThresholdsConfig | None = None,
        description: str = "",
        links: Sequence[db.DashboardLink] = (),
        span: int = 12,
    ) -> Board:
        panel = (
            timeseries.Panel()
            .title(title)
            .description(description)
            .unit(unit)
            .span(span)
            .height(8)
            .fill_opacity(10)
        )
        if thresholds is not None:
            # Draw the spec's threshold as a line, so a reader sees the limit the alert uses.
            panel = panel.thresholds(thresholds).thresholds_style(_threshold_line())
        self._add(panel, queries, links)
        return self

    def table(
        self,
        title: str,
        query: Query,
        *,
        unit: str = "short",
        description: str = "",
        links: Sequence[db.DashboardLink] = (),
        span: int = 12,
    ) -> Board:
        panel = table.Panel().title(title).description(description).unit(unit).span(span).height(8)
        self._add(panel, [Query(query.expr, query.legend, instant=True)], links)
        return self

    def custom(self, panel: Any, queries: Sequence[Query]) -> Board:
        self._add(panel, queries, ())
        return self


def _threshold_line() -> common.GraphThresholdsStyleConfig:
    return common.GraphThresholdsStyleConfig().mode(GraphThresholdsStyleMode.LINE)


def encode(board: Board) -> dict[str, Any]:
    """The built dashboard as plain JSON data (what Grafana's file provisioner reads)."""
    data: dict[str, Any] = json.loads(
        json.dumps(board.dashboard.build(), cls=JSONEncoder, sort_keys=True)
    )
    return data
