"""Prometheus recording and alerting rules, and their promtool unit tests, from the spec.

Pure: the groups and test cases here are plain data; agentwatch.generate.rule_tree puts them,
with the SLO rules, into files, and ``agentwatch.render`` writes them.
"""

from __future__ import annotations

from ._alerts import ALERT_NAMES, CATEGORIES, Alert, alert_groups, alerts, num, runbook_url
from ._business import business_rules
from ._promtool_cases import (
    RECORDING_FILE,
    TREND_TEST_FILE,
    alert_file,
    alert_tests,
    recording_tests,
    test_file,
    trend_tests,
)
from ._recording import recording_groups, recording_names

__all__ = [
    "ALERT_NAMES",
    "CATEGORIES",
    "RECORDING_FILE",
    "TREND_TEST_FILE",
    "Alert",
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
    "trend_tests",
]
