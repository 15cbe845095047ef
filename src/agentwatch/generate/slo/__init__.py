"""Sloth-compatible SLO rules (recordings, meta recordings, burn-rate alerts) and their
promtool tests, from the spec's ``slos``.

Pure: ``slo_rule_file(spec)`` and ``slo_tests(spec)`` return plain data; the rules package
adds them to ``rule_files`` / ``promtool_tests`` as ``slos.yml`` / ``slos.test.yml``.
"""

from __future__ import annotations

from typing import Any

from agentwatch.spec import Spec

from ._promtool_cases import SLO_TEST_FILE, slo_tests
from ._rules import (
    BURN_WINDOWS,
    SERVICE,
    SLI_WINDOWS,
    SLO_FILE,
    alert_name,
    error_budget,
    slo_alert_names,
    slo_groups,
    slo_recording_names,
    sloth_labels,
)
from ._sli import HEALTHY_SHARE_MIN, LATENCY_SLO_SECONDS, TIME_BASED

__all__ = [
    "BURN_WINDOWS",
    "HEALTHY_SHARE_MIN",
    "LATENCY_SLO_SECONDS",
    "SERVICE",
    "SLI_WINDOWS",
    "SLO_FILE",
    "SLO_TEST_FILE",
    "TIME_BASED",
    "alert_name",
    "error_budget",
    "slo_alert_names",
    "slo_groups",
    "slo_recording_names",
    "slo_rule_file",
    "slo_tests",
    "sloth_labels",
]


def slo_rule_file(spec: Spec) -> dict[str, Any]:
    return {"groups": slo_groups(spec)}
