"""Every Prometheus rule file of the tree and its promtool test file, from the spec: the
recording and alerting rules (agentwatch.generate.rules) and the SLO rules
(agentwatch.generate.slo), which read recorded series of the former.

Pure: ``rule_files(spec)`` and ``promtool_tests(spec)`` return plain data keyed by file name;
``agentwatch.render`` writes them. The test files name the rule files by bare name, so both
belong in the same directory. Assembled here, above both packages, so neither imports the
other in a circle.
"""

from __future__ import annotations

from typing import Any

from agentwatch.generate import slo as _slo
from agentwatch.generate.rules import (
    RECORDING_FILE,
    TREND_TEST_FILE,
    alert_file,
    alert_groups,
    alert_tests,
    recording_groups,
    recording_tests,
    test_file,
    trend_step,
    trend_tests,
)
from agentwatch.spec import Spec

__all__ = ["promtool_tests", "rule_files"]

# promtool evaluates rules this often in the tests; it matches the input series' step.
_TEST_EVALUATION_INTERVAL = "1m"


def rule_files(spec: Spec) -> dict[str, dict[str, Any]]:
    """File name -> Prometheus rule file: recording rules first, then one file per category."""
    files: dict[str, dict[str, Any]] = {RECORDING_FILE: {"groups": recording_groups(spec)}}
    for category, group in alert_groups(spec).items():
        files[alert_file(category)] = {"groups": [group]}
    files[_slo.SLO_FILE] = _slo.slo_rule_file(spec)
    return files


def promtool_tests(spec: Spec) -> dict[str, dict[str, Any]]:
    """File name -> promtool test file, one per rule file; alert tests load the recording
    rules too, because several alerts read recorded series."""
    tests = {
        test_file(RECORDING_FILE): _test_file([RECORDING_FILE], recording_tests(spec)),
        TREND_TEST_FILE: _test_file(
            [RECORDING_FILE], trend_tests(spec), evaluation_interval=trend_step(spec)
        ),
    }
    for rule_file, cases in alert_tests(spec).items():
        tests[test_file(rule_file)] = _test_file([RECORDING_FILE, rule_file], cases)
    tests[_slo.SLO_TEST_FILE] = _slo.slo_tests(spec)
    return tests


def _test_file(
    rule_files: list[str],
    cases: list[dict[str, Any]],
    evaluation_interval: str = _TEST_EVALUATION_INTERVAL,
) -> dict[str, Any]:
    return {
        "rule_files": rule_files,
        "evaluation_interval": evaluation_interval,
        "tests": cases,
    }
