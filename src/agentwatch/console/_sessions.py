"""Console sessions: who logged in, until when, and the CSRF token that goes with them; and
the throttle that stops one client guessing passwords without end."""

from __future__ import annotations

import contextlib
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from agentwatch.render import append_text
from agentwatch.security import Role, write_private

from ._signing import Signer

__all__ = ["SESSION_SECONDS", "LoginThrottle", "Session", "Sessions"]

#: How long a login lasts: a working day, after which the browser asks again.
SESSION_SECONDS = 8 * 3600


@dataclass(frozen=True, slots=True)
class Session:
    username: str
    role: Role
    sid: str  # random; names the session for CSRF tokens and revocation
    expires: float  # unix seconds


class Sessions:
    """Issues and checks signed session cookies and their CSRF tokens."""

    def __init__(
        self,
        key: str | bytes,
        *,
        lifetime: float = SESSION_SECONDS,
        clock: Callable[[], float] = time.time,
        revoked_file: Path | None = None,
    ) -> None:
        self._cookies = Signer(key, "session")
        self._csrf = Signer(key, "csrf")
        self.lifetime = lifetime
        self._clock = clock
        self._lock = threading.Lock()
        # sid -> expiry: revoked sessions are remembered until their cookie would expire
        # anyway, in ``revoked_file`` too, so a logged-out cookie stays dead after a restart.
        self._file = revoked_file
        self._revoked: dict[str, float] = self._read_revoked()

    def issue(self, username: str, role: Role) -> tuple[str, Session]:
        session = Session(
            username, role, secrets.token_urlsafe(18), float(int(self._clock() + self.lifetime))
        )
        payload = {"u": username, "r": role.value, "sid": session.sid, "exp": session.expires}
        return self._cookies.sign(payload), session

    def load(self, cookie: str) -> Session | None:
        """The session a cookie carries; None when forged, expired or logged out."""
        payload = self._cookies.verify(cookie)
        if payload is None:
            return None
        try:
            username, sid = str(payload["u"]), str(payload["sid"])
            role = Role(str(payload["r"]))
            expires = float(str(payload["exp"]))
        except (KeyError, ValueError):
            return None
        now = self._clock()
        if expires <= now:
            return None
        with self._lock:
            if sid in self._revoked:
                return None
        return Session(username, role, sid, expires)

    def revoke(self, session: Session) -> None:
        now = self._clock()
        with self._lock:
            self._revoked = {sid: exp for sid, exp in self._revoked.items() if exp > now}
            self._revoked[session.sid] = session.expires
            if self._file is not None:
                # All or nothing: a torn line would swallow the next revocation too.
                append_text(self._file, f"{session.sid} {session.expires:.0f}\n", mode=0o600)

    def _read_revoked(self) -> dict[str, float]:
        """The revocations still in force; the file is rewritten with only those."""
        if self._file is None or not self._file.exists():
            return {}
        now = self._clock()
        found: dict[str, float] = {}
        for line in self._file.read_text(encoding="utf-8", errors="replace").splitlines():
            sid, _, expires = line.partition(" ")
            try:
                if float(expires) > now:
                    found[sid] = float(expires)
            except ValueError:
                continue  # a torn line after a crash
        # Pruning is housekeeping: on a full disk the old file stays, whole, and is read again.
        with contextlib.suppress(OSError):
            write_private(self._file, "".join(f"{sid} {exp:.0f}\n" for sid, exp in found.items()))
        return found

    # CSRF tokens are MACs of what identifies the requester: a session id, a Basic-auth user,
    # or the random nonce of a login form. They need no storage and cannot be guessed.
    def csrf_token(self, subject: str) -> str:
        return self._csrf.tag(subject)

    def check_csrf(self, subject: str, given: str | None) -> bool:
        return given is not None and self._csrf.check_tag(subject, given)


class LoginThrottle:
    """Refuses logins from a client after ``limit`` failures within ``window`` seconds, until
    the oldest of them is older than the window."""

    def __init__(
        self, limit: int, window: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, client: str, now: float) -> deque[float]:
        times = self._failures.setdefault(client, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def blocked(self, client: str) -> bool:
        with self._lock:
            now = self._clock()
            blocked = len(self._recent(client, now)) >= self.limit
            if not self._failures[client]:
                del self._failures[client]
            return blocked

    def failed(self, client: str) -> None:
        with self._lock:
            now = self._clock()
            self._recent(client, now).append(now)
            # Bounded memory: forget clients whose failures have all aged out.
            if len(self._failures) > 10_000:
                for key in [
                    k for k, v in self._failures.items() if not v or v[-1] <= now - self.window
                ]:
                    del self._failures[key]

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)
