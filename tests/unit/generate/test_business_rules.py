"""Seed 000's business rules: present when their inputs can exist, absent (not invented) when
an assumption is missing, and naming only catalog series."""

from __future__ import annotations

from agentwatch import catalog
from agentwatch.generate.promql import known_series, metric_names
from agentwatch.generate.rules._business import business_rules
from agentwatch.spec import Business, Spec


def _records(spec: Spec) -> dict[str, str]:
    return dict(business_rules(spec))


def test_without_assumptions_cost_and_efficiency_are_not_recorded() -> None:
    records = _records(Spec())
    assert catalog.COST_REDUCTION.name not in records
    assert catalog.EFFICIENCY_GAINS.name not in records
    assert catalog.DEVELOPMENT_VELOCITY.name in records


def test_a_baseline_alone_gives_efficiency_but_not_cost() -> None:
    records = _records(Spec(business=Business(baseline_commits_per_hour=1.5)))
    assert (
        records[catalog.EFFICIENCY_GAINS.name] == f"{catalog.DEVELOPMENT_VELOCITY.name} / 1.5 - 1"
    )
    assert catalog.COST_REDUCTION.name not in records


def test_both_assumptions_give_the_cost_reduction() -> None:
    business = Business(baseline_commits_per_hour=2, engineer_hourly_cost_usd=120)
    expr = _records(Spec(business=business))[catalog.COST_REDUCTION.name]
    assert "/ 2 -" in expr
    assert "* 120" in expr
    assert catalog.CLAUDE_CODE_COST_USAGE_USD_TOTAL.name in expr


def test_every_rule_reads_only_catalog_series_and_the_window_comes_from_the_spec() -> None:
    spec = Spec(
        business=Business(
            baseline_commits_per_hour=1, engineer_hourly_cost_usd=1, window="2h",
            deployment_workflow="release",
        )
    )  # fmt: skip
    known = known_series(spec)
    records = _records(spec)
    for record, expr in records.items():
        assert record in {f.name for f in catalog.CATALOG}
        assert metric_names(expr) <= known, (record, metric_names(expr) - known)
    assert all("[1h]" not in expr for expr in records.values())
    assert 'workflow="release"' in records[catalog.TIME_TO_DEPLOYMENT.name]
