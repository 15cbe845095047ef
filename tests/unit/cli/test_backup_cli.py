"""agentwatch backup / restore exit codes and messages, without a stack."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

from typer.testing import CliRunner

from agentwatch.cli import app

runner = CliRunner()


def text(result: object) -> str:
    return " ".join(str(getattr(result, "output", "")).split())


def test_backup_with_a_bad_url_is_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["backup", "--home", str(tmp_path), "--prometheus", "nope"])
    assert result.exit_code == 2
    assert "--prometheus 'nope'" in text(result)


def test_backup_of_an_unreachable_prometheus_is_exit_1(tmp_path: Path) -> None:
    args = ["backup", "--home", str(tmp_path), "--prometheus", "http://127.0.0.1:1"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "cannot reach Prometheus at http://127.0.0.1:1" in text(result)


def test_backup_into_an_existing_file_is_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "x.tar.gz"
    out.write_bytes(b"")
    result = runner.invoke(app, ["backup", "--home", str(tmp_path), "--out", str(out)])
    assert result.exit_code == 2
    assert "already exists" in text(result)


def test_restore_names_the_member_that_escapes(tmp_path: Path) -> None:
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        data = json.dumps({"format": 1, "snapshot": "s", "files": []}).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
        evil = tarfile.TarInfo("../../etc/cron.d/evil")
        evil.size = 1
        tar.addfile(evil, io.BytesIO(b"x"))
    home = tmp_path / "home"
    result = runner.invoke(app, ["restore", str(archive), "--home", str(home)])
    assert result.exit_code == 2
    assert "member '../../etc/cron.d/evil'" in text(result)


def test_restore_without_an_archive_is_exit_2() -> None:
    assert runner.invoke(app, ["restore"]).exit_code == 2
