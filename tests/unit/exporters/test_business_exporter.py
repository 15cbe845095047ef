"""The framework/business exporter as `agentwatch framework serve` runs it: the scanner's
families, the survey, and what simulated developers' Claude Code sent through the real
OpenTelemetry SDK to the OTLP receiver — every served count equals what was sent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from agentwatch import catalog
from agentwatch.exporters._business import BusinessExporter
from agentwatch.framework import EXAMPLE_FRAMEWORK
from agentwatch.security import Authenticator, Secrets
from agentwatch.security._pii import is_pseudonym
from agentwatch.simulate._developers import (
    ACTIVE_TIME,
    COMMITS,
    COST,
    EDIT_DECISIONS,
    TOKENS,
    SimulatedDevelopers,
)
from agentwatch.simulate._live import otlp_metrics_url
from agentwatch.simulate._load import LoadPattern
from agentwatch.spec import Spec
from tests.unit.exporters.otlp.conftest import free_ports
from tests.unit.tools import check_metrics

T0 = 1_764_000_000.0  # a Monday, 16:00 UTC: a working hour near the daily peak


@pytest.fixture
def spec() -> Spec:
    framework, otlp = free_ports(2)
    return Spec.model_validate({"ports": {"framework_exporter": framework, "otlp_http": otlp}})


@pytest.fixture
def exporter(spec: Spec, tmp_path: Path) -> Iterator[BusinessExporter]:
    running = BusinessExporter(spec, tmp_path, EXAMPLE_FRAMEWORK)
    running.start()
    try:
        yield running
    finally:
        running.stop()


def _scrape(exporter: BusinessExporter) -> tuple[str, dict[str, float]]:
    text = httpx.get(f"{exporter.metrics.url}/metrics").text
    sums: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            sums[sample.name] = sums.get(sample.name, 0.0) + sample.value
    return text, sums


def test_simulated_claude_code_arrives_exactly_as_sent(
    spec: Spec, exporter: BusinessExporter, promtool: Path
) -> None:
    team = SimulatedDevelopers(
        8, otlp_metrics_url(spec), LoadPattern(200.0, 0.5, 0.2), seed=7, start=T0,
        export_interval=3600,
    )  # fmt: skip
    try:
        for minute in range(1, 61):
            team.advance(T0 + 60 * minute)
        assert team.provider.force_flush(10_000)
        # A second hour, so delta exports are added to what is already served.
        for minute in range(61, 121):
            team.advance(T0 + 60 * minute)
        assert team.provider.force_flush(10_000)
    finally:
        team.shutdown()
    text, served = _scrape(exporter)
    expected = {
        catalog.CLAUDE_CODE_COMMIT_COUNT_TOTAL.name: team.sent[COMMITS],
        catalog.CLAUDE_CODE_TOKEN_USAGE_TOKENS_TOTAL.name: team.sent[TOKENS],
        catalog.CLAUDE_CODE_CODE_EDIT_TOOL_DECISION_TOTAL.name: team.sent[EDIT_DECISIONS],
    }
    assert min(expected.values()) > 0
    for name, value in expected.items():
        assert served[name] == value, name
    assert served[catalog.CLAUDE_CODE_COST_USAGE_USD_TOTAL.name] == pytest.approx(team.sent[COST])
    assert served[catalog.CLAUDE_CODE_ACTIVE_TIME_SECONDS_TOTAL.name] == pytest.approx(
        team.sent[ACTIVE_TIME]
    )
    # Eight developers near the daily peak for two hours: about 8 * 1.4 * 2 active hours.
    assert 15 * 3600 < team.sent[ACTIVE_TIME] < 30 * 3600
    assert served[f"{catalog.GEN_AI_CLIENT_OPERATION_DURATION_SECONDS.name}_count"] > 0
    # Each developer is one hashed `user`: counted, never named.
    assert "simulated.example.com" not in text
    users = {
        sample.labels["user"]
        for family in text_string_to_metric_families(text)
        if family.name == catalog.CLAUDE_CODE_ACTIVE_TIME_SECONDS_TOTAL.family
        for sample in family.samples
    }
    assert len(users) == 8
    assert all(is_pseudonym(user) for user in users), users
    check_metrics(promtool, text)


def test_the_scanner_and_the_survey_are_served(exporter: BusinessExporter, promtool: Path) -> None:
    _, served = _scrape(exporter)
    assert served[catalog.FRAMEWORK_QUALITY_SCORE.name] == pytest.approx(97.07, abs=0.01)
    assert served[catalog.FRAMEWORK_AGENTS.name] == 45
    assert catalog.DEVELOPER_SURVEY_SCORE.name not in served  # no answers: no score
    exporter.survey.record(4)
    exporter.survey.record(5)
    text, served = _scrape(exporter)
    assert served[catalog.DEVELOPER_SURVEY_SCORE.name] == pytest.approx(87.5)
    assert served[catalog.DEVELOPER_SURVEY_RESPONSES.name] == 2
    check_metrics(promtool, text)


def test_with_auth_both_endpoints_ask_and_developers_push_with_the_token(
    spec: Spec, tmp_path: Path, promtool: Path
) -> None:
    secrets = Secrets.generate()
    running = BusinessExporter(
        spec, tmp_path, EXAMPLE_FRAMEWORK, authenticator=Authenticator(secrets)
    )
    running.start()
    try:
        assert running.receiver is not None
        receiver = running.receiver.metrics_url
        assert httpx.post(receiver, content=b"").status_code == 401
        assert httpx.get(f"{running.metrics.url}/metrics").status_code == 401
        token = {"Authorization": f"Bearer {secrets.scrape_token}"}
        team = SimulatedDevelopers(
            2, otlp_metrics_url(spec), LoadPattern(200.0, 0.5, 0.2), seed=7, start=T0,
            export_interval=3600, headers=token,
        )  # fmt: skip
        try:
            for minute in range(1, 61):
                team.advance(T0 + 60 * minute)
            assert team.provider.force_flush(10_000)
        finally:
            team.shutdown()
        text = httpx.get(f"{running.metrics.url}/metrics", headers=token).text
    finally:
        running.stop()
    check_metrics(promtool, text)
    served = {
        (sample.labels.get("component"), sample.labels.get("reason")): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if family.name == catalog.AGENTWATCH_AUTH_FAILURES_TOTAL.family
    }
    # Each endpoint counts its own refusal; the developers' pushes were let in.
    assert served[("OTLP receiver", "missing")] == 1
    assert served[("framework exporter", "missing")] == 1
    active = sum(
        sample.value
        for family in text_string_to_metric_families(text)
        if family.name == catalog.CLAUDE_CODE_ACTIVE_TIME_SECONDS_TOTAL.family
        for sample in family.samples
    )
    assert active == pytest.approx(team.sent[ACTIVE_TIME])
    assert active > 0
