"""SLO rules: Sloth's names and labels, burn-rate windows, spec validation."""

from __future__ import annotations

import pytest

from agentwatch.generate import slo
from agentwatch.generate.rule_tree import promtool_tests, rule_files
from agentwatch.render import dump_yaml
from agentwatch.spec import Slo, SloSli, Spec, SpecError, parse_spec

SLOTH_RECORDINGS = {
    *(f"slo:sli_error:ratio_rate{w}" for w in ("5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d")),
    "slo:objective:ratio",
    "slo:error_budget:ratio",
    "slo:time_period:days",
    "slo:current_burn_rate:ratio",
    "slo:period_burn_rate:ratio",
    "slo:period_error_budget_remaining:ratio",
    "sloth_slo_info",
}


def _rules(spec: Spec) -> list[dict[str, object]]:
    return [r for g in slo.slo_groups(spec) for r in g["rules"]]


def test_default_spec_has_the_four_seed_slos() -> None:
    slos = {s.name: s for s in Spec().slos}
    assert {n: s.objective for n, s in slos.items()} == {
        "availability": 99.9,
        "latency": 95,
        "throughput": 99.5,
        "agent_health": 90,
    }
    assert {s.period for s in slos.values()} == {"30d"}


def test_rule_files_and_tests_include_the_slo_files() -> None:
    spec = Spec()
    assert slo.SLO_FILE in rule_files(spec)
    tests = promtool_tests(spec)[slo.SLO_TEST_FILE]
    assert tests["rule_files"] == ["recording.yml", slo.SLO_FILE]


def test_every_slo_records_sloths_series_with_sloths_labels() -> None:
    spec = Spec()
    rules = _rules(spec)
    assert {r["record"] for r in rules if "record" in r} == SLOTH_RECORDINGS
    assert set(slo.slo_recording_names(spec)) == SLOTH_RECORDINGS
    for s in spec.slos:
        mine = [r for r in rules if r["labels"].get("sloth_slo") == s.name]  # type: ignore[attr-defined]
        assert {r.get("record") for r in mine} >= SLOTH_RECORDINGS
        for rule in mine:
            labels = rule["labels"]
            assert isinstance(labels, dict)
            assert labels["sloth_id"] == f"agentwatch-{s.name}"
            assert labels["sloth_service"] == "agentwatch"


def test_burn_rate_alerts_page_and_ticket_per_sre_workbook() -> None:
    spec = Spec()
    alerts = [r for r in _rules(spec) if "alert" in r]
    assert len(alerts) == 2 * len(spec.slos)
    availability = [a for a in alerts if a["alert"] == "SLOAvailabilityErrorBudgetBurn"]
    page, ticket = availability
    assert page["labels"] == {
        "severity": "critical",
        "category": "slo",
        "slo": "availability",
        "sloth_severity": "page",
    }
    assert ticket["labels"]["severity"] == "warning"  # type: ignore[index]
    for window, factor in (("5m", "14.4"), ("1h", "14.4"), ("30m", "6"), ("6h", "6")):
        assert f"ratio_rate{window}{{" in str(page["expr"])
        assert f"> ({factor} * 0.001)" in str(page["expr"])
    for window, factor in (("2h", "3"), ("1d", "3"), ("6h", "1"), ("3d", "1")):
        assert f"ratio_rate{window}{{" in str(ticket["expr"])
        assert f"> ({factor} * 0.001)" in str(ticket["expr"])
    for alert in alerts:
        annotations = alert["annotations"]
        assert isinstance(annotations, dict)
        assert annotations["runbook_url"].endswith(f"#{str(alert['alert']).lower()}")


def test_slo_alert_names_follow_the_slo_names() -> None:
    assert slo.slo_alert_names(Spec()) == (
        "SLOAvailabilityErrorBudgetBurn",
        "SLOLatencyErrorBudgetBurn",
        "SLOThroughputErrorBudgetBurn",
        "SLOAgentHealthErrorBudgetBurn",
    )


def test_meta_recordings_have_exact_values() -> None:
    exprs = {
        (r["record"], r["labels"]["sloth_slo"]): r["expr"]  # type: ignore[index]
        for r in _rules(Spec())
        if "record" in r
    }
    assert exprs[("slo:objective:ratio", "availability")] == "vector(0.999)"
    assert exprs[("slo:error_budget:ratio", "availability")] == "vector(0.001)"
    assert exprs[("slo:error_budget:ratio", "latency")] == "vector(0.05)"
    assert exprs[("slo:time_period:days", "throughput")] == "vector(30)"


def test_period_window_is_averaged_from_the_5m_sli() -> None:
    rules = {
        (r["record"], r["labels"]["sloth_slo"]): r  # type: ignore[index]
        for r in _rules(Spec())
        if "record" in r
    }
    expr = str(rules[("slo:sli_error:ratio_rate30d", "availability")]["expr"])
    assert expr.startswith("sum_over_time(slo:sli_error:ratio_rate5m{")
    assert "count_over_time(slo:sli_error:ratio_rate5m{" in expr


def test_thresholds_reach_the_time_based_slis() -> None:
    spec = parse_spec({"thresholds": {"transport_throughput_min_mps": 1234}})
    rules = {
        (r["record"], r["labels"]["sloth_slo"]): r  # type: ignore[index]
        for r in _rules(spec)
        if "record" in r
    }
    assert "< bool 1234)" in str(rules[("slo:sli_error:ratio_rate5m", "throughput")]["expr"])


def test_user_slo_templates_get_each_window() -> None:
    spec = Spec(
        slos=(
            Slo(
                name="checkout",
                objective=99,
                period="28d",
                sli=SloSli(
                    error_query='sum(rate(http_total{code=~"5.."}[{{.window}}]))',
                    total_query="sum(rate(http_total[{{.window}}]))",
                ),
            ),
        )
    )
    rules = _rules(spec)
    records = {r["record"]: str(r["expr"]) for r in rules if "record" in r}
    assert "[1h]" in records["slo:sli_error:ratio_rate1h"]
    assert "{{.window}}" not in dump_yaml(rule_files(spec)[slo.SLO_FILE])
    assert "slo:sli_error:ratio_rate28d" in records
    assert records["slo:time_period:days"] == "vector(28)"
    # No metrics known for a user SLI, so no generated promtool cases.
    assert slo.slo_tests(spec)["tests"] == []


@pytest.mark.parametrize(
    ("slos", "field", "message"),
    [
        (
            [{"name": "a", "objective": 100, "sli": {"builtin": "latency"}}],
            "slos[0].objective",
            "less than 100",
        ),
        (
            [{"name": "a", "objective": 0, "sli": {"builtin": "latency"}}],
            "slos[0].objective",
            "greater than 0",
        ),
        (
            [
                {"name": "a", "objective": 99, "sli": {"builtin": "latency"}},
                {"name": "a", "objective": 98, "sli": {"builtin": "availability"}},
            ],
            "slos",
            "SLO names listed more than once: a",
        ),
        (
            [{"name": "a", "objective": 99, "sli": {"error_ratio_query": "rate(x_total[5m])"}}],
            "slos[0].sli.error_ratio_query",
            "{{.window}}",
        ),
        (
            [{"name": "a", "objective": 99, "sli": {"error_query": "rate(x[{{.window}}])"}}],
            "slos[0].sli",
            "error_query and total_query",
        ),
        (
            [{"name": "a", "objective": 99, "sli": {}}],
            "slos[0].sli",
            "exactly one of",
        ),
        (
            [{"name": "a", "objective": 99, "period": "36h", "sli": {"builtin": "latency"}}],
            "slos[0].period",
            "whole number of days",
        ),
    ],
)
def test_bad_slos_name_the_field(slos: list[dict[str, object]], field: str, message: str) -> None:
    with pytest.raises(SpecError) as raised:
        parse_spec({"slos": slos}, "agentwatch.yaml")
    text = str(raised.value)
    assert text.startswith(f"agentwatch.yaml: {field}: "), text
    assert message in text


def test_output_is_deterministic() -> None:
    assert dump_yaml(slo.slo_rule_file(Spec())) == dump_yaml(slo.slo_rule_file(Spec()))
    assert dump_yaml(slo.slo_tests(Spec())) == dump_yaml(slo.slo_tests(Spec()))
