from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any

import pytest

from agentwatch.security import (
    Authenticator,
    AuthFailure,
    Permission,
    Principal,
    Role,
    Secrets,
    WsgiAuth,
    basic_header,
)

SECRETS = Secrets.generate()
ADMIN, TECHNICAL, EXECUTIVE = (
    next(u for u in SECRETS.users if u.role is role)
    for role in (Role.ADMIN, Role.TECHNICAL, Role.EXECUTIVE)
)


def test_basic_auth_for_each_account() -> None:
    auth = Authenticator(SECRETS)
    for account in SECRETS.accounts():
        found = auth.authenticate(basic_header(account.username, account.password))
        assert found == Principal(account.username, account.role)


def test_the_scrape_token_is_the_service_role() -> None:
    found = Authenticator(SECRETS).authenticate(f"Bearer {SECRETS.scrape_token}")
    assert found == Principal("scraper", Role.SERVICE)


# Ids name each case: a header built from the generated password differs on every run, and
# pytest-xdist needs every worker to collect the same test ids.
@pytest.mark.parametrize(
    ("header", "failure"),
    [
        pytest.param(None, AuthFailure.MISSING, id="no header"),
        pytest.param("", AuthFailure.MISSING, id="empty"),
        pytest.param("Bearer wrong", AuthFailure.INVALID, id="wrong token"),
        pytest.param(
            basic_header(ADMIN.username, "wrong"), AuthFailure.INVALID, id="wrong password"
        ),
        pytest.param(
            basic_header("nobody", ADMIN.password), AuthFailure.INVALID, id="unknown user"
        ),
        pytest.param(
            "Basic " + base64.b64encode(b"no-colon").decode(), AuthFailure.INVALID, id="no colon"
        ),
        pytest.param("Basic !!!not-base64", AuthFailure.MALFORMED, id="not base64"),
        pytest.param(
            "Basic " + base64.b64encode(b"\xff\xfe:x").decode(),
            AuthFailure.MALFORMED,
            id="not utf-8",
        ),
        pytest.param("Digest abc", AuthFailure.MALFORMED, id="unknown scheme"),
        pytest.param("Bearer " + "x" * 5000, AuthFailure.MALFORMED, id="oversized"),
    ],
)
def test_refusals_say_why(header: str | None, failure: AuthFailure) -> None:
    assert Authenticator(SECRETS).authenticate(header) is failure


def test_roles_get_the_views_the_seed_assigns() -> None:
    executive = Principal("e", Role.EXECUTIVE)
    technical = Principal("t", Role.TECHNICAL)
    admin = Principal("a", Role.ADMIN)
    assert executive.may(Permission.BUSINESS)
    assert executive.may(Permission.SLO)
    assert not executive.may(Permission.OPERATIONS)
    assert not executive.may(Permission.METRICS)
    assert technical.may(Permission.OPERATIONS)
    assert technical.may(Permission.METRICS)
    assert not technical.may(Permission.SILENCE)
    assert not technical.may(Permission.CONFIG)
    assert admin.may(Permission.SILENCE)
    assert admin.may(Permission.CONFIG)


def _call(app: WsgiAuth, path: str, header: str | None) -> tuple[str, dict[str, str], bytes]:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    environ = {"PATH_INFO": path}
    if header is not None:
        environ["HTTP_AUTHORIZATION"] = header
    body = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], body


def _inner(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    start_response("200 OK", [])
    return [
        environ["agentwatch.principal"].name.encode()
        if "agentwatch.principal" in environ
        else b"open"
    ]


def test_middleware_401_403_and_counts() -> None:
    auth = Authenticator(SECRETS)
    app = WsgiAuth(_inner, auth)
    status, headers, _ = _call(app, "/metrics", None)
    assert status.startswith("401")
    assert headers["WWW-Authenticate"].startswith("Basic")
    status, _, _ = _call(app, "/metrics", basic_header(EXECUTIVE.username, EXECUTIVE.password))
    assert status.startswith("403")
    status, _, body = _call(app, "/metrics", basic_header(TECHNICAL.username, TECHNICAL.password))
    assert status.startswith("200")
    assert body == b"technical"
    status, _, body = _call(app, "/healthz", None)
    assert status.startswith("200")
    assert body == b"open"
    assert auth.failures() == {AuthFailure.MISSING: 1, AuthFailure.FORBIDDEN: 1}
