"""Checking the Authorization header: HTTP Basic for people and the stack's account, a bearer
token for Prometheus' scrapes. Comparisons run in constant time."""

from __future__ import annotations

import base64
import binascii
import hmac
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from agentwatch.catalog.http_paths import HEALTH_PATHS

from ._roles import ROLE_PERMISSIONS, Permission, Role
from ._secrets import Secrets

__all__ = [
    "AuthFailure",
    "Authenticator",
    "Principal",
    "WsgiAuth",
    "basic_header",
]

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
# Longer Authorization headers are refused before decoding.
_MAX_HEADER = 4096


class AuthFailure(StrEnum):
    """Why a request was refused (the ``reason`` label of agentwatch_auth_failures_total)."""

    MISSING = "missing"  # no credentials: 401
    MALFORMED = "malformed"  # not Basic/Bearer, bad base64, too long: 401
    INVALID = "invalid"  # wrong user, password or token: 401
    FORBIDDEN = "forbidden"  # a known principal without the permission: 403


@dataclass(frozen=True)
class Principal:
    name: str
    role: Role

    def may(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]


def basic_header(username: str, password: str) -> str:
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


class Authenticator:
    """Knows the home's accounts and scrape token; counts every refusal by reason."""

    def __init__(self, secrets: Secrets) -> None:
        self._secrets = secrets
        self._accounts = {a.username: a for a in secrets.accounts()}
        self._token = secrets.scrape_token.encode()
        self._lock = threading.Lock()
        self._failures: Counter[AuthFailure] = Counter()

    def sibling(self) -> Authenticator:
        """The same accounts, counting its own refusals (one per served component)."""
        return Authenticator(self._secrets)

    def authenticate(self, header: str | None) -> Principal | AuthFailure:
        if not header:
            return AuthFailure.MISSING
        if len(header) > _MAX_HEADER:
            return AuthFailure.MALFORMED
        scheme, _, value = header.partition(" ")
        scheme = scheme.lower()
        if scheme == "bearer":
            if hmac.compare_digest(value.strip().encode(), self._token):
                return Principal("scraper", Role.SERVICE)
            return AuthFailure.INVALID
        if scheme != "basic":
            return AuthFailure.MALFORMED
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return AuthFailure.MALFORMED
        username, colon, password = decoded.partition(":")
        account = self._accounts.get(username)
        # Compared even for an unknown user, so timing does not tell which users exist.
        expected = account.password if account is not None else "\0" * 24
        if not colon or not hmac.compare_digest(password.encode(), expected.encode()):
            return AuthFailure.INVALID
        if account is None:
            return AuthFailure.INVALID
        return Principal(account.username, account.role)

    def authorize(self, header: str | None, permission: Permission) -> Principal | AuthFailure:
        """The principal when it may ``permission``; otherwise the failure, counted."""
        found = self.authenticate(header)
        if isinstance(found, Principal) and not found.may(permission):
            found = AuthFailure.FORBIDDEN
        if isinstance(found, AuthFailure):
            with self._lock:
                self._failures[found] += 1
        return found

    def failures(self) -> dict[AuthFailure, int]:
        with self._lock:
            return dict(self._failures)


class WsgiAuth:
    """WSGI middleware: every path but ``open_paths`` needs ``permission``. 401 asks for
    credentials (WWW-Authenticate); 403 says they are not enough."""

    def __init__(
        self,
        app: WsgiApp,
        authenticator: Authenticator,
        *,
        permission: Permission = Permission.METRICS,
        open_paths: frozenset[str] = HEALTH_PATHS,
        realm: str = "agentwatch",
    ) -> None:
        self._app = app
        self.authenticator = authenticator
        self._permission = permission
        self._open = open_paths
        self._realm = realm

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "") in self._open:
            return self._app(environ, start_response)
        found = self.authenticator.authorize(environ.get("HTTP_AUTHORIZATION"), self._permission)
        if isinstance(found, Principal):
            environ["agentwatch.principal"] = found
            return self._app(environ, start_response)
        headers = [("Content-Type", "text/plain; charset=utf-8")]
        if found is AuthFailure.FORBIDDEN:
            start_response("403 Forbidden", headers)
            return [b"forbidden: this account may not read this endpoint\n"]
        headers.append(("WWW-Authenticate", f'Basic realm="{self._realm}", charset="UTF-8"'))
        start_response("401 Unauthorized", headers)
        return [b"unauthorized: send basic auth or the scrape bearer token\n"]
