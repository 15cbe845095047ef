"""agentwatch console serve: what it refuses before it listens (exit 2 naming the setting,
exit 1 for a taken port)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agentwatch.cli import app
from agentwatch.security import SECRETS_ENV, Secrets, ensure_secrets

runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_inherited_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SECRETS_ENV, raising=False)
    monkeypatch.delenv("AGENTWATCH_HOME", raising=False)


def test_a_bad_config_is_exit_2_naming_the_field(tmp_path: Path) -> None:
    config = tmp_path / "agentwatch.yaml"
    config.write_text("ports:\n  console: 99999\n")
    result = runner.invoke(
        app, ["console", "serve", "--config", str(config), "--home", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "ports.console" in result.output


def test_auth_without_secrets_is_exit_2_saying_where_it_looked(tmp_path: Path) -> None:
    result = runner.invoke(app, ["console", "serve", "--home", str(tmp_path)])
    assert result.exit_code == 2
    assert "no secrets" in result.output
    assert str(tmp_path / "secrets" / "secrets.json") in result.output


def test_secrets_readable_by_others_are_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "secrets.json"
    path.write_text(json.dumps(Secrets.generate().to_json()))
    path.chmod(0o644)
    monkeypatch.setenv(SECRETS_ENV, str(path))
    result = runner.invoke(app, ["console", "serve", "--home", str(tmp_path)])
    assert result.exit_code == 2
    assert "other users can read it" in result.output


@pytest.mark.parametrize("option", ["--prometheus", "--alertmanager", "--grafana"])
def test_a_url_that_is_not_http_is_exit_2_naming_the_option(tmp_path: Path, option: str) -> None:
    ensure_secrets(tmp_path)
    result = runner.invoke(
        app, ["console", "serve", "--home", str(tmp_path), option, "ftp://127.0.0.1/"]
    )
    assert result.exit_code == 2
    assert option in result.output


def test_a_taken_port_is_exit_1_naming_it(tmp_path: Path) -> None:
    ensure_secrets(tmp_path)
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        config = tmp_path / "agentwatch.yaml"
        config.write_text(f"ports:\n  console: {port}\n")
        result = runner.invoke(
            app, ["console", "serve", "--home", str(tmp_path), "--config", str(config)]
        )
    assert result.exit_code == 1
    assert f"127.0.0.1:{port}" in result.output
    assert "in use" in result.output
