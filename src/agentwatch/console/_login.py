"""Logging in and out through the form. The login form has its own CSRF token, bound to a
random nonce in a short-lived cookie, so another site cannot log a browser in as someone else.
Failed logins are counted, throttled per client and written to the audit log."""

from __future__ import annotations

import secrets

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from agentwatch.security import AuditAction, Principal, Role, basic_header

from ._access import CSRF_FIELD, SESSION_COOKIE, NotAuthenticatedError, RefusedError
from ._input import read_form, safe_next
from ._metrics import LoginOutcome, Rejection
from ._state import Console, console_of

__all__ = ["LOGIN_COOKIE", "router"]

router = APIRouter()
LOGIN_COOKIE = "agentwatch_login"
_LOGIN_COOKIE_SECONDS = 3600
# Only people log in through the form; the stack's service account uses Basic auth.
_PEOPLE = frozenset({Role.EXECUTIVE, Role.TECHNICAL, Role.ADMIN})


def _client(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


def _secure(request: Request) -> bool:
    # Secure cookies only over HTTPS (a TLS proxy in front): over plain HTTP on 127.0.0.1 a
    # Secure cookie would never come back.
    return request.url.scheme == "https"


def _form_page(
    console: Console, request: Request, next_path: str, *, status: int = 200, error: str = ""
) -> Response:
    nonce = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(18)
    response = console.render(
        request,
        "login.html",
        visitor=None,
        title="Log in",
        status=status,
        next_path=next_path,
        login_csrf=console.access.sessions.csrf_token(f"login:{nonce}"),
        error=error,
    )
    response.set_cookie(
        LOGIN_COOKIE,
        nonce,
        max_age=_LOGIN_COOKIE_SECONDS,
        path="/login",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    return response


@router.get("/login", include_in_schema=False)
def login_form(request: Request) -> Response:
    console = console_of(request)
    next_path = safe_next(request.query_params.get("next"))
    if not console.access.enabled:
        return RedirectResponse(next_path, status_code=303)
    return _form_page(console, request, next_path)


def _authenticate(console: Console, username: str, password: str) -> Principal | None:
    authenticator = console.access.authenticator
    if authenticator is None or not username or not password:
        return None
    found = authenticator.authenticate(basic_header(username, password))
    if isinstance(found, Principal) and found.role in _PEOPLE:
        return found
    return None


@router.post("/login", include_in_schema=False)
async def login(request: Request) -> Response:
    console = console_of(request)
    if not console.access.enabled:
        return RedirectResponse("/", status_code=303)
    form = await read_form(request)
    nonce = request.cookies.get(LOGIN_COOKIE)
    if nonce is None or not console.access.sessions.check_csrf(
        f"login:{nonce}", form.get(CSRF_FIELD)
    ):
        raise RefusedError(403, Rejection.CSRF, "the login form expired or came from elsewhere")
    next_path = safe_next(form.get("next"))
    client = _client(request)
    if console.throttle.blocked(client):
        raise RefusedError(
            429,
            Rejection.RATE_LIMITED,
            f"too many failed logins from {client}; try again in "
            f"{console.throttle.window / 60:.0f} minutes",
        )
    username = form.get("username", "")
    principal = _authenticate(console, username, form.get("password", ""))
    if principal is None:
        console.metrics.login(LoginOutcome.FAILURE)
        console.throttle.failed(client)
        console.record(AuditAction.LOGIN_FAILED, username, client=client)
        return _form_page(
            console, request, next_path, status=401, error="Wrong user name or password."
        )
    console.metrics.login(LoginOutcome.SUCCESS)
    console.throttle.succeeded(client)
    console.record(AuditAction.LOGIN, principal.name, client=client, role=principal.role.value)
    cookie, _ = console.access.sessions.issue(principal.name, principal.role)
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=int(console.access.sessions.lifetime),
        path="/",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout", include_in_schema=False)
async def logout(request: Request) -> Response:
    console = console_of(request)
    try:
        visitor = console.access.identify(request)
    except NotAuthenticatedError:
        return RedirectResponse("/login", status_code=303)
    form = await read_form(request)
    console.access.check_csrf(visitor, form.get(CSRF_FIELD))
    response = RedirectResponse("/login", status_code=303)
    if visitor.session is not None:
        console.access.sessions.revoke(visitor.session)
        console.record(AuditAction.LOGOUT, visitor.principal.name, client=_client(request))
        response.delete_cookie(SESSION_COOKIE, path="/")
    return response
