from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from agentwatch.security import (
    SECRETS_ENV,
    Role,
    Secrets,
    SecretsError,
    ensure_secrets,
    find_secrets,
    load_secrets,
)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_first_use_generates_private_files_and_later_uses_read_them(tmp_path: Path) -> None:
    first, files, created = ensure_secrets(tmp_path)
    assert created
    assert _mode(files.directory) == 0o700
    for path in (
        files.secrets_json,
        files.service_password,
        files.scrape_token,
        files.alert_webhook_token,
    ):
        assert _mode(path) == 0o600, path
    assert files.service_password.read_text() == first.service.password
    assert files.scrape_token.read_text() == first.scrape_token
    assert files.alert_webhook_token.read_text() == first.alert_webhook_token
    again, _, created_again = ensure_secrets(tmp_path)
    assert not created_again
    assert again == first


def test_every_home_gets_its_own_random_values(tmp_path: Path) -> None:
    a, _, _ = ensure_secrets(tmp_path / "a")
    b, _, _ = ensure_secrets(tmp_path / "b")
    values_a = {a.service.password, a.scrape_token, a.pii_key, a.session_key}
    values_b = {b.service.password, b.scrape_token, b.pii_key, b.session_key}
    assert not values_a & values_b
    assert len(values_a) == 4
    assert all(len(v) >= 24 for v in values_a)


def test_one_console_user_per_role() -> None:
    users = Secrets.generate().users
    assert {u.role for u in users} == {Role.EXECUTIVE, Role.TECHNICAL, Role.ADMIN}
    assert len({u.password for u in users}) == 3


def test_a_file_others_can_read_is_refused(tmp_path: Path) -> None:
    _, files, _ = ensure_secrets(tmp_path)
    os.chmod(files.secrets_json, 0o644)
    with pytest.raises(SecretsError, match=r"other users can read it.*chmod 600"):
        load_secrets(files.secrets_json)


def test_a_broken_file_names_itself(tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    path.write_text("{not json")
    os.chmod(path, 0o600)
    with pytest.raises(SecretsError, match=r"secrets.json: line 1: not JSON"):
        load_secrets(path)
    path.write_text(json.dumps({"service": {}}))
    with pytest.raises(SecretsError, match="not an agentwatch secrets file"):
        load_secrets(path)


def test_find_prefers_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SECRETS_ENV, raising=False)
    assert find_secrets(tmp_path / "empty") is None
    assert find_secrets(None) is None
    home_secrets, _, _ = ensure_secrets(tmp_path / "home")
    other, other_files, _ = ensure_secrets(tmp_path / "other")
    assert find_secrets(tmp_path / "home") == home_secrets
    monkeypatch.setenv(SECRETS_ENV, str(other_files.secrets_json))
    assert find_secrets(tmp_path / "home") == other


def test_an_older_file_gets_the_secrets_added_since_and_keeps_its_own(tmp_path: Path) -> None:
    first, files, _ = ensure_secrets(tmp_path)
    older = first.to_json()
    del older["alert_webhook_token"]
    files.secrets_json.write_text(json.dumps(older))
    with pytest.raises(SecretsError, match="alert_webhook_token"):
        load_secrets(files.secrets_json)
    upgraded, _, created = ensure_secrets(tmp_path)
    assert not created
    assert upgraded.to_json() == {**older, "alert_webhook_token": upgraded.alert_webhook_token}
    assert upgraded.alert_webhook_token not in (first.alert_webhook_token, "")
    assert load_secrets(files.secrets_json) == upgraded
    assert _mode(files.secrets_json) == 0o600
