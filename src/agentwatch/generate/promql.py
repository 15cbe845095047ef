"""Which series a PromQL expression reads, and which series an agentwatch deployment has.

promtool only checks that an expression parses: a rule over a misspelt metric name is valid
PromQL that silently never fires. Comparing the names an expression reads with the series the
catalog and the generated rules produce catches that class of mistake before deployment.
"""

from __future__ import annotations

import re

from agentwatch import catalog
from agentwatch.catalog import MetricType
from agentwatch.generate import slo
from agentwatch.generate.rules import constants as k
from agentwatch.generate.rules import recording_names
from agentwatch.spec import Spec

__all__ = ["PROMETHEUS_SERIES", "known_series", "metric_names"]

# Series Prometheus itself writes: per-target scrape health and the alert state series.
# Rules may legitimately read them although no exporter exposes them.
PROMETHEUS_SERIES: frozenset[str] = frozenset(
    {
        "up",
        "scrape_duration_seconds",
        "scrape_samples_scraped",
        "scrape_samples_post_metric_relabeling",
        "scrape_series_added",
        "ALERTS",
        "ALERTS_FOR_STATE",
    }
)

# PromQL words that can stand where an identifier does without being a metric name. The set
# operators and `atan2` are binary operators; `inf` and `nan` are number literals.
_KEYWORDS = frozenset(
    {
        "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
        "and", "or", "unless", "atan2", "offset", "inf", "nan",
    }
)  # fmt: skip

# Quoted strings of all three PromQL kinds; their contents (regexes, label values, replacement
# templates) look like identifiers and must not be read as names.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
# `{__name__="x"}` selects a metric by name without spelling it as an identifier.
_NAME_MATCHER = re.compile(r'__name__\s*=\s*(?:"([^"\\]*)"|\'([^\'\\]*)\'|`([^`]*)`)')
_COMMENT = re.compile(r"#[^\n]*")
_MATCHERS = re.compile(r"\{[^}]*\}")
# Range selectors and subqueries: `[5m]`, `[1h:30s]`.
_RANGES = re.compile(r"\[[^\]]*\]")
# Grouping and vector-matching clauses list label names, not metrics.
_LABEL_LISTS = re.compile(
    r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", re.IGNORECASE
)
# An identifier not glued to a preceding word character (that would be a number such as
# `1e3`, `0x1f` or a duration such as `5m`), nor followed by "(" (a function or aggregation).
_IDENTIFIER = re.compile(r"(?<![\w.:])([A-Za-z_:][A-Za-z0-9_:]*)(?![\w:])(?!\s*\()")


def metric_names(expr: str) -> set[str]:
    """Metric names an expression reads: identifiers that are not functions, aggregations,
    keywords, label names in matchers or grouping clauses, strings, numbers or durations."""
    names = {next(g for g in m.groups() if g is not None) for m in _NAME_MATCHER.finditer(expr)}
    text = _STRING.sub('""', expr)
    # Comments only after strings: a `#` inside a string does not start one.
    text = _COMMENT.sub("", text)
    text = _MATCHERS.sub("", text)
    text = _RANGES.sub("", text)
    text = _LABEL_LISTS.sub("", text)
    for match in _IDENTIFIER.finditer(text):
        name = match.group(1)
        if name.lower() not in _KEYWORDS:
            names.add(name)
    return names


def _exposed(family: catalog.MetricFamily) -> set[str]:
    """The sample names a family has in the exposition format, which is what PromQL reads.

    A classic histogram has no series under its bare name, only the three suffixed ones; a
    counter's catalog name already carries `_total`.
    """
    if family.type is MetricType.HISTOGRAM:
        return {f"{family.name}_bucket", f"{family.name}_sum", f"{family.name}_count"}
    return {family.name}


def known_series(spec: Spec) -> set[str]:
    """Every series an agentwatch deployment for ``spec`` can hold: catalog families as exposed,
    every series the generated recording and SLO rules record, and Prometheus's and
    Alertmanager's own series."""
    known = set(PROMETHEUS_SERIES | k.PROMETHEUS_SELF_SERIES | k.ALERTMANAGER_SERIES)
    known |= set(recording_names(spec))
    known |= set(slo.slo_recording_names(spec))
    for family in catalog.CATALOG:
        known |= _exposed(family)
    return known
