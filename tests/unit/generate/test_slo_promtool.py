"""The SLO rules and their unit tests, judged by the real promtool."""

from __future__ import annotations

from pathlib import Path

from agentwatch.generate import slo
from agentwatch.generate.rule_tree import rule_files
from agentwatch.generate.rules import RECORDING_FILE
from agentwatch.render import write_yaml
from agentwatch.spec import Spec, parse_spec
from tests.unit.tools import run


def _write(directory: Path, rules_spec: Spec, tests_spec: Spec) -> None:
    rules = rule_files(rules_spec)
    write_yaml(directory / RECORDING_FILE, rules[RECORDING_FILE])
    write_yaml(directory / slo.SLO_FILE, rules[slo.SLO_FILE])
    write_yaml(directory / slo.SLO_TEST_FILE, slo.slo_tests(tests_spec))


def test_promtool_accepts_user_slo_rules(tmp_path: Path, promtool: Path) -> None:
    """Passing tests for the built-in SLOs run in test_rules_promtool.py with all the others;
    here, rules from Sloth-style user templates and a 28d period."""
    spec = parse_spec(
        {
            "slos": [
                {
                    "name": "checkout",
                    "objective": 99.5,
                    "period": "28d",
                    "sli": {
                        "error_query": 'sum(rate(http_total{code=~"5.."}[{{.window}}]))',
                        "total_query": "sum(rate(http_total[{{.window}}]))",
                    },
                },
                {
                    "name": "search",
                    "objective": 99,
                    "sli": {"error_ratio_query": "1 - avg(avg_over_time(up[{{.window}}]))"},
                },
            ]
        }
    )
    _write(tmp_path, spec, spec)
    checked = run(promtool, "check", "rules", slo.SLO_FILE, cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_slo_tests_fail_against_rules_with_other_objectives(
    tmp_path: Path, promtool: Path
) -> None:
    """Not vacuous: rules for looser objectives stay silent where the tests expect alerts."""
    loose = parse_spec(
        {
            "slos": [
                {"name": "availability", "objective": 90, "sli": {"builtin": "availability"}},
                {"name": "latency", "objective": 50, "sli": {"builtin": "latency"}},
                {"name": "throughput", "objective": 99.5, "sli": {"builtin": "throughput"}},
                {"name": "agent_health", "objective": 90, "sli": {"builtin": "agent_health"}},
            ]
        }
    )
    _write(tmp_path, loose, Spec())
    tested = run(promtool, "test", "rules", slo.SLO_TEST_FILE, cwd=tmp_path)
    assert tested.returncode != 0
    output = tested.stdout + tested.stderr
    assert "SLOAvailabilityErrorBudgetBurn" in output
    assert "SLOLatencyErrorBudgetBurn" in output
