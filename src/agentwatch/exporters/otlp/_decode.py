"""Request bodies → ExportMetricsServiceRequest: gzip with a size limit, binary protobuf, and
OTLP/JSON (protobuf's JSON mapping with OTLP's deviations: hex trace and span ids)."""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from enum import StrEnum
from typing import Any

from google.protobuf import json_format  # type: ignore[import-untyped]
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)

__all__ = [
    "BadPayloadError",
    "Encoding",
    "PayloadTooLargeError",
    "decode_request",
    "encode_message",
    "gunzip_limited",
    "media_encoding",
]

# JSON nested deeper than this is refused before json_format walks it (OTLP/JSON needs
# about a dozen levels; AnyValue arrays and kvlists may nest, but not without end).
MAX_JSON_DEPTH = 64
_CHUNK = 64 * 1024


class Encoding(StrEnum):
    PROTOBUF = "application/x-protobuf"
    JSON = "application/json"


class BadPayloadError(ValueError):
    """The body cannot be decoded; the message says what was wrong (HTTP 400)."""


class PayloadTooLargeError(ValueError):
    """The body, or what it decompresses to, is over the limit (HTTP 413)."""


def media_encoding(content_type: str) -> Encoding | None:
    """The encoding a Content-Type header names (parameters such as charset ignored)."""
    media = content_type.split(";", 1)[0].strip().lower()
    for encoding in Encoding:
        if media == encoding.value:
            return encoding
    return None


def gunzip_limited(body: bytes, limit: int) -> bytes:
    """Decompress a gzip body (one or more members), never producing more than ``limit`` bytes."""
    out = bytearray()
    data = body
    while True:
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            while data:
                room = limit - len(out)
                out += inflater.decompress(data, room + 1)
                if len(out) > limit:
                    raise PayloadTooLargeError(
                        f"the gzip body decompresses to more than {limit} bytes "
                        "(otlp_receiver.max_decompressed_bytes)"
                    )
                data = inflater.unconsumed_tail
                if inflater.eof:
                    break
        except zlib.error as exc:
            raise BadPayloadError(f"the body is not valid gzip: {exc}") from None
        if not inflater.eof:
            raise BadPayloadError("the gzip body is truncated: it ends inside a compressed stream")
        data = inflater.unused_data
        if not data:
            return bytes(out)


def _depth_ok(value: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return False
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return True


_ID_FIELDS = {"traceId": 16, "trace_id": 16, "spanId": 8, "span_id": 8}
_POINT_KINDS = ("gauge", "sum", "histogram", "exponentialHistogram", "exponential_histogram")
_POINTS = ("dataPoints", "data_points")


def _children(node: Any, *keys: str) -> list[Any]:
    """The list under the first of ``keys`` that ``node`` (a JSON object) has, else []."""
    if not isinstance(node, dict):
        return []
    for key in keys:
        value = node.get(key)
        if isinstance(value, list):
            return value
    return []


def _hex_ids_to_base64(document: Any) -> None:
    """OTLP/JSON writes exemplars' trace and span ids as hex; protobuf's JSON mapping reads
    bytes as base64 (a hex string is also valid base64, so json_format would silently decode
    it to the wrong bytes). Rewrite them, in place, as base64."""
    for resource in _children(document, "resourceMetrics", "resource_metrics"):
        for scope in _children(resource, "scopeMetrics", "scope_metrics"):
            for metric in _children(scope, "metrics"):
                if not isinstance(metric, dict):
                    continue
                for kind in _POINT_KINDS:
                    for point in _children(metric.get(kind), *_POINTS):
                        for exemplar in _children(point, "exemplars"):
                            if isinstance(exemplar, dict):
                                _rewrite_ids(exemplar, metric.get("name"))


def _rewrite_ids(exemplar: dict[str, Any], metric: Any) -> None:
    for key, size in _ID_FIELDS.items():
        value = exemplar.get(key)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise BadPayloadError(f"exemplar {key} of metric {metric!r} is not a hex string")
        try:
            raw = bytes.fromhex(value)
        except ValueError:
            raise BadPayloadError(
                f"exemplar {key} of metric {metric!r} is not hex "
                f"(OTLP/JSON encodes trace and span ids as {2 * size} hex digits): {value[:40]!r}"
            ) from None
        if len(raw) != size:
            raise BadPayloadError(
                f"exemplar {key} of metric {metric!r} has {len(raw)} bytes, expected {size}"
            )
        exemplar[key] = base64.b64encode(raw).decode("ascii")


def _decode_json(body: bytes) -> ExportMetricsServiceRequest:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadPayloadError(f"the JSON body is not UTF-8: {exc}") from None
    try:
        document = json.loads(text)
    except RecursionError:
        raise BadPayloadError(f"the JSON body nests deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError as exc:
        raise BadPayloadError(f"the body is not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise BadPayloadError(
            "the JSON body is not an object (expected an ExportMetricsServiceRequest)"
        )
    if not _depth_ok(document, MAX_JSON_DEPTH):
        raise BadPayloadError(f"the JSON body nests deeper than {MAX_JSON_DEPTH} levels")
    _hex_ids_to_base64(document)
    request = ExportMetricsServiceRequest()
    try:
        json_format.ParseDict(document, request, ignore_unknown_fields=True)
    except json_format.ParseError as exc:
        raise BadPayloadError(
            f"the JSON body is not an ExportMetricsServiceRequest: {exc}"
        ) from None
    except (ValueError, TypeError, AttributeError, RecursionError, binascii.Error) as exc:
        raise BadPayloadError(
            f"the JSON body is not an ExportMetricsServiceRequest: {type(exc).__name__}: {exc}"
        ) from None
    return request


def _decode_protobuf(body: bytes) -> ExportMetricsServiceRequest:
    request = ExportMetricsServiceRequest()
    try:
        request.ParseFromString(body)
    except Exception as exc:  # DecodeError, and whatever else a hostile body provokes
        raise BadPayloadError(
            f"the body is not a protobuf ExportMetricsServiceRequest: {type(exc).__name__}: {exc}"
        ) from None
    return request


def decode_request(body: bytes, encoding: Encoding) -> ExportMetricsServiceRequest:
    """Decode a (decompressed) body; BadPayloadError says why it cannot be."""
    if encoding is Encoding.JSON:
        return _decode_json(body)
    return _decode_protobuf(body)


def encode_message(message: Any, encoding: Encoding) -> bytes:
    """A response message (any protobuf message) in the request's encoding."""
    if encoding is Encoding.JSON:
        text: str = json_format.MessageToJson(message, indent=None)
        return text.encode()
    encoded: bytes = message.SerializeToString()
    return encoded
