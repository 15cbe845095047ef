"""Reading what clients send: url-encoded forms, JSON bodies, the login page's ``next``
target, silence matchers and durations. Anything else is refused with a reason."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from starlette.requests import Request

from agentwatch.clients.alertmanager import Matcher
from agentwatch.spec import duration_seconds

from ._access import BadInputError, RefusedError
from ._guard import has_control
from ._metrics import Rejection

__all__ = [
    "MAX_COMMENT",
    "MAX_SILENCE_SECONDS",
    "comment_text",
    "parse_duration",
    "parse_matchers",
    "read_form",
    "read_json",
    "safe_next",
]

#: Longest silence the console creates; longer ones belong in the Alertmanager config.
MAX_SILENCE_SECONDS = 30 * 86400
MAX_COMMENT = 500
_MAX_FIELDS = 20
_FORM = "application/x-www-form-urlencoded"
_JSON = "application/json"
_MATCHER = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)')


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_form(request: Request) -> dict[str, str]:
    """A url-encoded form, each field once; not multipart (the console sends no files)."""
    if _media_type(request) != _FORM:
        raise BadInputError(f"expected a {_FORM} form", 415)
    body = await request.body()
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(
            text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=_MAX_FIELDS
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadInputError(f"the form does not parse: {exc}") from None
    form: dict[str, str] = {}
    for key, value in pairs:
        if key in form:
            raise BadInputError(f"the form gives {key!r} more than once")
        form[key] = value
    return form


async def read_json(request: Request) -> dict[str, Any]:
    if _media_type(request) != _JSON:
        raise BadInputError(f"expected {_JSON}", 415)
    try:
        data = json.loads(await request.body())
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadInputError(f"the body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise BadInputError("expected a JSON object")
    return data


def safe_next(value: str | None) -> str:
    """Where to go after logging in: a path on this console. CR/LF (a header split), another
    host, a scheme or a protocol-relative ``//host`` are refused, never followed."""
    if not value:
        return "/"
    if has_control(value):
        raise RefusedError(400, Rejection.HEADER_INJECTION, "control characters in 'next'")
    parts = urlsplit(value)
    if (
        parts.scheme
        or parts.netloc
        or not value.startswith("/")
        or value.startswith(("//", "/\\"))
        or "\\" in value
    ):
        raise RefusedError(400, Rejection.HEADER_INJECTION, "'next' must be a path on this console")
    return value


def parse_duration(text: str) -> float:
    try:
        seconds = duration_seconds(text.strip())
    except ValueError as exc:
        raise BadInputError(f"duration: {exc}") from None
    if not 0 < seconds <= MAX_SILENCE_SECONDS:
        longest = MAX_SILENCE_SECONDS // 86400
        raise BadInputError(f"duration: between 1s and {longest}d, not {text!r}")
    return seconds


def parse_matchers(text: str) -> tuple[Matcher, ...]:
    """``alertname="AgentDown", severity=~"crit.*"`` (values quoted, as amtool prints them)."""
    matchers: list[Matcher] = []
    position = 0
    text = text.strip()
    while position < len(text):
        found = _MATCHER.match(text, position)
        if found is None:
            raise BadInputError(
                f'matchers: expected name="value" (or !=, =~, !~) at {text[position:][:40]!r}'
            )
        name, op, raw, _ = found.groups()
        value = re.sub(r"\\(.)", r"\1", raw)
        matchers.append(Matcher(name, value, is_regex="~" in op, is_equal=op[0] != "!"))
        position = found.end()
    if not matchers:
        raise BadInputError("matchers: give at least one")
    if not any(m.is_equal and m.value and not m.is_regex for m in matchers) and not any(
        m.is_equal and m.is_regex and m.value not in ("", ".*") for m in matchers
    ):
        # Alertmanager refuses these too; saying so here names the field.
        raise BadInputError("matchers: at least one must match a non-empty value")
    return tuple(matchers)


def comment_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise BadInputError("comment: say why the alert is silenced")
    if len(text) > MAX_COMMENT or has_control(text):
        raise BadInputError(f"comment: at most {MAX_COMMENT} printable characters")
    return text
