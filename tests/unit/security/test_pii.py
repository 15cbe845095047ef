"""The pseudonymizer: keyed, stable, recognisable, idempotent, and blind to what it should not
touch (other names, empty values)."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from agentwatch.instrument._privacy import default_pseudonymizer
from agentwatch.security import PSEUDONYM_PREFIX, Pseudonymizer, pseudonymizer_for
from agentwatch.security._pii import is_pseudonym
from agentwatch.spec import DEFAULT_HASHED_LABELS

KEY = "k" * 32
EMAIL = "ada@example.com"


def test_the_same_value_under_the_same_key_is_the_same_pseudonym() -> None:
    one, other = Pseudonymizer(KEY, ["user"]), Pseudonymizer(KEY.encode(), ["user.email"])
    assert one.pseudonym(EMAIL) == one.pseudonym(EMAIL) == other.pseudonym(EMAIL)
    assert one.value("user", EMAIL) == other.value("user.email", EMAIL)
    assert one.pseudonym(EMAIL) != one.pseudonym("bob@example.com")


def test_pseudonyms_are_keyed_so_a_list_of_addresses_cannot_be_matched() -> None:
    pseudonym = Pseudonymizer(KEY, ["user"]).pseudonym(EMAIL)
    assert pseudonym != Pseudonymizer("j" * 32, ["user"]).pseudonym(EMAIL)
    digest = pseudonym.removeprefix(PSEUDONYM_PREFIX)
    # Whoever hashes candidate addresses without the key finds nothing.
    for unkeyed in (hashlib.sha256, hashlib.md5, hashlib.sha1, hashlib.blake2b):
        assert digest not in unkeyed(EMAIL.encode()).hexdigest()
    # It is HMAC-SHA-256 under the key, as docs/privacy.md says.
    expected = hmac.new(KEY.encode(), EMAIL.encode(), hashlib.sha256).hexdigest()[:32]
    assert digest == expected


def test_a_pseudonym_has_the_prefix_and_a_fixed_shape() -> None:
    pseudonym = Pseudonymizer(KEY, ["user"]).pseudonym(EMAIL)
    assert pseudonym.startswith(PSEUDONYM_PREFIX)
    assert len(pseudonym) == len(PSEUDONYM_PREFIX) + 32
    assert is_pseudonym(pseudonym)
    assert not is_pseudonym(EMAIL)
    assert not is_pseudonym(pseudonym + "0")
    assert not is_pseudonym(pseudonym.upper())


def test_hashing_twice_keeps_one_pseudonym_but_the_prefix_alone_is_no_pass() -> None:
    p = Pseudonymizer(KEY, ["user"])
    once = p.value("user", EMAIL)
    assert p.value("user", once) == once
    # A raw value that merely starts like a pseudonym is hashed, not let through.
    sneaky = PSEUDONYM_PREFIX + EMAIL
    assert p.value("user", sneaky) == p.pseudonym(sneaky) != sneaky


def test_empty_values_and_other_names_pass_unchanged() -> None:
    p = Pseudonymizer(KEY, ["user", "user.email"])
    assert p.value("user", "") == ""
    assert p.value("agent_id", EMAIL) == EMAIL
    assert p.labels({"user": EMAIL, "agent_id": "a-0", "user.email": ""}) == {
        "user": p.pseudonym(EMAIL),
        "agent_id": "a-0",
        "user.email": "",
    }


def test_attributes_of_every_scalar_kind_and_lists_are_hashed() -> None:
    p = Pseudonymizer(KEY, ["user.id", "user.email"])
    assert p.attribute("user.id", 1234) == p.pseudonym("1234")
    assert p.attribute("user.id", True) == p.pseudonym("true")
    assert p.attribute("user.email", [EMAIL, ""]) == (p.pseudonym(EMAIL), "")
    assert p.attribute("gen_ai.agent.name", EMAIL) == EMAIL
    assert p.attribute("gen_ai.agent.name", b"raw") == b"raw"
    with pytest.raises(TypeError, match="cannot be hashed"):
        p.attribute("user.email", EMAIL.encode())
    with pytest.raises(TypeError, match="cannot be hashed"):
        p.attribute("user.email", [EMAIL, {"nested": EMAIL}])


def test_a_wider_pseudonymizer_keeps_the_key() -> None:
    p = Pseudonymizer(KEY, ["user"])
    wider = p.hashing(["user.account_uuid"])
    assert wider.names == {"user", "user.account_uuid"}
    assert p.names == {"user"}
    assert wider.value("user.account_uuid", EMAIL) == p.value("user", EMAIL)


def test_keys_shorter_than_16_bytes_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 16 bytes"):
        Pseudonymizer("short", ["user"])


def test_without_a_key_each_pseudonymizer_draws_its_own() -> None:
    assert pseudonymizer_for(["user"], None).pseudonym(EMAIL) != pseudonymizer_for(
        ["user"], None
    ).pseudonym(EMAIL)
    assert pseudonymizer_for(["user"], KEY).pseudonym(EMAIL) == Pseudonymizer(KEY, []).pseudonym(
        EMAIL
    )


def test_the_process_default_is_one_pseudonymizer_over_the_default_names() -> None:
    default = default_pseudonymizer()
    assert default is default_pseudonymizer()
    assert default.names == frozenset(DEFAULT_HASHED_LABELS)
    assert is_pseudonym(default.value("user.email", EMAIL))
