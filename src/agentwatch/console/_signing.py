"""Signed tokens for the session cookie and CSRF tokens: HMAC-SHA-256 with a key derived
from the home's ``session_key``, compared in constant time.

A cookie is ``base64url(JSON payload) "." base64url(MAC)``. It needs no server-side store,
so the console restarts without logging anyone out; logging out revokes the session's id in
the process that served it (``Sessions.revoke``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping

__all__ = ["Signer"]

# Cookies and tokens longer than this are refused before any decoding.
_MAX_TOKEN = 4096


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    """Signs and checks payloads for one ``purpose``: a token signed for one purpose (a session)
    never verifies for another (a CSRF token), even under the same key."""

    def __init__(self, key: str | bytes, purpose: str) -> None:
        raw = key.encode() if isinstance(key, str) else bytes(key)
        if len(raw) < 16:
            raise ValueError("the signing key must be at least 16 bytes")
        self._key = hmac.new(raw, f"agentwatch-console:{purpose}".encode(), hashlib.sha256).digest()

    def _mac(self, data: bytes) -> bytes:
        return hmac.new(self._key, data, hashlib.sha256).digest()

    def tag(self, text: str) -> str:
        """A MAC of ``text`` (hex): the CSRF token of a session id, for instance."""
        return self._mac(text.encode("utf-8")).hex()

    def check_tag(self, text: str, given: str) -> bool:
        return hmac.compare_digest(self.tag(text).encode(), given.encode("utf-8", "replace"))

    def sign(self, payload: Mapping[str, object]) -> str:
        body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
        return f"{body}.{_b64(self._mac(body.encode('ascii')))}"

    def verify(self, token: str) -> dict[str, object] | None:
        """The payload of a token this signer made, or None (tampered, truncated, foreign)."""
        if len(token) > _MAX_TOKEN or token.count(".") != 1:
            return None
        body, _, mac = token.partition(".")
        try:
            given = _unb64(mac)
            expected = self._mac(body.encode("ascii"))
        except (binascii.Error, ValueError, UnicodeEncodeError):
            return None
        if not hmac.compare_digest(given, expected):
            return None
        try:
            payload = json.loads(_unb64(body))
        except (binascii.Error, ValueError):
            return None
        return payload if isinstance(payload, dict) else None
