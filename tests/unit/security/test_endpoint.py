from __future__ import annotations

from pathlib import Path

import pytest

from agentwatch.security import (
    SECRETS_ENV,
    Authenticator,
    SecretsError,
    endpoint_authenticator,
    ensure_secrets,
)
from agentwatch.spec import Spec


@pytest.fixture(autouse=True)
def _no_secrets_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SECRETS_ENV, raising=False)


def test_auth_off_is_open() -> None:
    spec = Spec.model_validate({"security": {"auth": False}})
    assert endpoint_authenticator(spec) is None


def test_with_secrets_requests_are_checked(tmp_path: Path) -> None:
    ensure_secrets(tmp_path)
    assert isinstance(endpoint_authenticator(Spec(), tmp_path), Authenticator)


def test_no_secrets_is_open_only_on_loopback(tmp_path: Path) -> None:
    assert endpoint_authenticator(Spec(), tmp_path) is None
    wide = Spec.model_validate({"listen_address": "0.0.0.0"})
    with pytest.raises(SecretsError, match="beyond this machine and no secrets"):
        endpoint_authenticator(wide, tmp_path)


def test_the_spec_refuses_an_open_door() -> None:
    with pytest.raises(ValueError, match=r"security\.auth is false"):
        Spec.model_validate({"listen_address": "0.0.0.0", "security": {"auth": False}})
    Spec.model_validate({"listen_address": "::1", "security": {"auth": False}})
