"""The signed session cookie and CSRF tokens: what verifies, what does not, and for how long;
the failed-login throttle."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentwatch.console._sessions import LoginThrottle, Sessions
from agentwatch.console._signing import Signer
from agentwatch.security import Role

KEY = "k" * 32


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_signed_payload_verifies_and_any_change_breaks_it() -> None:
    signer = Signer(KEY, "session")
    token = signer.sign({"u": "admin", "n": 1})
    assert signer.verify(token) == {"u": "admin", "n": 1}
    body, mac = token.split(".")
    flipped = body[:-1] + ("A" if body[-1] != "A" else "B")
    assert signer.verify(f"{flipped}.{mac}") is None
    assert signer.verify(f"{body}.{mac[:-2]}") is None
    assert signer.verify(body) is None
    assert signer.verify("") is None
    assert signer.verify("x" * 5000 + "." + mac) is None


def test_a_token_for_one_purpose_or_key_does_not_verify_for_another() -> None:
    token = Signer(KEY, "session").sign({"u": "admin"})
    assert Signer(KEY, "csrf").verify(token) is None
    assert Signer("z" * 32, "session").verify(token) is None


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        Signer("short", "session")


def test_a_session_lasts_its_lifetime_and_a_revoked_one_is_gone() -> None:
    clock = Clock()
    sessions = Sessions(KEY, lifetime=3600, clock=clock)
    cookie, session = sessions.issue("technical", Role.TECHNICAL)
    loaded = sessions.load(cookie)
    assert loaded == session
    assert loaded is not None
    assert loaded.role is Role.TECHNICAL
    clock.now += 3599
    assert sessions.load(cookie) is not None
    clock.now += 2
    assert sessions.load(cookie) is None
    cookie, session = sessions.issue("admin", Role.ADMIN)
    sessions.revoke(session)
    assert sessions.load(cookie) is None


def test_a_revoked_session_stays_revoked_after_a_restart(tmp_path: Path) -> None:
    clock = Clock()
    store = tmp_path / "revoked"
    first = Sessions(KEY, lifetime=3600, clock=clock, revoked_file=store)
    cookie, session = first.issue("admin", Role.ADMIN)
    other, _ = first.issue("technical", Role.TECHNICAL)
    first.revoke(session)
    assert oct(store.stat().st_mode & 0o777) == "0o600"
    again = Sessions(KEY, lifetime=3600, clock=clock, revoked_file=store)
    assert again.load(cookie) is None
    assert again.load(other) is not None
    # Once the cookie would have expired anyway, the revocation is forgotten.
    clock.now += 3601
    Sessions(KEY, lifetime=3600, clock=clock, revoked_file=store)
    assert store.read_text() == ""


def test_a_cookie_from_another_key_or_with_a_bad_role_is_refused() -> None:
    other = Sessions("o" * 32)
    cookie, _ = other.issue("admin", Role.ADMIN)
    assert Sessions(KEY).load(cookie) is None
    forged = Signer(KEY, "session").sign({"u": "x", "r": "overlord", "sid": "s", "exp": 4e9})
    assert Sessions(KEY).load(forged) is None


def test_csrf_tokens_are_bound_to_their_subject() -> None:
    sessions = Sessions(KEY)
    token = sessions.csrf_token("session:abc")
    assert sessions.check_csrf("session:abc", token)
    assert not sessions.check_csrf("session:abd", token)
    assert not sessions.check_csrf("session:abc", None)
    assert not sessions.check_csrf("session:abc", token[:-1])
    assert not sessions.check_csrf("session:abc", "é" * 10)


def test_the_throttle_blocks_after_the_limit_until_the_window_passes() -> None:
    clock = Clock(0.0)
    throttle = LoginThrottle(3, 60, clock=clock)
    for _ in range(3):
        assert not throttle.blocked("10.0.0.1")
        throttle.failed("10.0.0.1")
    assert throttle.blocked("10.0.0.1")
    assert not throttle.blocked("10.0.0.2")
    clock.now = 61
    assert not throttle.blocked("10.0.0.1")
    throttle.failed("10.0.0.1")
    throttle.succeeded("10.0.0.1")
    assert not throttle.blocked("10.0.0.1")
