"""One e-mail address sent through every path agentwatch takes personal values by — an SDK
monitor's label, a span attribute, Claude Code telemetry through the real OpenTelemetry SDK to
a running OTLP receiver — is found nowhere in what leaves: /metrics, traces, refusal
messages, logs, generated rules. Where a label is served, its pseudonym is, under the home's
pii key, so per-person counts still work."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import AggregationTemporality

from agentwatch.exporters import MetricsServer
from agentwatch.exporters._business import BusinessExporter
from agentwatch.exporters.otlp import OtlpReceiver, OtlpStore
from agentwatch.generate.tree import monitoring_tree
from agentwatch.instrument import AgentFleet, AgentTracer, TransportMonitor
from agentwatch.render import serialise
from agentwatch.security import SECRETS_ENV, Pseudonymizer, ensure_secrets, pseudonymizer_for
from agentwatch.spec import DEFAULT_HASHED_LABELS, OtlpReceiverSettings, Spec
from tests.unit.exporters.otlp.conftest import (
    free_ports,
    number,
    request,
    sdk_meter_provider,
    sum_metric,
)
from tests.unit.instrument.spans import recording_provider
from tests.unit.tools import check_metrics

EMAIL = "ada.lovelace@example.com"
# The defaults, plus the SDK label a person's address lands in when people message agents.
HASHED = (*DEFAULT_HASHED_LABELS, "source_agent")
REPO = Path(__file__).resolve().parents[3]
_ADDRESS = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home whose secrets (and so pii_key) `agentwatch up` would have generated."""
    monkeypatch.delenv(SECRETS_ENV, raising=False)
    ensure_secrets(tmp_path)
    return tmp_path


@pytest.fixture
def pseudonymizer(home: Path) -> Pseudonymizer:
    found = ensure_secrets(home)[0]
    return pseudonymizer_for(HASHED, found.pii_key)


@pytest.fixture(autouse=True)
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every log record of every test here, at every level, is searched for the address."""
    caplog.set_level(logging.DEBUG)
    yield caplog
    logged = "\n".join(
        f"{record.name} {record.getMessage()} {record.exc_text or ''}" for record in caplog.records
    )
    assert EMAIL not in logged


def _flushed(provider: MeterProvider) -> None:
    try:
        assert provider.force_flush(timeout_millis=10_000)
    finally:
        provider.shutdown()


def test_sdk_monitor_labels_reach_metrics_only_as_pseudonyms(
    pseudonymizer: Pseudonymizer, promtool: Path
) -> None:
    fleet = AgentFleet(pseudonymizer=pseudonymizer)
    transport = TransportMonitor(pseudonymizer=pseudonymizer)
    # A person, not an agent, sends the support agent a message.
    fleet.agent("support-0", "support").record_message(0.02, source_agent=EMAIL, action="ask")
    transport.record_flow(EMAIL, "support", "task")
    with MetricsServer(fleet.collector(), transport.collector(), port=0) as server:
        text = httpx.get(f"{server.url}/metrics").text
    assert EMAIL not in text
    served = f'source_agent="{pseudonymizer.pseudonym(EMAIL)}"'
    [processed] = [line for line in text.splitlines() if line.startswith("agent_messages_proc")]
    [flow] = [line for line in text.splitlines() if line.startswith("message_flow_matrix_total")]
    assert served in processed
    assert served in flow
    # Unlisted labels are as they were.
    assert 'agent_id="support-0"' in processed
    check_metrics(promtool, text)


def test_span_attributes_reach_traces_only_as_pseudonyms(pseudonymizer: Pseudonymizer) -> None:
    provider, spans = recording_provider()
    tracer = AgentTracer(
        "support", "support-0", tracer_provider=provider, pseudonymizer=pseudonymizer
    )
    headers: dict[str, str] = {}
    with tracer.receive({}, attributes={"enduser.id": EMAIL}) as span:
        span.set_attribute("user.email", EMAIL)
        span.set_attributes({"session.id": [EMAIL], "app.version": "1.0"})
        span.add_event("asked", {"user.id": EMAIL})
        with tracer.send(headers, target_agent="billing", attributes={"user.email": EMAIL}):
            pass
        with tracer.tool("lookup", attributes={"user.id": EMAIL}) as tool:
            tool.set_attribute("user.email", EMAIL.encode())  # cannot be hashed: left out
    tracer.record_kept_send(
        "error", target_agent="billing", start_time=1, end_time=2, attributes={"user.id": EMAIL}
    )
    finished = spans.get_finished_spans()
    provider.shutdown()
    assert len(finished) == 4
    exported = "\n".join(span.to_json() for span in finished)
    assert EMAIL not in exported
    assert EMAIL not in str(headers)  # what travels in the message to the next agent
    pseudonym = pseudonymizer.pseudonym(EMAIL)
    by_name = {span.name: dict(span.attributes or {}) for span in finished}
    received = by_name["invoke_agent support"]
    assert received["enduser.id"] == received["user.email"] == pseudonym
    assert received["session.id"] == (pseudonym,)
    assert received["app.version"] == "1.0"
    assert received["gen_ai.agent.name"] == "support"
    [event] = next(s for s in finished if s.name == "invoke_agent support").events
    assert dict(event.attributes or {}) == {"user.id": pseudonym}
    assert by_name["execute_tool lookup"]["user.id"] == pseudonym
    assert "user.email" not in by_name["execute_tool lookup"]
    sent = [dict(s.attributes or {}) for s in finished if s.name == "invoke_agent billing"]
    assert sorted(str(a.get("user.email") or a.get("user.id")) for a in sent) == [pseudonym] * 2


def test_a_tracer_without_a_pseudonymizer_still_hashes_the_default_keys() -> None:
    provider, spans = recording_provider()
    tracer = AgentTracer("support", tracer_provider=provider)
    with tracer.receive({}, attributes={"user.email": EMAIL}):
        pass
    [span] = spans.get_finished_spans()
    provider.shutdown()
    assert EMAIL not in span.to_json()
    assert tracer.pseudonymizer.names == frozenset(DEFAULT_HASHED_LABELS)
    assert dict(span.attributes or {})["user.email"] == tracer.pseudonymizer.pseudonym(EMAIL)


def test_claude_code_telemetry_reaches_the_business_exporter_only_as_pseudonyms(
    home: Path, pseudonymizer: Pseudonymizer, promtool: Path
) -> None:
    framework, otlp = free_ports(2)
    spec = Spec.model_validate({"ports": {"framework_exporter": framework, "otlp_http": otlp}})
    exporter = BusinessExporter(spec, home, None)  # the pii key from the home, as `up` runs it
    exporter.start()
    try:
        assert exporter.receiver is not None
        for temporality in (AggregationTemporality.DELTA, AggregationTemporality.CUMULATIVE):
            provider = sdk_meter_provider(
                exporter.receiver.metrics_url, temporality, resource={"enduser.id": EMAIL}
            )
            meter = provider.get_meter("com.anthropic.claude_code")
            who = {"user.email": EMAIL, "session.id": EMAIL, "terminal.type": "vscode"}
            meter.create_counter("claude_code.session.count", unit="count").add(1, who)
            active = meter.create_counter("claude_code.active_time.total", unit="s")
            active.add(30, {**who, "type": "user"})
            tokens = meter.create_counter("claude_code.token.usage", unit="tokens")
            tokens.add(100, {**who, "type": "input", "model": "claude-sonnet-4-5"})
            _flushed(provider)
        text = httpx.get(f"{exporter.metrics.url}/metrics").text
    finally:
        exporter.stop()
    assert EMAIL not in text
    user = f'user="{pseudonymizer.pseudonym(EMAIL)}"'
    for family, value in (
        ("claude_code_session_count_total", "2.0"),
        ("claude_code_active_time_seconds_total", "60.0"),
    ):
        [line] = [line for line in text.splitlines() if line.startswith(family)]
        assert user in line
        assert line.endswith(f" {value}"), line
    [tokens_line] = [
        line for line in text.splitlines() if line.startswith("claude_code_token_usage")
    ]
    assert "user=" not in tokens_line
    assert tokens_line.endswith(" 200.0"), tokens_line
    check_metrics(promtool, text)


def test_refusal_messages_and_logs_name_pseudonyms_only(
    pseudonymizer: Pseudonymizer, logs: pytest.LogCaptureFixture
) -> None:
    # A pseudonym (34 characters) is longer than this limit: the point is refused, and the
    # refusal describes the value it would have served.
    store = OtlpStore(OtlpReceiverSettings(max_label_value_chars=20), pseudonymizer=pseudonymizer)
    with OtlpReceiver(store, port=0) as receiver:
        provider = sdk_meter_provider(receiver.metrics_url, AggregationTemporality.DELTA)
        meter = provider.get_meter("com.anthropic.claude_code")
        meter.create_counter("claude_code.session.count", unit="count").add(1, {"user.id": EMAIL})
        _flushed(provider)
    warnings = [r.getMessage() for r in logs.records if r.name.startswith("agentwatch")]
    assert len(warnings) == 1, warnings
    assert "label_too_long" in warnings[0]
    assert repr(pseudonymizer.pseudonym(EMAIL)[:24]) in warnings[0]
    assert store.snapshot().data_points == {"accepted": 0, "label_too_long": 1}
    # What the client is told (partial_success.error_message), here with the address on
    # the resource, where OTEL_RESOURCE_ATTRIBUTES puts it.
    refused = store.ingest(
        request(
            sum_metric("claude_code.active_time.total", [number(5.0)], unit="s"),
            resource={"user.email": EMAIL},
        )
    )
    assert refused.rejected == 1
    assert EMAIL not in refused.error_message()
    assert pseudonymizer.pseudonym(EMAIL)[:24] in refused.error_message()


def test_generated_rules_and_the_committed_tree_hold_no_address() -> None:
    spec = Spec.model_validate({"privacy": {"hashed_labels": list(HASHED)}})
    generated = "\n".join(
        serialise(path, content) for path, content in monitoring_tree(spec).items()
    )
    committed = "\n".join(
        path.read_text() for path in sorted((REPO / "monitoring").rglob("*")) if path.is_file()
    )
    for text in (generated, committed):
        assert EMAIL not in text
        assert _ADDRESS.search(text) is None
