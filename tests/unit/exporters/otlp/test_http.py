"""Status codes and bodies of the OTLP/HTTP endpoint, each bad case counted; the server's
life cycle."""

from __future__ import annotations

import gzip
import http.client
import json
import socket

import pytest
from google.rpc.status_pb2 import Status  # type: ignore[import-untyped]
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceResponse,
)

from agentwatch.exporters import PortInUseError
from agentwatch.exporters.otlp import OtlpApp, OtlpReceiver, OtlpStore
from agentwatch.spec import OtlpReceiverSettings

from .conftest import call, number, request, sum_metric, value

VALID = request(sum_metric("claude_code.commit.count", [number(1)])).SerializeToString()


def _status(body: bytes) -> str:
    status = Status()
    status.ParseFromString(body)
    message: str = status.message
    return message


def _outcome(app: OtlpApp, outcome: str) -> float | None:
    return value(app.store, "otlp_receiver_requests_total", outcome=outcome)


def test_a_valid_protobuf_export_is_200_with_an_empty_response(app: OtlpApp) -> None:
    reply = call(app, VALID)
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/x-protobuf"
    response = ExportMetricsServiceResponse()
    response.ParseFromString(reply.body)
    assert not response.HasField("partial_success")
    assert _outcome(app, "success") == 1


def test_an_empty_export_is_a_success(app: OtlpApp) -> None:
    assert call(app, b"").status == 200
    assert call(app, b"{}", content_type="application/json").status == 200


def test_undecodable_protobuf_is_400_with_a_status_naming_the_problem(app: OtlpApp) -> None:
    reply = call(app, b"\xff\xff\xff\xff garbage")
    assert reply.status == 400
    assert reply.headers["Content-Type"] == "application/x-protobuf"
    assert "not a protobuf ExportMetricsServiceRequest" in _status(reply.body)
    assert _outcome(app, "bad_request") == 1


def test_a_partial_success_names_what_was_refused(app: OtlpApp) -> None:
    body = request(
        sum_metric("claude_code.commit.count", [number(1), number(float("nan"))]),
        sum_metric("my.own.metric", [number(3)]),
    ).SerializeToString()
    reply = call(app, body)
    assert reply.status == 200
    response = ExportMetricsServiceResponse()
    response.ParseFromString(reply.body)
    assert response.partial_success.rejected_data_points == 2
    message = response.partial_success.error_message
    assert message.startswith("refused 2 of 3 data points: ")
    assert "1 invalid_value (claude_code.commit.count: value nan" in message
    assert "1 unknown_metric (not served: 'my.own.metric'" in message
    assert _outcome(app, "partial_success") == 1


def test_a_body_over_the_limit_is_413_before_it_is_read(small_app: OtlpApp) -> None:
    reply = call(small_app, b"", content_length=str(10**12))
    assert reply.status == 413
    assert "more than 4096 (otlp_receiver.max_body_bytes)" in _status(reply.body)
    assert _outcome(small_app, "too_large") == 1


def test_a_gzip_bomb_is_413_while_decompressing(small_app: OtlpApp) -> None:
    bomb = gzip.compress(b"\0" * 3_500_000, compresslevel=9)
    assert len(bomb) < 4096  # within the body limit, a thousand times the decompressed one
    reply = call(small_app, bomb, headers={"Content-Encoding": "gzip"})
    assert reply.status == 413
    assert "decompresses to more than 8192 bytes" in _status(reply.body)
    assert _outcome(small_app, "too_large") == 1


def test_gzip_bodies_are_decompressed(app: OtlpApp) -> None:
    reply = call(app, gzip.compress(VALID), headers={"Content-Encoding": "gzip"})
    assert reply.status == 200
    assert value(app.store, "claude_code_commit_count_total") == 1


@pytest.mark.parametrize(
    ("body", "complaint"),
    [(b"not gzip at all", "not valid gzip"), (gzip.compress(VALID)[:-9], "truncated")],
    # gzip writes the time into its header: the ids must not change between collections.
    ids=["not gzip", "truncated"],
)
def test_bad_gzip_is_400(app: OtlpApp, body: bytes, complaint: str) -> None:
    reply = call(app, body, headers={"Content-Encoding": "gzip"})
    assert reply.status == 400
    assert complaint in _status(reply.body)


def test_a_short_body_is_400(app: OtlpApp) -> None:
    reply = call(app, VALID[:5], content_length=str(len(VALID)))
    assert reply.status == 400
    assert "ended after 5 of the" in _status(reply.body)


# "１２" (full-width digits): str.isdigit() took them, int() read 12 (found by tests/fuzz).
@pytest.mark.parametrize("content_length", ["", "-1", "12abc", "9" * 40, "１２", "٣"])
def test_a_missing_or_bad_content_length_is_refused(app: OtlpApp, content_length: str) -> None:
    reply = call(app, VALID, content_length=content_length)
    assert reply.status == (411 if content_length == "" else 400)
    assert "Content-Length" in _status(reply.body)


def test_an_unknown_content_type_is_415(app: OtlpApp) -> None:
    reply = call(app, VALID, content_type="text/plain")
    assert reply.status == 415
    assert "'text/plain' is not OTLP" in _status(reply.body)
    assert _outcome(app, "unsupported_media_type") == 1


def test_an_unknown_content_encoding_is_415(app: OtlpApp) -> None:
    reply = call(app, VALID, headers={"Content-Encoding": "br"})
    assert reply.status == 415
    assert "Content-Encoding 'br'" in _status(reply.body)


def test_json_requests_get_json_errors(app: OtlpApp) -> None:
    reply = call(app, b"{", content_type="application/json")
    assert reply.status == 400
    assert reply.headers["Content-Type"] == "application/json"
    assert "not JSON" in json.loads(reply.body)["message"]


def test_other_methods_are_405_with_allow(app: OtlpApp) -> None:
    reply = call(app, method="GET")
    assert reply.status == 405
    assert reply.headers["Allow"] == "POST"
    assert "takes POST, not GET" in _status(reply.body)
    assert _outcome(app, "method_not_allowed") == 1


def test_other_paths_are_404(app: OtlpApp) -> None:
    reply = call(app, VALID, path="/v1/traces")
    assert reply.status == 404
    assert "POST /v1/metrics" in _status(reply.body)
    assert _outcome(app, "not_found") == 1


def test_healthz_is_200_and_not_counted(app: OtlpApp) -> None:
    reply = call(app, method="GET", path="/healthz")
    assert (reply.status, reply.body) == (200, b"ok\n")
    assert _outcome(app, "success") is None


def _post(receiver: OtlpReceiver, body: bytes, **headers: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(receiver.host, receiver.port, timeout=10)
    try:
        connection.request(
            "POST",
            "/v1/metrics",
            body=body,
            headers={"Content-Type": "application/x-protobuf", **headers},
        )
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_over_http_limits_and_errors_answer_as_on_the_app() -> None:
    settings = OtlpReceiverSettings(max_body_bytes=4096, max_decompressed_bytes=4096)
    store = OtlpStore(settings)
    with OtlpReceiver(store, port=0) as receiver:
        assert receiver.port != 0
        status, body = _post(receiver, b"\0" * 10_000)
        assert status == 413
        assert "more than 4096" in _status(body)
        status, body = _post(
            receiver, gzip.compress(b"\0" * 1_000_000), **{"Content-Encoding": "gzip"}
        )
        assert status == 413
        status, _ = _post(receiver, VALID)
        assert status == 200
    assert value(store, "otlp_receiver_requests_total", outcome="too_large") == 2
    assert value(store, "claude_code_commit_count_total") == 1


def test_a_taken_port_is_a_port_in_use_error(store: OtlpStore) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(
            PortInUseError, match=f"OTLP receiver cannot listen on 127.0.0.1:{port}"
        ):
            OtlpReceiver(store, port=port).start()


def test_the_receiver_stops_and_its_url_names_the_port(store: OtlpStore) -> None:
    receiver = OtlpReceiver(store, port=0).start()
    assert receiver.url == f"http://127.0.0.1:{receiver.port}"
    assert receiver.metrics_url.endswith("/v1/metrics")
    receiver.stop()
    with pytest.raises(OSError):  # noqa: PT011  (refused, reset: which one is the OS's choice)
        socket.create_connection((receiver.host, receiver.port), timeout=1).close()
