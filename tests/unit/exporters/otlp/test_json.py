"""OTLP/JSON: as a JavaScript exporter (Claude Code's) writes it by hand, and as json_format
writes SDK-encoded requests."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from google.protobuf import json_format  # type: ignore[import-untyped]
from opentelemetry.exporter.otlp.proto.common.metrics_encoder import encode_metrics
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceResponse,
)
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.resources import Resource

from agentwatch.exporters.otlp import BadPayloadError, Encoding, OtlpApp, OtlpStore, decode_request

from .conftest import call, value

TRACE_ID = "5b8efff798038103d269b633813fc60c"
SPAN_ID = "eee19b7ec3c1b174"


def _attr(key: str, text: str) -> dict[str, Any]:
    return {"key": key, "value": {"stringValue": text}}


def claude_code_json(*, time: str = "1700000060000000000", tokens: Any = "1500") -> dict[str, Any]:
    """An export as Claude Code's JavaScript OTLP/JSON exporter sends it: lowerCamelCase keys,
    int64 as decimal strings, enums as integers, hex exemplar ids, and fields this receiver
    does not know."""
    return {
        "resourceMetrics": [
            {
                "resource": {
                    "attributes": [
                        _attr("service.name", "claude-code"),
                        _attr("service.version", "2.1.0"),
                        {"key": "host.cpus", "value": {"intValue": "8"}},
                    ],
                    "droppedAttributesCount": 0,
                    "someFutureResourceField": {"nested": [1, 2, 3]},
                },
                "scopeMetrics": [
                    {
                        "scope": {"name": "com.anthropic.claude_code", "version": "2.1.0"},
                        "metrics": [
                            {
                                "name": "claude_code.token.usage",
                                "description": "Number of tokens used",
                                "unit": "tokens",
                                "sum": {
                                    "aggregationTemporality": 1,
                                    "isMonotonic": True,
                                    "dataPoints": [
                                        {
                                            "attributes": [
                                                _attr("user.email", "dev@example.com"),
                                                _attr("session.id", "s-1"),
                                                _attr("terminal.type", "iTerm.app"),
                                                _attr("type", "output"),
                                                _attr("model", "claude-opus-4-1"),
                                            ],
                                            "startTimeUnixNano": "1700000000000000000",
                                            "timeUnixNano": time,
                                            "asInt": tokens,
                                            "exemplars": [
                                                {
                                                    "timeUnixNano": time,
                                                    "asInt": "12",
                                                    "traceId": TRACE_ID,
                                                    "spanId": SPAN_ID,
                                                }
                                            ],
                                            "flags": 0,
                                            "aFieldFromTheFuture": "ignored",
                                        }
                                    ],
                                },
                                "metadata": [],
                            },
                            {
                                "name": "claude_code.cost.usage",
                                "unit": "USD",
                                "sum": {
                                    "aggregationTemporality": 1,
                                    "isMonotonic": True,
                                    "dataPoints": [
                                        {
                                            "attributes": [_attr("model", "claude-opus-4-1")],
                                            "startTimeUnixNano": 1700000000000000000,
                                            "timeUnixNano": 1700000060000000000,
                                            "asDouble": 0.0375,
                                        }
                                    ],
                                },
                            },
                        ],
                    }
                ],
            }
        ]
    }


def _post_json(app: OtlpApp, document: Any) -> tuple[int, dict[str, Any]]:
    reply = call(app, json.dumps(document).encode(), content_type="application/json")
    assert reply.headers["Content-Type"] == "application/json"
    return reply.status, json.loads(reply.body or b"{}")


def test_javascript_style_json_is_served(app: OtlpApp, store: OtlpStore) -> None:
    status, body = _post_json(app, claude_code_json())
    assert status == 200
    assert body == {}  # full success: partial_success left unset
    tokens = value(
        store,
        "claude_code_token_usage_tokens_total",
        service_name="claude-code",
        terminal_type="iTerm.app",
        type="output",
        model="claude-opus-4-1",
        query_source="",
    )
    assert tokens == 1500
    assert value(store, "claude_code_cost_usage_usd_total", model="claude-opus-4-1") == 0.0375


def test_exemplar_ids_are_read_as_hex_not_base64() -> None:
    body = json.dumps(claude_code_json()).encode()
    decoded = decode_request(body, Encoding.JSON)
    point = decoded.resource_metrics[0].scope_metrics[0].metrics[0].sum.data_points[0]
    assert point.exemplars[0].trace_id.hex() == TRACE_ID
    assert point.exemplars[0].span_id.hex() == SPAN_ID
    # json_format alone would have read the hex as base64, silently, into other bytes.
    assert base64.b64decode(TRACE_ID) != bytes.fromhex(TRACE_ID)


@pytest.mark.parametrize(
    ("trace_id", "complaint"),
    [("not-hex-at-all-not-hex-at-all-00", "is not hex"), ("abcd", "has 2 bytes, expected 16")],
)
def test_bad_exemplar_ids_are_a_400_naming_the_field(
    app: OtlpApp, trace_id: str, complaint: str
) -> None:
    document = claude_code_json()
    point = document["resourceMetrics"][0]["scopeMetrics"][0]["metrics"][0]["sum"]["dataPoints"][0]
    point["exemplars"][0]["traceId"] = trace_id
    status, body = _post_json(app, document)
    assert status == 400
    assert "exemplar traceId of metric 'claude_code.token.usage'" in body["message"]
    assert complaint in body["message"]


def test_delta_json_exports_add_up(app: OtlpApp, store: OtlpStore) -> None:
    for minute in range(1, 4):
        status, _ = _post_json(app, claude_code_json(time=f"17000000{minute}0000000000", tokens=7))
        assert status == 200
    assert value(store, "claude_code_token_usage_tokens_total", type="output") == 21


def test_partial_success_answers_in_json_with_int64_as_string(app: OtlpApp) -> None:
    document = claude_code_json()
    metrics = document["resourceMetrics"][0]["scopeMetrics"][0]["metrics"]
    metrics.append(
        {
            "name": "claude_code.unknown.thing",
            "sum": {"aggregationTemporality": 1, "isMonotonic": True, "dataPoints": [{}, {}]},
        }
    )
    status, body = _post_json(app, document)
    assert status == 200
    partial = body["partialSuccess"]
    assert partial["rejectedDataPoints"] == "2"
    assert "unknown_metric" in partial["errorMessage"]
    assert "claude_code.unknown.thing" in partial["errorMessage"]
    parsed = json_format.Parse(json.dumps(body), ExportMetricsServiceResponse())
    assert parsed.partial_success.rejected_data_points == 2


def test_json_written_by_json_format_from_sdk_requests(app: OtlpApp, store: OtlpStore) -> None:
    reader = InMemoryMetricReader()
    provider = MeterProvider(
        metric_readers=[reader], resource=Resource.create({"service.name": "agent"})
    )
    meter = provider.get_meter("agent")
    meter.create_counter("claude_code.commit.count", unit="count").add(4, {"terminal.type": "tmux"})
    duration = meter.create_histogram("gen_ai.client.operation.duration", unit="s")
    duration.record(1.2, {"gen_ai.operation.name": "chat", "gen_ai.system": "anthropic"})
    data = reader.get_metrics_data()
    assert data is not None
    sdk_request = encode_metrics(data)
    text = json_format.MessageToJson(sdk_request)
    reply = call(app, text.encode(), content_type="application/json; charset=utf-8")
    assert reply.status == 200, reply.body
    assert value(store, "claude_code_commit_count_total", terminal_type="tmux") == 4
    # The provider attribute's old name, gen_ai.system, still fills gen_ai_provider_name.
    duration_sum = value(
        store, "gen_ai_client_operation_duration_seconds_sum", gen_ai_provider_name="anthropic"
    )
    assert duration_sum == pytest.approx(1.2)
    provider.shutdown()


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        (b"{not json", "not JSON"),
        (b"[1, 2]", "not an object"),
        (b"\xff\xfe", "not UTF-8"),
        (b'{"resourceMetrics": "nope"}', "not an ExportMetricsServiceRequest"),
        (b'{"resourceMetrics": [{"scopeMetrics": [{"metrics": [{"sum": {"dataPoints": '
         b'[{"asInt": "12x"}]}}]}]}]}', "not an ExportMetricsServiceRequest"),
        (b"[" * 100_000 + b"]" * 100_000, "nests deeper"),
        (b'{"a":' * 100 + b"1" + b"}" * 100, "nests deeper"),
    ],
)  # fmt: skip
def test_undecodable_json_is_a_400_with_a_status_message(
    app: OtlpApp, body: bytes, complaint: str
) -> None:
    reply = call(app, body, content_type="application/json")
    assert reply.status == 400
    assert complaint in json.loads(reply.body)["message"]


def test_undecodable_json_is_refused_by_the_decoder() -> None:
    with pytest.raises(BadPayloadError, match="not JSON"):
        decode_request(b"nope", Encoding.JSON)
