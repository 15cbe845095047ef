"""The PromQL name tokenizer and the series an agentwatch deployment holds."""

from __future__ import annotations

import pytest

from agentwatch import catalog
from agentwatch.catalog import MetricType
from agentwatch.generate import slo
from agentwatch.generate.promql import PROMETHEUS_SERIES, known_series, metric_names
from agentwatch.generate.rules import recording_names
from agentwatch.spec import Spec


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        ("up", {"up"}),
        ("rate(x_total[5m])", {"x_total"}),
        ("histogram_quantile(0.99, sum by (le) (rate(a_bucket[5m])))", {"a_bucket"}),
        # Label lists of grouping clauses, before or after the aggregated expression.
        ("sum by (job, le) (a)", {"a"}),
        ("sum(a) without (instance, pod)", {"a"}),
        ("count without(instance)(b:c:d)", {"b:c:d"}),
        # Label matchers, including values that look like names and braces inside strings.
        ('a{job=~"b|c", le="0.1", d!="}e"}', {"a"}),
        ("a{}", {"a"}),
        ('{__name__="by_name_only", job="x"}', {"by_name_only"}),
        # String arguments in all three quote styles.
        ('label_replace(a, "dst", "$1", "src", "(.*)")', {"a"}),
        ("count_values('value', a)", {"a"}),
        ("label_join(a, `dst`, `,`, `l1`, `l2`)", {"a"}),
        # Durations, subqueries, offsets and the @ modifier.
        ("max_over_time(rate(a[5m])[1h:30s])", {"a"}),
        ("a offset 5m", {"a"}),
        ("a offset -1h30m", {"a"}),
        ("a @ 1609746000", {"a"}),
        ("a @ start()", {"a"}),
        # Vector matching and the comparison modifier.
        ("a / on (job) group_left (team) b", {"a", "b"}),
        ("a * ignoring(instance) group_right b", {"a", "b"}),
        ("a > bool 1", {"a"}),
        ("a and b or c unless d", {"a", "b", "c", "d"}),
        ("a AND b", {"a", "b"}),
        ("a atan2 b", {"a", "b"}),
        # Numbers in every spelling PromQL accepts.
        ("a > 1e3 and a < 2.5E-3 or a == 0x1F", {"a"}),
        ("a > Inf or a != NaN or a > -inf", {"a"}),
        # Functions with no metric at all.
        ("vector(0)", set()),
        ("time() - 60", set()),
        ("scalar(vector(1))", set()),
        # Comments.
        ("a # b is a comment\n+ c", {"a", "c"}),
    ],
)
def test_metric_names(expr: str, names: set[str]) -> None:
    assert metric_names(expr) == names


def test_a_mixed_expression() -> None:
    expr = (
        'sum by (job, le) (rate(agent_x_bucket{le="0.1", job=~"a|b"}[5m])) / '
        "count without (instance) (b:c:d) > 1e6 or vector(0) and on (x) up == bool 1"
    )
    assert metric_names(expr) == {"agent_x_bucket", "b:c:d", "up"}


def test_known_series_has_histograms_as_exposed_and_counters_with_total() -> None:
    known = known_series(Spec())
    for family in catalog.CATALOG:
        if family.type is MetricType.HISTOGRAM:
            for suffix in ("_bucket", "_sum", "_count"):
                assert f"{family.name}{suffix}" in known
            # A classic histogram has no series under its bare name.
            assert family.name not in known
        else:
            assert family.name in known
        if family.type is MetricType.COUNTER:
            assert family.name.endswith("_total")


def test_known_series_has_every_recorded_series_and_prometheus_own() -> None:
    spec = Spec()
    known = known_series(spec)
    assert set(recording_names(spec)) <= known
    assert set(slo.slo_recording_names(spec)) <= known
    assert known >= PROMETHEUS_SERIES
    assert "up" in known


def test_the_seed_wrong_transport_name_is_unknown() -> None:
    assert "transport_messages_total" not in known_series(Spec())
