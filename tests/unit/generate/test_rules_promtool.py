"""The generated rules and their unit tests, judged by the real promtool."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from agentwatch.generate.rules import promtool_tests, rule_files
from agentwatch.render import write_yaml
from agentwatch.spec import Business, Spec, Thresholds


def _promtool() -> str:
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: run scripts/install-system-deps.sh"
    return promtool


def _write(directory: Path, rules_spec: Spec, tests_spec: Spec) -> tuple[list[str], list[str]]:
    rules = rule_files(rules_spec)
    tests = promtool_tests(tests_spec)
    for name, content in {**rules, **tests}.items():
        write_yaml(directory / name, content)
    return sorted(rules), sorted(tests)


def _run(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_promtool(), *args], cwd=directory, capture_output=True, text=True, check=False
    )


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


# Every business assumption given, so the cost and efficiency rules exist and are tested too.
_BUSINESS = Spec(
    business=Business(
        engineer_hourly_cost_usd=100,
        baseline_commits_per_hour=0.8,
        window="30m",
        quality_trend_window="2d",
    )
)


@pytest.mark.parametrize(
    "spec", [Spec(), _CUSTOM, _BUSINESS], ids=["default", "custom-thresholds", "business"]
)
def test_promtool_accepts_the_rules_and_their_tests_pass(tmp_path: Path, spec: Spec) -> None:
    rules, tests = _write(tmp_path, spec, spec)
    checked = _run(tmp_path, "check", "rules", *rules)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = _run(tmp_path, "test", "rules", *tests)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert tested.stdout.count("SUCCESS") == len(tests)


def test_the_tests_fail_against_rules_with_other_thresholds(tmp_path: Path) -> None:
    """The promtool tests are not vacuous: run against rules generated with other thresholds,
    the threshold alerts' cases fail."""
    _, tests = _write(tmp_path, Spec(), _CUSTOM)
    tested = _run(tmp_path, "test", "rules", *tests)
    assert tested.returncode != 0
    output = tested.stdout + tested.stderr
    for alertname in ("AgentPerformanceDegradation", "QueueBackup", "HighLatencyP99"):
        assert alertname in output
