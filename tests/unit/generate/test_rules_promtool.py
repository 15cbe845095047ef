"""The generated rules and their unit tests, judged by the real promtool."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentwatch.generate.rule_tree import promtool_tests, rule_files
from agentwatch.render import write_yaml
from agentwatch.spec import Business, BusinessTargets, Spec, Thresholds
from tests.unit.tools import run


def _write(directory: Path, rules_spec: Spec, tests_spec: Spec) -> tuple[list[str], list[str]]:
    rules = rule_files(rules_spec)
    tests = promtool_tests(tests_spec)
    for name, content in {**rules, **tests}.items():
        write_yaml(directory / name, content)
    return sorted(rules), sorted(tests)


_CUSTOM = Spec(
    thresholds=Thresholds(
        framework_quality_score_min=75,
        agent_response_time_max_ms=300,
        transport_throughput_min_mps=1000,
        failure_prediction_max=60,
        availability_min=0.99,
        memory_usage_max_ratio=0.8,
        latency_p99_max_seconds=0.02,
        agent_health_min=70,
        queue_depth_max=50,
    )
)


# Every business assumption and target given, so the cost and efficiency rules and the
# business-impact alerts exist and are tested too.
_BUSINESS = Spec(
    business=Business(
        engineer_hourly_cost_usd=100,
        baseline_commits_per_hour=0.8,
        window="30m",
        quality_trend_window="2d",
        targets=BusinessTargets(
            development_velocity_min=2, session_success_rate_min=0.95, cost_per_commit_max_usd=3
        ),
    )
)


@pytest.mark.parametrize(
    "spec", [Spec(), _CUSTOM, _BUSINESS], ids=["default", "custom-thresholds", "business"]
)
def test_promtool_accepts_the_rules_and_their_tests_pass(
    tmp_path: Path, spec: Spec, promtool: Path
) -> None:
    rules, tests = _write(tmp_path, spec, spec)
    checked = run(promtool, "check", "rules", *rules, cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = run(promtool, "test", "rules", *tests, cwd=tmp_path)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert tested.stdout.count("SUCCESS") == len(tests)


def test_the_tests_fail_against_rules_with_other_thresholds(tmp_path: Path, promtool: Path) -> None:
    """The promtool tests are not vacuous: run against rules generated with other thresholds,
    the threshold alerts' cases fail."""
    _, tests = _write(tmp_path, Spec(), _CUSTOM)
    tested = run(promtool, "test", "rules", *tests, cwd=tmp_path)
    assert tested.returncode != 0
    output = tested.stdout + tested.stderr
    for alertname in ("AgentPerformanceDegradation", "QueueBackup", "HighLatencyP99"):
        assert alertname in output


def test_the_business_spec_has_business_impact_alerts() -> None:
    assert "alerts-business.yml" in rule_files(_BUSINESS)
    assert "alerts-business.yml" not in rule_files(Spec())


@pytest.mark.parametrize("window", ["1m", "90m", "330m", "7d"])
def test_the_quality_trend_test_holds_for_any_trend_window(
    tmp_path: Path, window: str, promtool: Path
) -> None:
    """A window shorter than the test's old hourly samples gave `offset` nothing to find."""
    spec = Spec(business=Business(quality_trend_window=window))
    _write(tmp_path, spec, spec)
    tested = run(promtool, "test", "rules", "recording-trend.test.yml", cwd=tmp_path)
    assert tested.returncode == 0, tested.stdout + tested.stderr
