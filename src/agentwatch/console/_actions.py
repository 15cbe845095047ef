"""What an admin may change: create and expire silences, acknowledge alerts. An
acknowledgement is a silence on exactly the alert's labels, for ACK_SECONDS, with the comment
"acknowledged by <user>". Each action is in the audit log."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from agentwatch.clients.alertmanager import Alert, AlertmanagerError, Matcher, is_silence_id
from agentwatch.security import AuditAction, Permission

from ._access import CSRF_FIELD, CSRF_HEADER, BadInputError, Visitor
from ._input import comment_text, parse_duration, parse_matchers, read_form, read_json
from ._state import Console, console_of, problem_text

__all__ = ["ACK_SECONDS", "router"]

router = APIRouter()
#: How long an acknowledgement silences its alert.
ACK_SECONDS = 3600


def _alert(console: Console, fingerprint: str) -> Alert:
    for alert in console.alertmanager.alerts():
        if alert.fingerprint == fingerprint:
            return alert
    raise BadInputError(f"no alert with fingerprint {fingerprint[:40]!r} (it may have resolved)")


def _exact(alert: Alert) -> tuple[Matcher, ...]:
    return tuple(Matcher(name, value) for name, value in sorted(alert.labels.items()))


def _failed(
    console: Console, request: Request, visitor: Visitor, exc: AlertmanagerError
) -> Response:
    return console.render(
        request,
        "error.html",
        visitor=visitor,
        title="Alertmanager did not do it",
        status=502,
        message=problem_text(exc, console.alertmanager.url),
    )


def _done(what: str, silence_id: str) -> Response:
    return RedirectResponse(f"/alerts?done={what}&silence={silence_id}", status_code=303)


def _silence(
    console: Console,
    visitor: Visitor,
    matchers: tuple[Matcher, ...],
    *,
    duration: float,
    comment: str,
    action: AuditAction,
) -> str:
    silence_id = console.alertmanager.create_silence(
        matchers, duration=duration, created_by=visitor.principal.name, comment=comment
    )
    console.record(
        action,
        visitor.principal.name,
        silence_id=silence_id,
        matchers=", ".join(m.text() for m in matchers),
        seconds=duration,
        comment=comment,
    )
    return silence_id


async def _form(request: Request) -> tuple[Console, Visitor, dict[str, str]]:
    console = console_of(request)
    visitor = console.access.require(request, Permission.SILENCE)
    form = await read_form(request)
    console.access.check_csrf(visitor, form.get(CSRF_FIELD))
    return console, visitor, form


def _field(form: dict[str, str], name: str) -> str:
    if name not in form:
        raise BadInputError(f"the form has no {name!r}")
    return form[name]


def _silence_alert(
    console: Console,
    request: Request,
    visitor: Visitor,
    fingerprint: str,
    *,
    duration: float,
    comment: str,
    action: AuditAction,
) -> Response:
    try:
        alert = _alert(console, fingerprint)
        silence_id = _silence(
            console, visitor, _exact(alert), duration=duration, comment=comment, action=action
        )
    except AlertmanagerError as exc:
        return _failed(console, request, visitor, exc)
    return _done(
        "acknowledged" if action is AuditAction.ALERT_ACKNOWLEDGED else "silenced", silence_id
    )


# The handlers read the body here and call Alertmanager (blocking httpx) on a worker thread.


@router.post("/alerts/ack", include_in_schema=False)
async def acknowledge(request: Request) -> Response:
    console, visitor, form = await _form(request)
    return await run_in_threadpool(
        _silence_alert,
        console,
        request,
        visitor,
        _field(form, "fingerprint"),
        duration=ACK_SECONDS,
        comment=f"acknowledged by {visitor.principal.name}",
        action=AuditAction.ALERT_ACKNOWLEDGED,
    )


@router.post("/alerts/silence", include_in_schema=False)
async def silence_alert(request: Request) -> Response:
    console, visitor, form = await _form(request)
    fingerprint = _field(form, "fingerprint")
    duration = parse_duration(_field(form, "duration"))
    comment = comment_text(_field(form, "comment"))
    return await run_in_threadpool(
        _silence_alert,
        console,
        request,
        visitor,
        fingerprint,
        duration=duration,
        comment=comment,
        action=AuditAction.SILENCE_CREATED,
    )


def _new_silence(
    console: Console,
    request: Request,
    visitor: Visitor,
    matchers: tuple[Matcher, ...],
    *,
    duration: float,
    comment: str,
) -> Response:
    try:
        silence_id = _silence(
            console,
            visitor,
            matchers,
            duration=duration,
            comment=comment,
            action=AuditAction.SILENCE_CREATED,
        )
    except AlertmanagerError as exc:
        return _failed(console, request, visitor, exc)
    return _done("silenced", silence_id)


@router.post("/silences", include_in_schema=False)
async def new_silence(request: Request) -> Response:
    console, visitor, form = await _form(request)
    matchers = parse_matchers(_field(form, "matchers"))
    duration = parse_duration(_field(form, "duration"))
    comment = comment_text(_field(form, "comment"))
    return await run_in_threadpool(
        _new_silence, console, request, visitor, matchers, duration=duration, comment=comment
    )


def _expire(console: Console, visitor: Visitor, silence_id: str) -> None:
    if not is_silence_id(silence_id):
        raise BadInputError(f"{silence_id[:40]!r} is not a silence id")
    console.alertmanager.expire_silence(silence_id)
    console.record(AuditAction.SILENCE_EXPIRED, visitor.principal.name, silence_id=silence_id)


def _expire_page(console: Console, request: Request, visitor: Visitor, silence_id: str) -> Response:
    try:
        _expire(console, visitor, silence_id)
    except AlertmanagerError as exc:
        return _failed(console, request, visitor, exc)
    return _done("expired", silence_id)


@router.post("/silences/expire", include_in_schema=False)
async def expire(request: Request) -> Response:
    console, visitor, form = await _form(request)
    silence_id = _field(form, "silence_id")
    if not is_silence_id(silence_id):
        raise BadInputError(f"{silence_id[:40]!r} is not a silence id")
    return await run_in_threadpool(_expire_page, console, request, visitor, silence_id)


# The same for scripts: JSON in and out, the CSRF token (from /api/session) in a header.


def _matchers_json(data: Any) -> tuple[Matcher, ...]:
    if not isinstance(data, list) or not data:
        raise BadInputError(
            "matchers: expected a non-empty list of {name, value, isRegex, isEqual}"
        )
    found = []
    for item in data:
        if not isinstance(item, dict) or not all(
            isinstance(item.get(k), str) for k in ("name", "value")
        ):
            raise BadInputError("matchers: each needs a string name and value")
        flags = (item.get("isRegex", False), item.get("isEqual", True))
        if not all(isinstance(flag, bool) for flag in flags):
            raise BadInputError("matchers: isRegex and isEqual are true or false")
        found.append(Matcher(item["name"], item["value"], flags[0], flags[1]))
    # The text form's checks (a valid name, one non-empty matcher) apply to JSON too.
    return parse_matchers(", ".join(m.text() for m in found))


@router.post("/api/silences", include_in_schema=False)
async def api_new_silence(request: Request) -> Response:
    console = console_of(request)
    visitor = console.access.require(request, Permission.SILENCE)
    data = await read_json(request)
    console.access.check_csrf(visitor, request.headers.get(CSRF_HEADER))
    matchers = _matchers_json(data.get("matchers"))
    duration, comment = data.get("duration"), data.get("comment")
    if not isinstance(duration, str) or not isinstance(comment, str):
        raise BadInputError('expected "duration" (such as "1h") and "comment" as strings')
    seconds, text = parse_duration(duration), comment_text(comment)
    try:
        silence_id = await run_in_threadpool(
            _silence,
            console,
            visitor,
            matchers,
            duration=seconds,
            comment=text,
            action=AuditAction.SILENCE_CREATED,
        )
    except AlertmanagerError as exc:
        return JSONResponse({"error": problem_text(exc, console.alertmanager.url)}, 502)
    return JSONResponse({"silenceID": silence_id}, status_code=201)


@router.delete("/api/silences/{silence_id}", include_in_schema=False)
async def api_expire(request: Request, silence_id: str) -> Response:
    console = console_of(request)
    visitor = console.access.require(request, Permission.SILENCE)
    console.access.check_csrf(visitor, request.headers.get(CSRF_HEADER))
    if not is_silence_id(silence_id):
        raise BadInputError(f"{silence_id[:40]!r} is not a silence id")
    try:
        await run_in_threadpool(_expire, console, visitor, silence_id)
    except AlertmanagerError as exc:
        return JSONResponse({"error": problem_text(exc, console.alertmanager.url)}, 502)
    return Response(status_code=204)
