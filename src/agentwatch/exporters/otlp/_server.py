"""The OTLP/HTTP metrics endpoint: a WSGI app (POST /v1/metrics, protobuf or JSON, optional
gzip) answering as the OTLP specification says, and the server that runs it."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from google.rpc.status_pb2 import Status  # type: ignore[import-untyped]
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsPartialSuccess,
    ExportMetricsServiceResponse,
)

from agentwatch.catalog.http_paths import HEALTH_PATHS
from agentwatch.exporters._server import BackgroundServer, WsgiApp
from agentwatch.security import Authenticator, WsgiAuth
from agentwatch.spec import OtlpReceiverSettings

from ._decode import (
    BadPayloadError,
    Encoding,
    PayloadTooLargeError,
    decode_request,
    encode_message,
    gunzip_limited,
    media_encoding,
)
from ._store import IngestResult, OtlpStore, Refusal

__all__ = ["METRICS_PATH", "OtlpApp", "OtlpReceiver", "Outcome"]

StartResponse = Callable[..., Any]
METRICS_PATH = "/v1/metrics"
# A refused body up to this size is read and discarded, so the client sees the response
# instead of a connection reset; a larger one is not read at all.
_DRAIN_LIMIT = 1024 * 1024
# google.rpc.Code values (the OTLP spec does not use Status.code; it is set as a courtesy).
_INVALID_ARGUMENT, _RESOURCE_EXHAUSTED, _UNIMPLEMENTED, _INTERNAL = 3, 8, 12, 13
# A sender that keeps sending what is refused would log at every export: one line per reason
# this often is enough to find the cause (otlp_receiver_data_points_total has the counts).
_LOG_INTERVAL_SECONDS = 300.0

_log = logging.getLogger(__name__)


class Outcome:
    """The ``outcome`` label values of otlp_receiver_requests_total."""

    SUCCESS = "success"
    PARTIAL_SUCCESS = "partial_success"
    BAD_REQUEST = "bad_request"
    TOO_LARGE = "too_large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    LENGTH_REQUIRED = "length_required"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_FOUND = "not_found"
    INTERNAL_ERROR = "internal_error"


class _RefusedError(Exception):
    def __init__(self, status: str, outcome: str, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.outcome, self.code, self.message = status, outcome, code, message


class OtlpApp:
    """WSGI app of the receiver. Never raises: every request gets an OTLP answer and is counted."""

    def __init__(
        self,
        store: OtlpStore,
        settings: OtlpReceiverSettings | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.settings = settings or store.settings
        self._clock = clock
        self._log_lock = threading.Lock()
        self._logged: dict[Refusal, float] = {}

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path in HEALTH_PATHS:
            return self._reply(start_response, "200 OK", "text/plain; charset=utf-8", b"ok\n")
        encoding = media_encoding(str(environ.get("CONTENT_TYPE", ""))) or Encoding.PROTOBUF
        try:
            if path != METRICS_PATH:
                raise _RefusedError(
                    "404 Not Found",
                    Outcome.NOT_FOUND,
                    _UNIMPLEMENTED,
                    f"no such path {path[:100]!r}: OTLP metrics go to POST {METRICS_PATH}",
                )
            if environ.get("REQUEST_METHOD") != "POST":
                raise _RefusedError(
                    "405 Method Not Allowed",
                    Outcome.METHOD_NOT_ALLOWED,
                    _UNIMPLEMENTED,
                    f"{METRICS_PATH} takes POST, not {str(environ.get('REQUEST_METHOD'))[:20]}",
                )
            return self._export(environ, start_response)
        except _RefusedError as refused:
            self.store.count_request(refused.outcome)
            extra = [("Allow", "POST")] if refused.outcome == Outcome.METHOD_NOT_ALLOWED else []
            status = Status(code=refused.code, message=refused.message)
            return self._reply(
                start_response,
                refused.status,
                encoding.value,
                encode_message(status, encoding),
                extra,
            )
        except Exception as exc:  # a bug: still an OTLP answer, counted
            self.store.count_request(Outcome.INTERNAL_ERROR)
            status = Status(code=_INTERNAL, message=f"internal error: {type(exc).__name__}")
            return self._reply(
                start_response,
                "500 Internal Server Error",
                encoding.value,
                encode_message(status, encoding),
            )

    def _export(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        content_type = str(environ.get("CONTENT_TYPE", ""))
        encoding = media_encoding(content_type)
        length = self._content_length(environ)
        if encoding is None:
            self._drain(environ, length)
            raise _RefusedError(
                "415 Unsupported Media Type",
                Outcome.UNSUPPORTED_MEDIA_TYPE,
                _INVALID_ARGUMENT,
                f"Content-Type {content_type[:100]!r} is not OTLP: send application/x-protobuf "
                "or application/json",
            )
        content_encoding = str(environ.get("HTTP_CONTENT_ENCODING", "")).strip().lower()
        if content_encoding not in ("", "identity", "gzip"):
            self._drain(environ, length)
            raise _RefusedError(
                "415 Unsupported Media Type",
                Outcome.UNSUPPORTED_MEDIA_TYPE,
                _INVALID_ARGUMENT,
                f"Content-Encoding {content_encoding[:40]!r} is not supported: send gzip or "
                "no encoding",
            )
        limit = self.settings.max_body_bytes
        if length > limit:
            self._drain(environ, length)
            raise _RefusedError(
                "413 Content Too Large",
                Outcome.TOO_LARGE,
                _RESOURCE_EXHAUSTED,
                f"the body is {length} bytes, more than {limit} (otlp_receiver.max_body_bytes)",
            )
        body = environ["wsgi.input"].read(length) if length else b""
        if len(body) != length:
            raise _RefusedError(
                "400 Bad Request",
                Outcome.BAD_REQUEST,
                _INVALID_ARGUMENT,
                f"the body ended after {len(body)} of the {length} bytes Content-Length gave",
            )
        try:
            if content_encoding == "gzip":
                body = gunzip_limited(body, self.settings.max_decompressed_bytes)
            request = decode_request(body, encoding)
        except PayloadTooLargeError as exc:
            raise _RefusedError(
                "413 Content Too Large", Outcome.TOO_LARGE, _RESOURCE_EXHAUSTED, str(exc)
            ) from None
        except BadPayloadError as exc:
            raise _RefusedError(
                "400 Bad Request", Outcome.BAD_REQUEST, _INVALID_ARGUMENT, str(exc)
            ) from None
        result = self.store.ingest(request)
        response = ExportMetricsServiceResponse()
        if result.rejected:
            self._log_refusals(result)
            response.partial_success.CopyFrom(
                ExportMetricsPartialSuccess(
                    rejected_data_points=result.rejected, error_message=result.error_message()
                )
            )
        self.store.count_request(Outcome.PARTIAL_SUCCESS if result.rejected else Outcome.SUCCESS)
        return self._reply(
            start_response, "200 OK", encoding.value, encode_message(response, encoding)
        )

    def _log_refusals(self, result: IngestResult) -> None:
        """A warning per refusal reason, at most one per reason every few minutes. The
        examples are the store's, written after personal values were hashed."""
        now = self._clock()
        with self._log_lock:
            due = sorted(
                reason
                for reason in result.refused
                if now - self._logged.get(reason, -math.inf) >= _LOG_INTERVAL_SECONDS
            )
            for reason in due:
                self._logged[reason] = now
        for reason in due:
            _log.warning(
                "OTLP receiver refused %d data point(s): %s (%s)",
                result.refused[reason],
                reason.value,
                result.examples[reason],
            )

    @staticmethod
    def _content_length(environ: dict[str, Any]) -> int:
        raw = str(environ.get("CONTENT_LENGTH") or "").strip()
        if not raw:
            raise _RefusedError(
                "411 Length Required",
                Outcome.LENGTH_REQUIRED,
                _INVALID_ARGUMENT,
                "send a Content-Length header (chunked request bodies are not supported)",
            )
        # RFC 9110: 1*DIGIT, ASCII only (str.isdigit() also takes other scripts' digits).
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
            raise _RefusedError(
                "400 Bad Request",
                Outcome.BAD_REQUEST,
                _INVALID_ARGUMENT,
                f"Content-Length {raw[:30]!r} is not a byte count",
            )
        return int(raw)

    @staticmethod
    def _drain(environ: dict[str, Any], length: int) -> None:
        if 0 < length <= _DRAIN_LIMIT:
            environ["wsgi.input"].read(length)

    @staticmethod
    def _reply(
        start_response: StartResponse,
        status: str,
        content_type: str,
        body: bytes,
        extra: list[tuple[str, str]] | None = None,
    ) -> list[bytes]:
        headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
        start_response(status, headers + (extra or []))
        return [body]


class OtlpReceiver(BackgroundServer):
    """Serves the OTLP/HTTP metrics endpoint from a background thread."""

    def __init__(
        self,
        store: OtlpStore,
        settings: OtlpReceiverSettings | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 4318,
        name: str = "OTLP receiver",
        authenticator: Authenticator | None = None,
    ) -> None:
        """With an ``authenticator``, pushes need the scrape bearer token or an account that
        may read metrics (/healthz stays open)."""
        self.store = store
        self.settings = settings or store.settings
        self.app = OtlpApp(store, self.settings)
        app: WsgiApp = self.app
        if authenticator is not None:
            app = WsgiAuth(app, authenticator, realm="agentwatch OTLP receiver")
        super().__init__(app, host=host, port=port, name=name)

    @property
    def metrics_url(self) -> str:
        return self.url + METRICS_PATH
