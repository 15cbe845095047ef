"""The console asks Prometheus only for series that exist: recording rules the generated rule
files define, Sloth's SLO series, the capacity planner's own resource expressions; and it
serves every catalog family the catalog says it produces."""

from __future__ import annotations

import re

from prometheus_client import generate_latest

from agentwatch import catalog
from agentwatch.analytics.capacity import RESOURCE_QUERIES
from agentwatch.analytics.slo_status import BURN_COLUMNS
from agentwatch.catalog import Origin
from agentwatch.console import _queries as q
from agentwatch.console._metrics import ConsoleMetrics
from agentwatch.generate.rules import recording_names
from agentwatch.generate.slo import SLI_WINDOWS, slo_recording_names
from agentwatch.spec import parse_spec

SPEC = parse_spec({})
_GROUPING = re.compile(r"\b(?:by|on|without|ignoring)\s*\([^)]*\)|\{[^}]*\}|\[[^\]]*\]")
_IDENTIFIER = re.compile(r"(?<![\w:.])[a-zA-Z_:][\w:]*(?![\w:])(?!\s*\()")
_KEYWORDS = {"group_left", "group_right", "bool", "and", "or", "unless"}


def names_in(promql: str) -> set[str]:
    """The series names a PromQL expression reads: identifiers that are not functions (not
    followed by "("), keywords, label lists, matchers or ranges."""
    bare = _GROUPING.sub(" ", promql)
    return {name for name in _IDENTIFIER.findall(bare) if name not in _KEYWORDS}


def test_every_series_the_overview_reads_is_recorded_or_in_the_catalog() -> None:
    known = set(recording_names(SPEC)) | {f.name for f in catalog.CATALOG}
    for promql in (
        q.HEALTH_BY_TYPE,
        q.AGENTS_PER_TYPE,
        q.THROUGHPUT,
        q.P99,
        q.ERROR_RATIO,
        q.AVAILABILITY,
        q.HEALTHY_RATIO,
        q.TRANSPORT_SENT_RATE,
    ):
        assert names_in(promql), promql
        assert names_in(promql) <= known, promql


def test_the_slo_series_are_sloths_as_the_generator_writes_them() -> None:
    recorded = set(slo_recording_names(SPEC))
    assert {q.BUDGET_REMAINING, q.CURRENT_BURN, q.PERIOD_BURN, q.OBJECTIVE} <= recorded
    for column in BURN_COLUMNS:
        assert names_in(column.query) <= recorded, column.query
    assert {c.label for c in BURN_COLUMNS} <= set(SLI_WINDOWS)


def test_the_capacity_history_is_the_planners_own_expressions() -> None:
    assert dict(RESOURCE_QUERIES) == q.RESOURCE_HISTORY


def test_the_analytics_families_read_are_the_analytics_exporters() -> None:
    served = {f.name for f in catalog.produced_by(Origin.ANALYTICS_EXPORTER)}
    for promql in (q.SCALING, q.UTILIZATION, q.FORECASTS, q.BOTTLENECKS, q.CAPACITY_RUN):
        assert names_in(promql) <= served, promql


def test_the_console_serves_every_family_the_catalog_gives_it() -> None:
    text = generate_latest(ConsoleMetrics().registry).decode()
    served = set(re.findall(r"^# TYPE (\S+) ", text, re.M))
    wanted = {f.name for f in catalog.produced_by(Origin.CONSOLE)}
    wanted.add(catalog.AGENTWATCH_AUTH_FAILURES_TOTAL.name)
    assert served == wanted
    assert "_created" not in text
    assert 'agentwatch_auth_failures_total{component="console",reason="forbidden"} 0.0' in text
