"""Personal label values replaced by keyed hashes before they leave the process.

A keyed hash (HMAC-SHA-256 with the home's ``pii_key``), not a plain one: an e-mail address
has so little entropy that anyone could hash a list of addresses and match a plain digest.
The same value always gives the same pseudonym, so per-person counts and joins still work.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

__all__ = ["PSEUDONYM_PREFIX", "Pseudonymizer", "is_pseudonym", "pseudonymizer_for"]

#: Marks a hashed value, so a reader knows it is a pseudonym and not an id.
PSEUDONYM_PREFIX = "h_"
# 16 bytes: no collisions among any realistic number of people, short enough for a label.
_DIGEST_CHARS = 32
_PSEUDONYM = re.compile(rf"{PSEUDONYM_PREFIX}[0-9a-f]{{{_DIGEST_CHARS}}}")

V = TypeVar("V")


def is_pseudonym(value: str) -> bool:
    """True for exactly what ``Pseudonymizer.pseudonym`` returns. Only the whole shape
    counts: a raw value that merely starts with the prefix ("h_ada@example.com") is hashed."""
    return _PSEUDONYM.fullmatch(value) is not None


class Pseudonymizer:
    """Hashes the values of the label names (or attribute keys) in ``names``."""

    def __init__(self, key: bytes | str, names: Iterable[str]) -> None:
        key_bytes = key.encode() if isinstance(key, str) else bytes(key)
        if len(key_bytes) < 16:
            raise ValueError("the pii key must be at least 16 bytes")
        # The keyed state after the key block, copied per value: a third cheaper than
        # hmac.new each time (the OTLP receiver hashes several attributes per data point).
        self._mac = hmac.new(key_bytes, digestmod=hashlib.sha256)
        self.names = frozenset(names)

    def pseudonym(self, value: str) -> str:
        mac = self._mac.copy()
        mac.update(value.encode("utf-8"))
        return PSEUDONYM_PREFIX + mac.hexdigest()[:_DIGEST_CHARS]

    def value(self, name: str, value: str) -> str:
        """``value`` as it may be exported under label or attribute ``name``.

        Idempotent: a pseudonym is not hashed again, so a value hashed by the SDK and then
        by the OTLP receiver (or by a label and by the attribute it came from) stays one
        pseudonym. The empty value stays empty: it means "absent" to Prometheus.
        """
        if name in self.names and value and not is_pseudonym(value):
            return self.pseudonym(value)
        return value

    def labels(self, labels: Mapping[str, str]) -> dict[str, str]:
        return {name: self.value(name, value) for name, value in labels.items()}

    def attribute(self, key: str, value: V) -> V | str | tuple[str, ...]:
        """A span or metric attribute as it may be exported: under a hashed key a number or a
        flag is hashed as its text (a numeric user id is as personal as a string one), a list
        element by element. A value of another kind (bytes, a map) under a hashed key raises
        TypeError: the caller leaves such an attribute out rather than export it."""
        if key not in self.names:
            return value
        if isinstance(value, str | bool | int | float):
            return self.value(key, _text(value))
        if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
            items: list[str] = []
            for item in value:
                if not isinstance(item, str | bool | int | float):
                    break
                items.append(self.value(key, _text(item)))
            else:
                return tuple(items)
        raise TypeError(f"attribute {key!r}: a {type(value).__name__} value cannot be hashed")

    def hashing(self, names: Iterable[str]) -> Pseudonymizer:
        """The same key over more names (a receiver hashing the attributes that feed a hashed
        label, say): pseudonyms from both agree."""
        wider = Pseudonymizer.__new__(Pseudonymizer)
        wider._mac = self._mac
        wider.names = self.names | frozenset(names)
        return wider


def _text(value: str | bool | int | float) -> str:
    # As the OTLP receiver spells a flag, so one value gives one pseudonym on every path.
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def pseudonymizer_for(names: Iterable[str], key: str | None) -> Pseudonymizer:
    """The home's pseudonymizer; without a key (no secrets: auth off, or a process run by
    hand), one with a fresh random key, so values are still never exported as they are,
    though their pseudonyms change when the process restarts."""
    return Pseudonymizer(key if key is not None else secrets.token_hex(32), names)
