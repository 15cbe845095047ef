"""Prometheus recording and alerting rules, and their promtool unit tests, from the spec.

Pure: the groups and test cases here are plain data; agentwatch.generate.rule_tree puts them,
with the SLO rules, into files, and ``agentwatch.render`` writes them. Each alert is defined
once, with its runbook section and promtool cases, in ``alerts/<category>.py``.
"""

from __future__ import annotations

from ._business import business_rules
from ._number import num
from ._promtool_cases import (
    RECORDING_FILE,
    TREND_TEST_FILE,
    alert_file,
    alert_tests,
    recording_tests,
    test_file,
    trend_step,
    trend_tests,
)
from ._recording import recording_groups, recording_names
from .alerts import (
    ALERT_NAMES,
    CATEGORIES,
    Alert,
    Runbook,
    alert_groups,
    alerts,
    runbook_url,
)

__all__ = [
    "ALERT_NAMES",
    "CATEGORIES",
    "RECORDING_FILE",
    "TREND_TEST_FILE",
    "Alert",
    "Runbook",
    "alert_file",
    "alert_groups",
    "alert_tests",
    "alerts",
    "business_rules",
    "num",
    "recording_groups",
    "recording_names",
    "recording_tests",
    "runbook_url",
    "test_file",
    "trend_step",
    "trend_tests",
]
