from __future__ import annotations

import json
import stat
from pathlib import Path

from typer.testing import CliRunner

from agentwatch.cli import app
from agentwatch.security import ensure_secrets

runner = CliRunner()


def test_show_lists_accounts_and_reveals_passwords_only_when_asked(tmp_path: Path) -> None:
    secrets, _, _ = ensure_secrets(tmp_path)
    shown = runner.invoke(app, ["secrets", "show", "--home", str(tmp_path)])
    assert shown.exit_code == 0, shown.output
    assert "executive" in shown.output
    assert "admin" in shown.output
    assert not [a for a in secrets.accounts() if a.password in shown.output]
    revealed = runner.invoke(app, ["secrets", "show", "--home", str(tmp_path), "--reveal"])
    assert secrets.users[0].password in revealed.output


def test_show_without_secrets_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["secrets", "show", "--home", str(tmp_path)])
    assert result.exit_code == 2
    assert "agentwatch up" in result.output


def test_compose_writes_the_homes_grafana_password(tmp_path: Path) -> None:
    home, out = tmp_path / "home", tmp_path / "tree" / "secrets"
    result = runner.invoke(app, ["secrets", "compose", str(out), "--home", str(home)])
    assert result.exit_code == 0, result.output
    expected = json.loads((home / "secrets" / "secrets.json").read_text())
    written = out / "grafana_admin_password"
    assert written.read_text() == expected["grafana_admin_password"] + "\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert expected["grafana_admin_password"] not in result.output
