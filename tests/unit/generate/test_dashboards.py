"""The generated dashboards: stable identities, PromQL that the real promtool accepts, metric
names from the catalog or the rule generators, and an honest list of panels still waiting."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from agentwatch import catalog
from agentwatch.generate.dashboards import WAITING, as_promql, dashboards, panel_queries
from agentwatch.generate.grafana_provisioning import PROMETHEUS_DATASOURCE_UID
from agentwatch.generate.promql import known_series, metric_names
from agentwatch.generate.tree import GRAFANA_DASHBOARDS_DIR, monitoring_tree
from agentwatch.render import dump_yaml
from agentwatch.spec import Spec
from tests.unit.tools import run


def _panels(board: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in board["panels"]:
        if panel["type"] != "row":
            yield panel


def _queries() -> Iterator[tuple[str, str, str]]:
    """(dashboard uid, panel title, expr) for every panel query."""
    for query in panel_queries(dashboards(Spec())):
        yield query.uid, query.title, query.expr


def test_every_dashboard_has_a_unique_stable_uid_and_title() -> None:
    boards = dashboards(Spec())
    assert all(uid.startswith("agentwatch-") for uid in boards)
    assert [b["uid"] for b in boards.values()] == list(boards)
    titles = [b["title"] for b in boards.values()]
    assert len(set(titles)) == len(titles)
    for uid, board in boards.items():
        # Panel titles name panels in WAITING, so they are unique within a dashboard.
        panel_titles = [p["title"] for p in _panels(board)]
        assert len(set(panel_titles)) == len(panel_titles), uid
    # Stable: the same spec gives the same JSON.
    assert dashboards(Spec()) == boards


def test_dashboards_share_a_prometheus_datasource_variable_and_links() -> None:
    for uid, board in dashboards(Spec()).items():
        variables = {v["name"]: v for v in board["templating"]["list"]}
        ds = variables["datasource"]
        assert ds["type"] == "datasource", uid
        assert ds["query"] == "prometheus", uid
        assert ds["current"]["value"] == PROMETHEUS_DATASOURCE_UID, uid
        assert any(link["type"] == "dashboards" for link in board["links"]), uid
        for panel in _panels(board):
            assert panel["datasource"]["uid"] == "${datasource}", (uid, panel["title"])
        ids = [p["id"] for p in board["panels"]]
        assert len(set(ids)) == len(ids), uid


def test_panel_links_point_at_generated_dashboards() -> None:
    boards = dashboards(Spec())
    for board in boards.values():
        for panel in _panels(board):
            for link in panel.get("links", []):
                target = re.match(r"/d/([\w-]+)\?", link["url"])
                assert target is not None, link
                assert target.group(1) in boards, link


def test_every_query_names_only_catalog_metrics_or_recorded_series() -> None:
    known = known_series(Spec())
    for uid, title, expr in _queries():
        unknown = metric_names(as_promql(expr)) - known - {"time"}
        assert not unknown, f"{uid} / {title} names {unknown}"


def test_every_panel_query_passes_promtool(tmp_path: Path, promtool: Path) -> None:
    rules = [
        {"record": f"panel:check:{n}", "expr": as_promql(expr)}
        for n, (_, _, expr) in enumerate(_queries())
    ]
    path = tmp_path / "panels.yml"
    path.write_text(dump_yaml({"groups": [{"name": "panels", "rules": rules}]}))
    result = run(promtool, "check", "rules", str(path))
    assert result.returncode == 0, result.stdout + result.stderr


def _planned(expr: str) -> set[int]:
    issues = set()
    for name in metric_names(as_promql(expr)):
        try:
            family = catalog.by_name(name)
        except KeyError:
            continue
        if family.planned_in is not None:
            issues.add(family.planned_in)
    return issues


def test_waiting_panels_are_exactly_those_querying_planned_families() -> None:
    querying_planned: set[tuple[str, str, int]] = set()
    for uid, title, expr in _queries():
        querying_planned |= {(uid, title, issue) for issue in _planned(expr)}
    listed = {(w.uid, w.title, w.issue) for w in WAITING}
    assert querying_planned == listed


def test_the_tree_holds_every_dashboard_as_json() -> None:
    tree = monitoring_tree(Spec())
    boards = dashboards(Spec())
    for uid, board in boards.items():
        assert tree[f"{GRAFANA_DASHBOARDS_DIR}/{uid}.json"] == board


def test_latency_panels_on_raw_histograms_ask_for_exemplars() -> None:
    # Exemplars live on the raw _bucket series; a recorded quantile has none to give.
    asking = [q for q in panel_queries(dashboards(Spec())) if q.exemplar]
    assert {(q.uid, q.title) for q in asking} == {
        ("agentwatch-transport-layer", "Delivery latency p99 by message type"),
        ("agentwatch-agent-performance", "Processing time p99, with traces"),
    }
    for q in asking:
        assert re.search(r"_seconds_bucket\b", q.expr), q.expr
