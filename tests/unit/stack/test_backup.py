"""Backup and restore on a hand-made home: the round trip, and archives restore refuses."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import stat
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from agentwatch.security import AuditLog, ensure_secrets, load_secrets
from agentwatch.stack import HomeLock, StackHome
from agentwatch.stack.backup import (
    BackupError,
    BackupInvalidError,
    BackupProgress,
    create_backup,
    read_manifest,
    restore_backup,
)

SNAPSHOT = "20261202T060000Z-1234567890abcdef"
BLOCK = "01JD000000000000000000000A"
URL = "http://127.0.0.1:19090"


def tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.relative_to(root).as_posix().startswith("run/")
    }


def make_home(root: Path) -> StackHome:
    home = StackHome(root)
    home.create()
    block = home.prometheus_data / BLOCK
    (block / "chunks").mkdir(parents=True)
    (block / "meta.json").write_text(f'{{"ulid": "{BLOCK}"}}\n')
    (block / "index").write_bytes(b"\x00index" * 1000)
    (block / "chunks" / "000001").write_bytes(bytes(range(256)) * 4096)
    (home.prometheus_data / "wal").mkdir()
    (home.prometheus_data / "wal" / "00000000").write_bytes(b"wal")
    home.prometheus_config.write_text("global:\n  scrape_interval: 1s\n")
    (home.rules_dir / "agents.yml").write_text("groups: []\n")
    (home.alertmanager_data / "silences").write_bytes(b"silence")
    (home.root / "survey.jsonl").write_text('{"score": 9}\n')
    (home.root / "console").mkdir()
    (home.root / "console" / "revoked-sessions").write_text("abc\n")
    ensure_secrets(home.root)
    return home


class FakePrometheus:
    """Stands in for Prometheus' snapshot endpoint: copies the home's blocks to a snapshot."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.status = 200
        self.data = Path()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.status != 200:
            return httpx.Response(self.status, text="Unauthorized", request=request)
        shutil.copytree(self.data / BLOCK, self.data / "snapshots" / SNAPSHOT / BLOCK)
        body = {"status": "success", "data": {"name": SNAPSHOT}}
        return httpx.Response(200, json=body, request=request)


@pytest.fixture
def prometheus(monkeypatch: pytest.MonkeyPatch) -> FakePrometheus:
    fake = FakePrometheus()
    # Every request agentwatch makes goes through httpx's transport: answer them here.
    monkeypatch.setattr(
        httpx.HTTPTransport,
        "handle_request",
        lambda transport, request: fake.handle_request(request),
    )
    return fake


def backup(home: StackHome, prometheus: FakePrometheus, **kwargs: Any) -> Path:
    prometheus.data = home.prometheus_data
    return create_backup(home, URL, httpx.BasicAuth("agentwatch", "x"), **kwargs)


def test_round_trip_brings_the_home_back(tmp_path: Path, prometheus: FakePrometheus) -> None:
    home = make_home(tmp_path / "home")
    before = tree(home.root)
    events: list[BackupProgress] = []

    archive = backup(home, prometheus, on_progress=events.append)

    assert prometheus.requests[0].url == f"{URL}/api/v1/admin/tsdb/snapshot"
    assert archive.parent == home.root / "backups"
    assert archive.name.startswith("agentwatch-")
    assert archive.name.endswith("Z.tar.gz")
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert not (home.prometheus_data / "snapshots" / SNAPSHOT).exists()
    assert events[0].phase == "snapshot"
    assert events[-1].phase == "done"
    assert events[-1].files_total == 8
    assert events[-1].bytes_done == events[-1].bytes_total > 0

    manifest = read_manifest(archive)
    assert manifest["snapshot"] == SNAPSHOT
    assert manifest["agentwatch_version"]
    paths = {entry["path"] for entry in manifest["files"]}
    assert paths == {
        f"prometheus/{BLOCK}/meta.json",
        f"prometheus/{BLOCK}/index",
        f"prometheus/{BLOCK}/chunks/000001",
        "alertmanager/silences",
        "config/prometheus.yml",
        "rules/agents.yml",
        "console/revoked-sessions",
        "survey.jsonl",
    }
    secrets = load_secrets(home.secrets.secrets_json)
    meta = manifest["secrets"]
    assert meta["archived"] is False
    assert meta["sha256"] == hashlib.sha256(home.secrets.secrets_json.read_bytes()).hexdigest()
    assert {(a["username"], a["role"]) for a in meta["accounts"]} == {
        (a.username, a.role.value) for a in secrets.accounts()
    }
    # No secret value anywhere in the archive.
    raw = gzip.decompress(archive.read_bytes())
    for value in (secrets.service.password, secrets.scrape_token, secrets.pii_key):
        assert value.encode() not in raw
    assert not any(name.startswith("secrets") for name in paths)

    # Lose the data and change the state, then restore.
    shutil.rmtree(home.prometheus_data)
    (home.rules_dir / "agents.yml").write_text("changed\n")
    (home.root / "survey.jsonl").write_text("lost\n")
    report = restore_backup(home, archive)

    after = tree(home.root)
    expected = {
        name: data
        for name, data in before.items()
        if not name.startswith("data/prometheus/wal/")  # not in a snapshot
    }
    for name in ("audit.log",):
        expected.pop(name, None)
        after.pop(name, None)
    after = {k: v for k, v in after.items() if not k.startswith("backups/")}
    assert after == expected
    assert report.snapshot == SNAPSHOT
    assert report.secrets_match is True
    assert report.parts[0] == "prometheus"
    leftovers = [p.name for p in home.root.rglob("*") if "restore" in p.name]
    assert leftovers == []
    actions = [entry["action"] for entry in AuditLog(home.audit_log).entries()]
    assert actions[-2:] == ["backup", "restore"]
    assert HomeLock.holder(home) is None


@pytest.mark.parametrize(
    ("code", "needle"), [(401, "refused the credentials"), (405, "--web.enable-admin-api")]
)
def test_backup_names_what_prometheus_refused(
    tmp_path: Path, prometheus: FakePrometheus, code: int, needle: str
) -> None:
    home = make_home(tmp_path / "home")
    prometheus.status = code
    with pytest.raises(BackupError) as caught:
        backup(home, prometheus)
    assert needle in caught.value.message
    assert caught.value.exit_code == 1
    assert list((home.root / "backups").iterdir()) == []


def test_backup_of_an_unreachable_prometheus_fails_with_exit_1(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")
    with pytest.raises(BackupError) as caught:
        create_backup(home, "http://127.0.0.1:1", None)
    assert "cannot reach Prometheus at http://127.0.0.1:1" in caught.value.message
    assert caught.value.exit_code == 1


@pytest.mark.parametrize("url", ["notaurl", "ftp://host/x", "http://"])
def test_a_bad_prometheus_url_is_bad_input(tmp_path: Path, url: str) -> None:
    with pytest.raises(BackupError) as caught:
        create_backup(StackHome(tmp_path), url, None)
    assert caught.value.exit_code == 2


# --- archives restore refuses ---------------------------------------------------------------

Member = tuple[str, bytes] | tarfile.TarInfo


def write_archive(
    path: Path,
    members: list[Member],
    *,
    manifest: bool = True,
    tamper: Callable[[dict[str, Any]], None] | None = None,
) -> Path:
    files = []
    with tarfile.open(path, "w:gz") as tar:
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                tar.addfile(member)
                continue
            name, data = member
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            files.append(
                {"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            )
        if manifest:
            content: dict[str, Any] = {"format": 1, "snapshot": SNAPSHOT, "files": files}
            if tamper is not None:
                tamper(content)
            data = json.dumps(content).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def link(name: str, target: str, *, hard: bool = False) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.LNKTYPE if hard else tarfile.SYMTYPE
    info.linkname = target
    return info


GOOD = (f"prometheus/{BLOCK}/meta.json", b"{}")


@pytest.mark.parametrize(
    ("members", "needle"),
    [
        ([GOOD, ("../evil", b"x")], "member '../evil': contains '..'"),
        ([GOOD, ("prometheus/../../evil", b"x")], "member 'prometheus/../../evil'"),
        ([GOOD, ("/etc/evil", b"x")], "member '/etc/evil': an absolute path"),
        (
            [GOOD, link("prometheus/x", "../../../etc/passwd")],
            "member 'prometheus/x': a symbolic link to '../../../etc/passwd', outside",
        ),
        (
            [GOOD, link("prometheus/y", "/etc/passwd")],
            "member 'prometheus/y': a symbolic link to '/etc/passwd', outside",
        ),
        (
            [GOOD, link("prometheus/z", "../outside", hard=True)],
            "member 'prometheus/z': a hard link to '../outside', outside",
        ),
        ([GOOD, ("secrets/secrets.json", b"{}")], "member 'secrets/secrets.json': not part"),
    ],
)
def test_members_that_would_escape_are_refused_by_name(
    tmp_path: Path, members: list[Member], needle: str
) -> None:
    home = make_home(tmp_path / "home")
    before = tree(home.root)
    archive = write_archive(tmp_path / "bad.tar.gz", members)
    with pytest.raises(BackupInvalidError) as caught:
        restore_backup(home, archive)
    assert needle in caught.value.message
    assert caught.value.exit_code == 2
    assert tree(home.root) == before
    assert not (tmp_path / "evil").exists()
    assert HomeLock.holder(home) is None


def test_a_bad_checksum_names_the_member_and_changes_nothing(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")
    before = tree(home.root)

    def corrupt(manifest: dict[str, Any]) -> None:
        manifest["files"][1]["sha256"] = "0" * 64

    archive = write_archive(
        tmp_path / "bad.tar.gz", [GOOD, ("rules/agents.yml", b"groups: []\n")], tamper=corrupt
    )
    with pytest.raises(BackupInvalidError) as caught:
        restore_backup(home, archive)
    assert "member 'rules/agents.yml': sha256" in caught.value.message
    assert "does not match manifest.json" in caught.value.message
    assert tree(home.root) == before
    assert [p for p in home.root.iterdir() if "restore" in p.name] == []


def test_a_missing_manifest_is_named(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")
    archive = write_archive(tmp_path / "bad.tar.gz", [GOOD], manifest=False)
    with pytest.raises(BackupInvalidError) as caught:
        restore_backup(home, archive)
    assert "manifest.json is missing" in caught.value.message
    assert str(archive) in caught.value.message


def test_members_and_manifest_must_agree(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")

    def drop(manifest: dict[str, Any]) -> None:
        manifest["files"].pop()

    archive = write_archive(
        tmp_path / "extra.tar.gz", [GOOD, ("survey.jsonl", b"{}\n")], tamper=drop
    )
    with pytest.raises(BackupInvalidError, match=r"member 'survey\.jsonl': not listed"):
        restore_backup(home, archive)

    def add(manifest: dict[str, Any]) -> None:
        manifest["files"].append({"path": "rules/gone.yml", "size": 1, "sha256": "0" * 64})

    archive = write_archive(tmp_path / "missing.tar.gz", [GOOD], tamper=add)
    with pytest.raises(BackupInvalidError, match=r"lists 'rules/gone\.yml', but the archive"):
        restore_backup(home, archive)


def test_not_an_archive_is_bad_input(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not gzip")
    with pytest.raises(BackupInvalidError, match=r"not a \.tar\.gz archive"):
        restore_backup(home, junk)
    with pytest.raises(BackupInvalidError, match="no such archive file"):
        restore_backup(home, tmp_path / "absent.tar.gz")


def test_restore_is_refused_while_the_stack_runs(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")
    archive = write_archive(tmp_path / "ok.tar.gz", [GOOD])
    lock = HomeLock.acquire(home)
    try:
        with pytest.raises(BackupError) as caught:
            restore_backup(home, archive)
    finally:
        lock.release()
    assert f"the stack in {home.root} is running" in caught.value.message
    assert "agentwatch down --home" in caught.value.message
    assert caught.value.exit_code == 1
    assert (home.prometheus_data / "wal").exists()
    # Stopped, the same archive restores.
    restore_backup(home, archive)
    assert tree(home.prometheus_data) == {f"{BLOCK}/meta.json": b"{}"}


def test_a_truncated_archive_is_bad_input(tmp_path: Path, prometheus: FakePrometheus) -> None:
    home = make_home(tmp_path / "home")
    archive = backup(home, prometheus)
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    before = tree(home.root)
    with pytest.raises(BackupInvalidError) as caught:
        restore_backup(home, cut)
    assert str(cut) in caught.value.message
    assert tree(home.root) == before


def test_a_failed_swap_puts_everything_back(
    tmp_path: Path, prometheus: FakePrometheus, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = make_home(tmp_path / "home")
    archive = backup(home, prometheus)
    (home.rules_dir / "agents.yml").write_text("newer\n")
    before = tree(home.root)
    real_rename = os.rename

    def rename(source: Any, target: Any) -> None:
        # The staged config cannot be moved in; moving things back still works.
        if Path(target) == home.config_dir and ".restore-" in str(source):
            raise OSError(28, "No space left on device")
        real_rename(source, target)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(BackupError) as caught:
        restore_backup(home, archive)
    assert "the home is as it was" in caught.value.message
    assert caught.value.exit_code == 1
    assert tree(home.root) == before
    assert [p.name for p in home.root.rglob("*") if "restore" in p.name] == []
