"""The generated rules: names, labels, annotations, runbook anchors and metric names."""

from __future__ import annotations

import re

import pytest

from agentwatch import catalog
from agentwatch.catalog import scrape
from agentwatch.generate import slo
from agentwatch.generate.promql import known_series, metric_names
from agentwatch.generate.rule_tree import promtool_tests, rule_files
from agentwatch.generate.rules import (
    ALERT_NAMES,
    CATEGORIES,
    alerts,
    constants,
    recording_names,
)
from agentwatch.generate.runbooks import runbooks_markdown
from agentwatch.render import dump_yaml
from agentwatch.spec import Business, Spec, SpecError, Thresholds, parse_spec

# Issue 3 names these; the names are part of the contract with routing and users.
ISSUE_3_ALERTS = {
    "FrameworkQualityDrop",
    "AgentPerformanceDegradation",
    "TransportThroughputLow",
    "AgentFailurePredicted",
    "SystemAvailabilityLow",
    "MemoryUsageCritical",
    "HighLatencyP99",
    "AgentHealthLow",
    "QueueBackup",
    "UnauthorizedAgentAccess",
    "AnomalousMessagePattern",
    "EmergencyMessageFlood",
    "SecurityAgentDown",
    "VoiceBiometricAuthFailures",
    "AudioCaptureAnomaly",
    "VoiceRecognitionFalsePositives",
    "TransportDown",
    "ExporterDown",
    # Issue 8: a flood of label values folded by the SDK's cardinality guard.
    "CardinalityOverflow",
    # Issue 7's security monitoring.
    "RepeatedFailedLogins",
    # Issue 8: the home's disk, and the monitoring stack's own parts.
    "HomeFilesystemAlmostFull",
    "MonitoringComponentDown",
    "AlertmanagerClusterDegraded",
    "AlertsNotReachingAlertmanager",
    "AlertmanagerNotificationsFailing",
}


def _rules(spec: Spec) -> list[dict[str, object]]:
    return [
        rule
        for content in rule_files(spec).values()
        for group in content["groups"]
        for rule in group["rules"]
    ]


def _alert_rules(spec: Spec) -> list[dict[str, object]]:
    """The threshold alerts; the SLO burn-rate alerts are tested in test_slo.py."""
    return [
        rule
        for name, content in rule_files(spec).items()
        if name != slo.SLO_FILE
        for group in content["groups"]
        for rule in group["rules"]
        if "alert" in rule
    ]


def test_every_alert_the_issue_names_is_generated_once() -> None:
    names = [str(r["alert"]) for r in _alert_rules(Spec())]
    assert sorted(names) == sorted(ISSUE_3_ALERTS) == sorted(ALERT_NAMES)


def test_every_rule_names_only_catalog_metrics_or_recorded_series() -> None:
    spec = Spec()
    known = known_series(spec)
    for rule in _rules(spec):
        unknown = metric_names(str(rule["expr"])) - known
        assert not unknown, f"{rule.get('record') or rule.get('alert')} names {unknown}"


def test_recording_rules_are_named_level_metric_operations() -> None:
    families = {f.family for f in catalog.CATALOG}
    for name in recording_names(Spec()):
        if name.startswith("claude_"):
            # Seed 000's legacy names, kept as the seed spells them.
            assert catalog.by_name(name).origin is catalog.Origin.RECORDING_RULE
            continue
        level, metric, operations = name.split(":")
        assert re.fullmatch(r"[a-z_]*", level), name
        assert metric in families, name
        assert re.fullmatch(r"[a-z0-9_]+", operations), name


def test_every_legacy_recording_rule_in_the_catalog_is_produced() -> None:
    # The cost and efficiency rules need business assumptions the default spec leaves unset.
    spec = Spec(business=Business(engineer_hourly_cost_usd=1, baseline_commits_per_hour=1))
    produced = set(recording_names(spec))
    for family in catalog.produced_by(catalog.Origin.RECORDING_RULE):
        assert family.name in produced


def test_every_alert_has_routing_labels_annotations_and_a_runbook() -> None:
    spec = Spec()
    runbooks = runbooks_markdown(spec)
    anchors = {
        heading.strip().lower() for heading in re.findall(r"^## (.+)$", runbooks, re.MULTILINE)
    }
    for rule in _alert_rules(spec):
        name = str(rule["alert"])
        labels = rule["labels"]
        annotations = rule["annotations"]
        assert isinstance(labels, dict)
        assert isinstance(annotations, dict)
        assert labels["severity"] in ("critical", "warning"), name
        assert labels["category"] in CATEGORIES, name
        assert annotations["summary"], name
        assert "{{" in annotations["description"], name
        # By default, the console's runbook page (tests/unit/console/test_runbooks.py).
        assert annotations["runbook_url"] == f"http://127.0.0.1:8080/runbooks#{name.lower()}"
        assert name.lower() in anchors, name


def test_seed_severities_and_durations() -> None:
    rules = {r["alert"]: r for r in _alert_rules(Spec())}
    assert rules["FrameworkQualityDrop"]["for"] == "5m"
    assert rules["FrameworkQualityDrop"]["labels"] == {
        "severity": "warning",
        "category": "framework",
    }
    assert rules["AgentPerformanceDegradation"]["for"] == "2m"
    critical = {n for n, r in rules.items() if r["labels"]["severity"] == "critical"}  # type: ignore[index]
    assert {
        "TransportThroughputLow",
        "AgentFailurePredicted",
        "SystemAvailabilityLow",
        "MemoryUsageCritical",
    } <= critical
    warning = set(rules) - critical
    assert {"HighLatencyP99", "AgentHealthLow", "QueueBackup"} <= warning


def test_thresholds_come_from_the_spec() -> None:
    spec = Spec(
        thresholds=Thresholds(
            framework_quality_score_min=77,
            agent_response_time_max_ms=1234,
            transport_throughput_min_mps=4321,
            failure_prediction_max=66,
            availability_min=0.995,
            memory_usage_max_ratio=0.85,
            latency_p99_max_seconds=0.25,
            agent_health_min=42,
            queue_depth_max=321,
        )
    )
    exprs = {r["alert"]: str(r["expr"]) for r in _alert_rules(spec)}
    assert exprs["FrameworkQualityDrop"].endswith("< 77")
    assert exprs["AgentPerformanceDegradation"].endswith("> 1234")
    assert exprs["TransportThroughputLow"].endswith("< 4321")
    assert exprs["AgentFailurePredicted"].endswith("> 66")
    assert exprs["SystemAvailabilityLow"].endswith("< 0.995")
    assert exprs["MemoryUsageCritical"].endswith("> 0.85")
    assert exprs["HighLatencyP99"].endswith("> 0.25")
    assert exprs["AgentHealthLow"].endswith("< 42")
    assert exprs["QueueBackup"].endswith("> 321")
    healthy = next(
        r for r in _rules(spec) if r.get("record") == "job:agent_health_score:healthy_ratio"
    )
    assert ">= bool 42" in str(healthy["expr"])


def test_default_thresholds_print_as_people_write_them() -> None:
    exprs = {r["alert"]: str(r["expr"]) for r in _alert_rules(Spec())}
    assert exprs["TransportThroughputLow"].endswith("< 4000000")
    assert exprs["SystemAvailabilityLow"].endswith("< 0.999")


def test_exporter_jobs_match_the_prometheus_configuration() -> None:
    assert constants.TRANSPORT_JOB in scrape.EXPORTER_JOBS
    assert set(constants.EXPORTER_JOBS) | {constants.TRANSPORT_JOB} == set(scrape.EXPORTER_JOBS)


def test_every_alert_has_a_firing_and_a_silent_promtool_case() -> None:
    firing: dict[str, int] = {}
    silent: dict[str, int] = {}
    for name, test_file in promtool_tests(Spec()).items():
        if name == slo.SLO_TEST_FILE:
            continue  # test_slo.py
        for case in test_file["tests"]:
            for alert_test in case.get("alert_rule_test", []):
                bucket = firing if alert_test["exp_alerts"] else silent
                bucket[alert_test["alertname"]] = bucket.get(alert_test["alertname"], 0) + 1
    assert set(firing) == ISSUE_3_ALERTS
    assert set(silent) == ISSUE_3_ALERTS


def test_test_files_name_rule_files_by_bare_name() -> None:
    spec = Spec()
    rule_names = set(rule_files(spec))
    for name, test_file in promtool_tests(spec).items():
        assert name.endswith(".test.yml")
        assert set(test_file["rule_files"]) <= rule_names


@pytest.mark.parametrize("make", [rule_files, promtool_tests])
def test_output_is_deterministic(make: object) -> None:
    assert callable(make)
    assert dump_yaml(make(Spec())) == dump_yaml(make(Spec()))


def test_runbooks_have_one_section_per_alert_in_alert_order() -> None:
    headings = re.findall(r"^## (.+)$", runbooks_markdown(Spec()), re.MULTILINE)
    assert tuple(headings) == ALERT_NAMES + slo.slo_alert_names(Spec())


def test_runbook_queries_name_onlyknown_series() -> None:
    spec = Spec()
    known = known_series(spec)
    # Runbooks show PromQL as indented code blocks.
    queries = re.findall(r"^    (\S.*)$", runbooks_markdown(spec), re.MULTILINE)
    assert len(queries) > len(ALERT_NAMES)
    for query in queries:
        assert not metric_names(query) - known, query


def test_for_durations_and_runbook_base_come_from_the_spec() -> None:
    spec = parse_spec(
        {
            "alerting": {
                "alert_for": {"QueueBackup": "15m", "HighLatencyP99": "0s"},
                "runbook_base_url": "https://wiki.example.org/runbooks",
            }
        }
    )
    by_name = {a.name: a.rule() for a in alerts(spec)}
    assert by_name["QueueBackup"]["for"] == "15m"
    assert "for" not in by_name["HighLatencyP99"]  # 0s: fires at the first evaluation
    assert by_name["AgentHealthLow"]["for"] == "5m"  # not given: the default stays
    assert (
        by_name["QueueBackup"]["annotations"]["runbook_url"]
        == "https://wiki.example.org/runbooks#queuebackup"
    )


def test_for_of_an_unknown_alert_is_refused_naming_the_field() -> None:
    with pytest.raises(SpecError) as caught:
        parse_spec({"alerting": {"alert_for": {"QueueBackUp": "5m"}}})
    message = str(caught.value)
    assert "alerting.alert_for" in message
    assert "QueueBackUp" in message
    assert "QueueBackup" in message  # the known names are listed
