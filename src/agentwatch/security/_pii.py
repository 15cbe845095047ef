"""Personal label values replaced by keyed hashes before they leave the process.

A keyed hash (HMAC-SHA-256 with the home's ``pii_key``), not a plain one: an e-mail address
has so little entropy that anyone could hash a list of addresses and match a plain digest.
The same value always gives the same pseudonym, so per-person counts and joins still work.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping

__all__ = ["PSEUDONYM_PREFIX", "Pseudonymizer", "pseudonymizer_for"]

#: Marks a hashed value, so a reader knows it is a pseudonym and not an id.
PSEUDONYM_PREFIX = "h_"
# 16 bytes: no collisions among any realistic number of people, short enough for a label.
_DIGEST_CHARS = 32


class Pseudonymizer:
    """Hashes the values of the label names (or attribute keys) in ``names``."""

    def __init__(self, key: bytes | str, names: Iterable[str]) -> None:
        self._key = key.encode() if isinstance(key, str) else bytes(key)
        if len(self._key) < 16:
            raise ValueError("the pii key must be at least 16 bytes")
        self.names = frozenset(names)

    def pseudonym(self, value: str) -> str:
        digest = hmac.new(self._key, value.encode("utf-8"), hashlib.sha256).hexdigest()
        return PSEUDONYM_PREFIX + digest[:_DIGEST_CHARS]

    def value(self, name: str, value: str) -> str:
        """``value`` as it may be exported under label or attribute ``name``."""
        if name in self.names and value and not value.startswith(PSEUDONYM_PREFIX):
            return self.pseudonym(value)
        return value

    def labels(self, labels: Mapping[str, str]) -> dict[str, str]:
        return {name: self.value(name, value) for name, value in labels.items()}


def pseudonymizer_for(names: Iterable[str], key: str | None) -> Pseudonymizer:
    """The home's pseudonymizer; without a key (no secrets: auth off, or a process run by
    hand), one with a fresh random key, so values are still never exported as they are,
    though their pseudonyms change when the process restarts."""
    return Pseudonymizer(key if key is not None else secrets.token_hex(32), names)
