"""Who is asking and what they may do: a session cookie (browsers), HTTP Basic (scripts) or
the scrape bearer token (Prometheus); the role's permissions; CSRF tokens on unsafe methods.

Refusals are raised as exceptions the app turns into responses (401 or a redirect to the
login page, 403), each counted in agentwatch_auth_failures_total{component="console"}.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from agentwatch.security import Authenticator, AuthFailure, Permission, Principal, Role

from ._metrics import ConsoleMetrics, Rejection
from ._sessions import Session, Sessions

__all__ = [
    "ANONYMOUS",
    "CSRF_FIELD",
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "Access",
    "BadInputError",
    "ForbiddenError",
    "NotAuthenticatedError",
    "RefusedError",
    "Visitor",
]

SESSION_COOKIE = "agentwatch_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
#: Everyone, when security.auth is off: technical staff, read-only.
ANONYMOUS = Principal("anonymous", Role.TECHNICAL)


@dataclass(frozen=True, slots=True)
class Visitor:
    principal: Principal
    session: Session | None  # set for a browser logged in through the form
    csrf_subject: str  # what this visitor's CSRF token is a MAC of

    def may(self, permission: Permission) -> bool:
        return self.principal.may(permission)


class NotAuthenticatedError(Exception):
    def __init__(self, failure: AuthFailure, *, header_sent: bool) -> None:
        super().__init__(failure.value)
        self.failure = failure
        # A client that sent credentials is a script: it gets 401, not the login page.
        self.header_sent = header_sent


class ForbiddenError(Exception):
    def __init__(self, visitor: Visitor, permission: Permission) -> None:
        super().__init__(f"{visitor.principal.name} may not {permission.value}")
        self.visitor = visitor
        self.permission = permission


class RefusedError(Exception):
    """Bad input: the response status, the counted reason, and a message for the client."""

    def __init__(self, status: int, reason: Rejection, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.message = message


class BadInputError(RefusedError):
    """A form or JSON body that does not parse or does not say what the action needs."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(status, Rejection.MALFORMED, message)


class Access:
    def __init__(
        self,
        *,
        enabled: bool,
        authenticator: Authenticator | None,
        sessions: Sessions,
        metrics: ConsoleMetrics,
        accounts: dict[str, Role],
    ) -> None:
        if enabled and authenticator is None:
            raise ValueError("authentication is on but there is no authenticator")
        self.enabled = enabled
        self.authenticator = authenticator
        self.sessions = sessions
        self._metrics = metrics
        # username -> role: a session whose account is gone or changed role is refused.
        self._accounts = accounts

    def identify(self, request: Request) -> Visitor:
        """The visitor, or NotAuthenticatedError (counted)."""
        if not self.enabled:
            return Visitor(ANONYMOUS, None, "anonymous")
        assert self.authenticator is not None
        header = request.headers.get("authorization")
        if header:
            found = self.authenticator.authenticate(header)
            if isinstance(found, AuthFailure):
                self._metrics.auth_failure(found)
                raise NotAuthenticatedError(found, header_sent=True)
            return Visitor(found, None, f"header:{found.name}")
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            session = self.sessions.load(cookie)
            if session is None or self._accounts.get(session.username) is not session.role:
                self._metrics.auth_failure(AuthFailure.INVALID)
                raise NotAuthenticatedError(AuthFailure.INVALID, header_sent=False)
            principal = Principal(session.username, session.role)
            return Visitor(principal, session, f"session:{session.sid}")
        self._metrics.auth_failure(AuthFailure.MISSING)
        raise NotAuthenticatedError(AuthFailure.MISSING, header_sent=False)

    def require(self, request: Request, permission: Permission) -> Visitor:
        visitor = self.identify(request)
        if not visitor.may(permission):
            self._metrics.auth_failure(AuthFailure.FORBIDDEN)
            raise ForbiddenError(visitor, permission)
        return visitor

    def csrf_token(self, visitor: Visitor) -> str:
        return self.sessions.csrf_token(visitor.csrf_subject)

    def check_csrf(self, visitor: Visitor, given: str | None) -> None:
        """RefusedError (403, counted as csrf) unless ``given`` is the visitor's token."""
        if not self.sessions.check_csrf(visitor.csrf_subject, given):
            raise RefusedError(403, Rejection.CSRF, "missing or wrong CSRF token")
