"""The console's outermost layer (pure ASGI): security headers on every response, and the
refusals that need no knowledge of the route, each counted by reason: oversized bodies,
path traversal, CR/LF smuggled into the query string."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import unquote, unquote_to_bytes

from ._metrics import ConsoleMetrics, Rejection

__all__ = ["MAX_BODY_BYTES", "SECURITY_HEADERS", "Guard", "has_control", "is_traversal"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
AsgiApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Larger request bodies get 413. The console's forms and JSON are a few hundred bytes.
MAX_BODY_BYTES = 64 * 1024

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    # Everything from the console itself: no CDN, no inline script or style. SVG charts are
    # inline markup with presentation attributes, which CSP does not restrict.
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        b"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
_NO_STORE = (b"cache-control", b"no-store")
# After one round of percent-decoding, these mean the client encoded twice to hide them.
_ENCODED_AGAIN = ("%2e", "%2f", "%5c", "%00")


def is_traversal(path: str, raw_path: bytes | None = None) -> bool:
    """True for a path that tries to climb out of where it points: ``..`` segments (plain or
    encoded), backslashes, NUL, double encoding, or bytes that are not UTF-8 (overlong
    encodings of ``.`` and ``/``)."""
    if raw_path is not None:
        try:
            decoded = unquote_to_bytes(raw_path).decode("utf-8")
        except UnicodeDecodeError:
            return True
        path = decoded
    else:
        path = unquote(path, errors="strict") if "%" in path else path
    if "\\" in path or "\x00" in path or "\ufffd" in path:
        return True
    if any(segment == ".." for segment in path.split("/")):
        return True
    lowered = path.lower()
    return any(marker in lowered for marker in _ENCODED_AGAIN)


def has_control(text: str) -> bool:
    """CR, LF or another control character: what would split a header or a log line."""
    return any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text)


class Guard:
    def __init__(
        self, app: AsgiApp, metrics: ConsoleMetrics, *, max_body: int = MAX_BODY_BYTES
    ) -> None:
        self._app = app
        self._metrics = metrics
        self._max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        send = _with_headers(send)
        raw_path = scope.get("raw_path")
        if is_traversal(scope["path"], raw_path if isinstance(raw_path, bytes) else None):
            await self._refuse(send, Rejection.PATH_TRAVERSAL, 404, "not found")
            return
        query = scope.get("query_string", b"").decode("latin-1")
        # The path and query are echoed into redirects (the login page's ``next``): CR or LF
        # in either would split the Location header.
        if has_control(scope["path"]) or has_control(
            unquote(query.replace("+", " "), encoding="latin-1")
        ):
            await self._refuse(
                send, Rejection.HEADER_INJECTION, 400, "control characters in the request target"
            )
            return
        length = _content_length(scope)
        if length is not None and length > self._max_body:
            await self._refuse(send, Rejection.OVERSIZED, 413, self._too_large())
            return
        # The body is read here, whole, so a client that sends more than it announced (or
        # announces nothing, chunked) meets the same limit.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self._max_body:
                await self._refuse(send, Rejection.OVERSIZED, 413, self._too_large())
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self._app(scope, replay, send)

    def _too_large(self) -> str:
        return f"request body larger than {self._max_body} bytes"

    async def _refuse(self, send: Send, reason: Rejection, status: int, text: str) -> None:
        self._metrics.reject(reason)
        body = f"{status}: {text}\n".encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _with_headers(send: Send) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            present = {name.lower() for name, _ in headers}
            headers += [h for h in SECURITY_HEADERS if h[0] not in present]
            if b"cache-control" not in present:
                # Pages show live numbers and carry CSRF tokens: never from a cache.
                headers.append(_NO_STORE)
            message["headers"] = headers
        await send(message)

    return sending
