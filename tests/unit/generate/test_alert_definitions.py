"""The alert definitions (generate/rules/alerts/): one module per category, each alert one
definition holding its rule, runbook section and promtool cases."""

from __future__ import annotations

import re
from types import ModuleType

import pytest

from agentwatch.generate.rules import ALERT_NAMES, CATEGORIES, alerts
from agentwatch.generate.rules.alerts import (
    agents,
    analytics,
    business,
    framework,
    security,
    system,
    transport,
    voice,
)
from agentwatch.spec import Spec

MODULES = (transport, agents, system, framework, security, voice, analytics, business)
# Every alert on: the business-impact alerts are off until their targets are set.
EVERY_ALERT = Spec.model_validate(
    {
        "business": {
            "targets": {
                "development_velocity_min": 2,
                "session_success_rate_min": 0.95,
                "cost_per_commit_max_usd": 3,
            }
        }
    }
)


def test_the_categories_are_the_modules_in_rule_file_order() -> None:
    assert tuple(module.CATEGORY for module in MODULES) == CATEGORIES


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.CATEGORY)
def test_a_category_module_defines_alerts_of_its_category_named_after_them(
    module: ModuleType,
) -> None:
    for define in module.ALERTS:
        alert = define(EVERY_ALERT)
        assert alert is not None
        assert alert.category == module.CATEGORY, alert.name
        # The function is the alert's name in snake case, so a grep for either finds both.
        assert define.__name__ == re.sub(r"(?<!^)(?=[A-Z])", "_", alert.name).lower()


def test_every_alert_has_a_firing_and_a_silent_case_and_a_runbook() -> None:
    for alert in alerts(EVERY_ALERT):
        assert any(case.labels is not None for case in alert.cases), alert.name
        assert any(case.labels is None for case in alert.cases), alert.name
        assert alert.runbook.meaning, alert.name
        assert alert.runbook.queries, alert.name
        assert alert.runbook.actions, alert.name


def test_every_alert_has_a_default_for_and_every_default_an_alert() -> None:
    # The one thing about an alert kept outside its definition: the spec validates
    # alerting.alert_for against these names, and the spec cannot import the generators.
    assert sorted(Spec().alerting.alert_for) == sorted(a.name for a in alerts(EVERY_ALERT))


def test_business_alerts_are_off_until_their_target_is_set() -> None:
    assert not [a for a in alerts(Spec()) if a.category == "business"]
    assert set(ALERT_NAMES) < {a.name for a in alerts(EVERY_ALERT)}
    only_cost = Spec.model_validate({"business": {"targets": {"cost_per_commit_max_usd": 3}}})
    assert [a.name for a in alerts(only_cost) if a.category == "business"] == [
        "CostPerCommitAboveTarget"
    ]
