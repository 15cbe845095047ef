"""The real OpenTelemetry SDK, with its OTLP/HTTP exporter, pushing to the receiver over a real
socket: Claude Code's counters (delta, as Claude Code exports by default, and cumulative) and
the GenAI histograms; the exposition has the exact values and passes promtool."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import AggregationTemporality

from agentwatch import catalog
from agentwatch.exporters.otlp import OtlpReceiver, OtlpStore
from tests.unit.tools import check_metrics

from .conftest import exposition, sdk_meter_provider, value

IDENTITY = {
    "session.id": "3f1c2a9e-0000-4000-8000-000000000001",
    "user.id": "a" * 64,
    "user.email": "dev@example.com",
    "user.account_uuid": "7b9e-account",
    "organization.id": "org-uuid",
    "terminal.type": "vscode",
}


@pytest.fixture
def flushes() -> Iterator[list[MeterProvider]]:
    providers: list[MeterProvider] = []
    yield providers
    for provider in providers:
        provider.shutdown()


def _record_claude_code_session(provider: MeterProvider, rounds: int) -> None:
    """Three rounds of Claude Code activity; each round flushed (one OTLP export each)."""
    meter = provider.get_meter("com.anthropic.claude_code", "2.1.0")
    sessions = meter.create_counter("claude_code.session.count", unit="count")
    tokens = meter.create_counter("claude_code.token.usage", unit="tokens")
    cost = meter.create_counter("claude_code.cost.usage", unit="USD")
    lines = meter.create_counter("claude_code.lines_of_code.count", unit="count")
    decisions = meter.create_counter("claude_code.code_edit_tool.decision", unit="count")
    active = meter.create_counter("claude_code.active_time.total", unit="s")
    commits = meter.create_counter("claude_code.commit.count", unit="count")
    prs = meter.create_counter("claude_code.pull_request.count", unit="count")
    duration = meter.create_histogram(
        "gen_ai.client.operation.duration",
        unit="s",
        explicit_bucket_boundaries_advisory=list(catalog.GEN_AI_OPERATION_DURATION_BUCKETS),
    )
    token_hist = meter.create_histogram(
        "gen_ai.client.token.usage",
        unit="{token}",
        explicit_bucket_boundaries_advisory=list(catalog.GEN_AI_TOKEN_USAGE_BUCKETS),
    )
    model = {"model": "claude-sonnet-4-5", "query_source": "main"}
    genai = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "anthropic",
        "gen_ai.request.model": "claude-sonnet-4-5",
    }
    sessions.add(1, {**IDENTITY, "start_type": "fresh"})
    for _ in range(rounds):
        tokens.add(2, {**IDENTITY, **model, "type": "input"})
        tokens.add(1000, {**IDENTITY, **model, "type": "cacheRead"})
        cost.add(0.25, {**IDENTITY, **model})
        lines.add(10, {**IDENTITY, "type": "added", "model": "claude-sonnet-4-5"})
        lines.add(3, {**IDENTITY, "type": "removed", "model": "claude-sonnet-4-5"})
        decisions.add(
            1,
            {
                **IDENTITY,
                "tool_name": "Edit",
                "decision": "accept",
                "source": "config",
                "language": "Python",
            },
        )
        active.add(1.5, {**IDENTITY, "type": "user"})
        duration.record(0.3, genai)
        duration.record(3.0, genai)
        token_hist.record(100, {**genai, "gen_ai.token.type": "input"})
        assert provider.force_flush(timeout_millis=10_000)
    commits.add(1, IDENTITY)
    prs.add(1, IDENTITY)
    assert provider.force_flush(timeout_millis=10_000)


def _claude(**labels: str) -> dict[str, str]:
    return {"service_name": "claude-code", "terminal_type": "vscode", **labels}


@pytest.mark.parametrize(
    "temporality", [AggregationTemporality.DELTA, AggregationTemporality.CUMULATIVE]
)
def test_the_sdk_exporter_feeds_exact_prometheus_values(
    temporality: AggregationTemporality,
    store: OtlpStore,
    receiver: OtlpReceiver,
    flushes: list[MeterProvider],
    promtool: Path,
) -> None:
    provider = sdk_meter_provider(receiver.metrics_url, temporality)
    flushes.append(provider)
    _record_claude_code_session(provider, rounds=3)

    model = {"model": "claude-sonnet-4-5", "query_source": "main"}
    served = {
        ("claude_code_session_count_total", frozenset(_claude(start_type="fresh").items())): 1,
        (
            "claude_code_token_usage_tokens_total",
            frozenset(_claude(type="input", **model).items()),
        ): 6,
        (
            "claude_code_token_usage_tokens_total",
            frozenset(_claude(type="cacheRead", **model).items()),
        ): 3000,
        ("claude_code_cost_usage_usd_total", frozenset(_claude(**model).items())): 0.75,
        (
            "claude_code_lines_of_code_count_total",
            frozenset(_claude(type="added", model="claude-sonnet-4-5").items()),
        ): 30,
        (
            "claude_code_lines_of_code_count_total",
            frozenset(_claude(type="removed", model="claude-sonnet-4-5").items()),
        ): 9,
        (
            "claude_code_code_edit_tool_decision_total",
            frozenset(
                _claude(
                    tool_name="Edit", decision="accept", source="config", language="Python"
                ).items()
            ),
        ): 3,
        ("claude_code_active_time_seconds_total", frozenset(_claude(type="user").items())): 4.5,
        ("claude_code_commit_count_total", frozenset(_claude().items())): 1,
        ("claude_code_pull_request_count_total", frozenset(_claude().items())): 1,
    }
    for (name, labels), expected in served.items():
        assert value(store, name, **dict(labels)) == pytest.approx(expected), (name, labels)

    genai = {
        "service_name": "claude-code",
        "gen_ai_operation_name": "chat",
        "gen_ai_provider_name": "anthropic",
        "gen_ai_request_model": "claude-sonnet-4-5",
        "gen_ai_response_model": "",
        "error_type": "",
    }
    duration = "gen_ai_client_operation_duration_seconds"
    assert value(store, duration + "_count", **genai) == 6
    assert value(store, duration + "_sum", **genai) == pytest.approx(9.9)
    assert value(store, duration + "_bucket", le="0.32", **genai) == 3
    assert value(store, duration + "_bucket", le="2.56", **genai) == 3
    assert value(store, duration + "_bucket", le="5.12", **genai) == 6
    assert value(store, duration + "_bucket", le="+Inf", **genai) == 6
    tokens = "gen_ai_client_token_usage"
    assert value(store, tokens + "_bucket", le="64.0", gen_ai_token_type="input") == 0
    assert value(store, tokens + "_bucket", le="256.0", gen_ai_token_type="input") == 3
    assert value(store, tokens + "_sum", gen_ai_token_type="input") == 300

    text = exposition(store)
    # Identity attributes never reach a label.
    for secret in ("dev@example.com", "3f1c2a9e", "org-uuid", "7b9e-account", "a" * 64):
        assert secret not in text
    assert 'otlp_receiver_requests_total{outcome="success"} 4.0' in text
    assert 'otlp_receiver_requests_total{outcome="partial_success"}' not in text
    check_metrics(promtool, text)


def test_gzip_from_the_sdk_exporter_is_accepted(
    store: OtlpStore, receiver: OtlpReceiver, flushes: list[MeterProvider]
) -> None:
    provider = sdk_meter_provider(
        receiver.metrics_url, AggregationTemporality.DELTA, compression=Compression.Gzip
    )
    flushes.append(provider)
    _record_claude_code_session(provider, rounds=2)
    assert value(store, "claude_code_cost_usage_usd_total") == pytest.approx(0.5)
    assert value(store, "otlp_receiver_requests_total", outcome="success") == 3


def test_metrics_not_in_the_catalog_are_counted_not_served(
    store: OtlpStore, receiver: OtlpReceiver, flushes: list[MeterProvider]
) -> None:
    provider = sdk_meter_provider(receiver.metrics_url, AggregationTemporality.DELTA)
    flushes.append(provider)
    meter = provider.get_meter("app")
    meter.create_counter("http.server.requests").add(5, {"route": "/"})
    meter.create_up_down_counter("claude_code.session.count").add(1)  # not monotonic
    meter.create_counter("claude_code.commit.count", unit="count").add(2)
    assert provider.force_flush(timeout_millis=10_000)
    text = exposition(store)
    assert "http_server_requests" not in text
    assert value(store, "claude_code_commit_count_total") == 2
    assert value(store, "claude_code_session_count_total") is None
    assert value(store, "otlp_receiver_data_points_total", outcome="unknown_metric") == 1
    assert value(store, "otlp_receiver_data_points_total", outcome="unsupported_type") == 1
    assert value(store, "otlp_receiver_data_points_total", outcome="accepted") == 1
    assert value(store, "otlp_receiver_requests_total", outcome="partial_success") == 1
