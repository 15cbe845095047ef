from __future__ import annotations

import stat
from pathlib import Path

from agentwatch.security import AuditAction, AuditLog


def test_entries_are_appended_as_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "audit.log"
    times = iter([100.0, 101.5])
    log = AuditLog(path, clock=lambda: next(times))
    log.record(AuditAction.LOGIN, actor="admin", client="127.0.0.1")
    AuditLog(path, clock=lambda: 200.0).record(AuditAction.SILENCE_CREATED, actor="admin", id="x")
    log.record(AuditAction.LOGOUT, actor="admin")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    entries = list(log.entries())
    assert [e["action"] for e in entries] == ["login", "silence_created", "logout"]
    assert entries[0] == {"ts": 100.0, "action": "login", "actor": "admin", "client": "127.0.0.1"}
    assert len(path.read_text().splitlines()) == 3


def test_a_crafted_name_cannot_forge_a_line(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.log")
    log.record(AuditAction.LOGIN_FAILED, actor='x"}\n{"action": "login", "actor": "admin')
    lines = (tmp_path / "audit.log").read_text().splitlines()
    assert len(lines) == 1
    (entry,) = log.entries()
    assert entry["action"] == "login_failed"


def test_long_values_are_cut_and_torn_lines_skipped(tmp_path: Path) -> None:
    path = tmp_path / "audit.log"
    log = AuditLog(path)
    log.record(AuditAction.LOGIN_FAILED, actor="a" * 10_000)
    with path.open("a") as out:
        out.write('{"ts": 1, "action": "log')  # a write cut short by a crash
    (entry,) = log.entries()
    assert len(str(entry["actor"])) == 512
