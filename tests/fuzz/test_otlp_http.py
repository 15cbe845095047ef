"""Fuzzing the OTLP/HTTP receiver's HTTP layer: the WSGI app with every header it reads drawn
(Content-Type, Content-Encoding, Content-Length, method, path) and bodies that are valid
exports, damaged ones, random bytes, gzip (valid, truncated, several members, a bomb past the
decompressed limit) and bodies past the size limit.

Every request is answered with a status the headers call for (200, 400, 404, 405, 411, 413 or
415: never 500), in the request's encoding, with a Content-Length that fits the body, and a
body that decodes: an ExportMetricsServiceResponse for 200, else a google.rpc.Status with a
message. Each request is counted once in otlp_receiver_requests_total, never as an
internal error. (tests/unit/exporters/otlp/test_fuzz.py fuzzes what the store does with the
exports; this file, the HTTP layer.)
"""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from google.protobuf import json_format  # type: ignore[import-untyped]
from google.rpc.status_pb2 import Status  # type: ignore[import-untyped]
from hypothesis import given, settings
from hypothesis import strategies as st
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceResponse,
)

from agentwatch.exporters.otlp import OtlpApp, OtlpStore
from agentwatch.spec import OtlpReceiverSettings
from tests.hypothesis_profiles import FUZZ
from tests.unit.exporters.otlp.conftest import hist_metric, hist_point, number, request, sum_metric

MAX_BODY, MAX_DECOMPRESSED = 4096, 8192
SETTINGS = OtlpReceiverSettings(
    max_body_bytes=MAX_BODY,
    max_decompressed_bytes=MAX_DECOMPRESSED,
    max_series=200,
    max_streams=200,
)
_REQUESTS = [
    request(sum_metric("claude_code.token.usage", [number(5, {"type": "input", "model": "m"})])),
    request(
        sum_metric("claude_code.cost.usage", [number(0.5, {"model": "m"})], unit="USD"),
        sum_metric("claude_code.commit.count", [number(1)]),
    ),
    request(
        hist_metric(
            "gen_ai.client.operation.duration",
            [hist_point((0.1, 1.0, 10.0), (1, 2, 3, 0), 12.5, {"gen_ai.system": "x"})],
        )
    ),
]
PROTOBUF = [r.SerializeToString() for r in _REQUESTS]
JSON = [json_format.MessageToJson(r).encode() for r in _REQUESTS]

PROTOBUF_TYPES = ["application/x-protobuf", "Application/X-Protobuf", "application/x-protobuf; x=y"]
JSON_TYPES = ["application/json", "application/json; charset=utf-8", " APPLICATION/JSON "]
OTHER_TYPES = ["", "text/plain", "application/protobuf", "application/jsonx", "multipart/form-data"]
GZIP = ["gzip", "GZIP", " gzip "]
IDENTITY = ["", "identity", "Identity"]
OTHER_ENCODINGS = ["deflate", "br", "gzip, identity", "x-gzip", "é", "gzip" * 20]

_INDEX = st.integers(0, 2**24)
_BODY_KIND = st.sampled_from(["valid", "valid", "damaged", "random", "too large", "other kind"])
_GZIP_KIND = st.sampled_from(["valid", "valid", "truncated", "two members", "bomb", "not gzip"])
_TYPE_KIND = st.sampled_from(["protobuf"] * 4 + ["json"] * 3 + ["other"])
_ENCODING_KIND = st.sampled_from(["identity"] * 4 + ["gzip"] * 3 + ["other"])
_LENGTH_KIND = st.sampled_from(
    ["exact"] * 6 + ["missing", "longer", "shorter", "not a number", "negative", "huge", "padded"]
)
_ROUTE = st.sampled_from(
    [("POST", "/v1/metrics")] * 28
    + [("GET", "/v1/metrics"), ("PUT", "/v1/metrics"), ("POST", "/v1/traces"), ("POST", "/")]
)
_DAMAGE = st.sampled_from(["flip", "truncate", "insert", "repeat"])
_RANDOM = st.binary(max_size=300)


@dataclass
class HttpRequest:
    method: str
    path: str
    content_type: str
    content_encoding: str | None
    content_length: str | None
    body: bytes
    # The status the headers alone call for; None when the body decides (200, 400 or 413).
    expected: int | None
    # For a body the headers let through: the statuses it may get.
    possible: frozenset[int]
    steps: list[str]

    def environ(self) -> dict[str, Any]:
        environ: dict[str, Any] = {
            "REQUEST_METHOD": self.method,
            "PATH_INFO": self.path,
            "CONTENT_TYPE": self.content_type,
            "wsgi.input": io.BytesIO(self.body),
        }
        if self.content_length is not None:
            environ["CONTENT_LENGTH"] = self.content_length
        if self.content_encoding is not None:
            environ["HTTP_CONTENT_ENCODING"] = self.content_encoding
        return environ


def _pick(data: st.DataObject, options: list[Any]) -> Any:
    return options[data.draw(_INDEX) % len(options)]


def _damaged(data: st.DataObject, body: bytes) -> bytes:
    damaged = bytearray(body)
    for _ in range(1 + data.draw(_INDEX) % 3):
        how = data.draw(_DAMAGE)
        at = data.draw(_INDEX) % (len(damaged) + 1)
        if how == "flip" and damaged:
            damaged[at % len(damaged)] ^= 1 << (data.draw(_INDEX) % 8)
        elif how == "truncate":
            damaged = damaged[:at]
        elif how == "insert":
            damaged[at:at] = data.draw(_RANDOM)[:16]
        else:
            damaged = damaged * 2
    return bytes(damaged)


@st.composite
def http_requests(draw: st.DrawFn) -> HttpRequest:
    data = draw(st.data())
    steps: list[str] = []
    type_kind = draw(_TYPE_KIND)
    is_json = type_kind == "json"
    content_type = _pick(
        data, {"protobuf": PROTOBUF_TYPES, "json": JSON_TYPES}.get(type_kind, OTHER_TYPES)
    )
    seeds = JSON if is_json else PROTOBUF
    body_kind = draw(_BODY_KIND)
    steps.append(f"{type_kind} {body_kind}")
    # The statuses the body may get once the headers pass: a valid export is taken.
    possible = frozenset({200})
    if body_kind == "valid":
        body = _pick(data, seeds)
    elif body_kind == "damaged":
        body, possible = _damaged(data, _pick(data, seeds)), frozenset({200, 400})
    elif body_kind == "random":
        body, possible = draw(_RANDOM), frozenset({200, 400})
    elif body_kind == "too large":
        body = _pick(data, seeds) * (MAX_BODY // 100)
        possible = frozenset({200, 400, 413})
    else:
        # The other encoding's export: JSON is not protobuf, and protobuf is not JSON.
        body, possible = _pick(data, PROTOBUF if is_json else JSON), frozenset({200, 400})

    encoding_kind = draw(_ENCODING_KIND)
    encoding: str | None = _pick(
        data, {"identity": IDENTITY, "gzip": GZIP}.get(encoding_kind, OTHER_ENCODINGS)
    )
    if encoding == "" and data.draw(st.booleans()):
        encoding = None  # no header at all
    if encoding_kind == "gzip":
        gzip_kind = draw(_GZIP_KIND)
        steps.append(f"gzip {gzip_kind}")
        compressed = gzip.compress(body, mtime=0)
        if len(body) > MAX_DECOMPRESSED:
            possible |= {413}
        if gzip_kind == "truncated":
            # Refused as truncated, or as too large if what it held so far is already.
            too_large = {413} if len(body) > MAX_DECOMPRESSED else set()
            body = compressed[: data.draw(_INDEX) % len(compressed)]
            possible = frozenset({400, *too_large})
        elif gzip_kind == "two members":
            half = len(body) // 2
            body = gzip.compress(body[:half], mtime=0) + gzip.compress(body[half:], mtime=0)
        elif gzip_kind == "bomb":
            body, possible = (
                gzip.compress(b"\0" * (MAX_DECOMPRESSED * 4), mtime=0),
                frozenset({413}),
            )
        elif gzip_kind == "not gzip":
            possible = frozenset({400})
        else:
            body = compressed
    elif body_kind == "too large" and len(body) > MAX_BODY:
        possible = frozenset({413})

    length_kind = draw(_LENGTH_KIND)
    steps.append(f"length {length_kind}")
    length: str | None = {
        "exact": str(len(body)),
        "missing": None,
        "longer": str(len(body) + 1 + data.draw(_INDEX) % 100),
        "shorter": str(max(len(body) - 1 - data.draw(_INDEX) % 100, 0)),
        "not a number": _pick(data, ["abc", "1e3", "0x10", "", "１２"]),
        "negative": "-1",
        "huge": "9" * 19,
        "padded": f" {len(body)} ",
    }[length_kind]
    if length_kind == "shorter":
        possible |= {200, 400}

    method, path = draw(_ROUTE)
    expected = _expected(
        method,
        path,
        content_type=content_type,
        encoding=encoding,
        length=length,
        size=len(body),
    )
    return HttpRequest(
        method, path, content_type, encoding, length, body, expected, possible, steps
    )


def _expected(
    method: str,
    path: str,
    *,
    content_type: str,
    encoding: str | None,
    length: str | None,
    size: int,
) -> int | None:
    """What the receiver's documented checks answer, in its order (docs/otlp.md)."""
    if path != "/v1/metrics":
        return 404
    if method != "POST":
        return 405
    raw = (length or "").strip()
    if not raw:
        return 411
    if not re.fullmatch(r"[0-9]{1,18}", raw):
        return 400  # RFC 9110: Content-Length is 1*DIGIT, and ASCII digits only
    media = content_type.split(";", 1)[0].strip().lower()
    if media not in ("application/x-protobuf", "application/json"):
        return 415
    if (encoding or "").strip().lower() not in ("", "identity", "gzip"):
        return 415
    if int(raw) > MAX_BODY:
        return 413
    if int(raw) > size:
        return 400
    return None


def _call(app: OtlpApp, http: HttpRequest) -> tuple[int, dict[str, str], bytes]:
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        captured["status"] = int(status.split(maxsplit=1)[0])
        captured["headers"] = dict(headers)

    body = b"".join(app(http.environ(), start_response))
    return captured["status"], captured["headers"], body


def _decode(body: bytes, as_json: bool, message: Callable[[], Any]) -> Any:
    decoded = message()
    if as_json:
        json_format.Parse(body.decode("utf-8"), decoded)
    else:
        decoded.ParseFromString(body)
    return decoded


STORE = OtlpStore(SETTINGS)
APP = OtlpApp(STORE)


@settings(FUZZ)
@given(http=http_requests())
def test_every_request_gets_a_status_its_headers_call_for_and_a_message(
    http: HttpRequest,
) -> None:
    before = dict(STORE.snapshot().requests)
    status, headers, body = _call(APP, http)
    after = dict(STORE.snapshot().requests)

    if http.expected is not None:
        assert status == http.expected, (status, body[:200], http.steps)
    else:
        assert status in http.possible, (status, body[:200], http.steps)
    media = http.content_type.split(";", 1)[0].strip().lower()
    as_json = media == "application/json"
    assert headers["Content-Type"] == ("application/json" if as_json else "application/x-protobuf")
    assert headers["Content-Length"] == str(len(body))
    if status == 200:
        _decode(body, as_json, ExportMetricsServiceResponse)
    else:
        answer = _decode(body, as_json, Status)
        assert answer.message, (status, http.steps)
        assert len(answer.message) <= 1000, answer.message[:200]
    if status == 405:
        assert headers["Allow"] == "POST"
    # Counted once, under the outcome the status stands for; never as an internal error.
    assert sum(after.values()) == sum(before.values()) + 1
    assert "internal_error" not in after
