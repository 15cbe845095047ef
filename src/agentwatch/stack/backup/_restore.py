"""`agentwatch restore`: an archive brought back into a stopped stack's home, all or nothing:
extracted into a staging directory, then each part swapped into place, the replaced parts put
back if one fails."""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentwatch.security import AuditAction, AuditLog

from .._errors import AlreadyRunningError
from .._layout import StackHome
from .._state import HomeLock, read_state
from ._archive import extract, open_archive, validated
from ._format import (
    PARTS,
    BackupError,
    BackupInvalidError,
    BackupProgress,
    Part,
    ProgressCallback,
    sha256_file,
    utc_stamp,
)

__all__ = ["RestoreReport", "restore_backup"]

_ACTOR_RESTORE = "agentwatch restore"


@dataclass(frozen=True)
class RestoreReport:
    snapshot: str
    created: str
    files: int
    bytes: int
    parts: tuple[str, ...]
    # True/False when both the archive and the home have secrets; None otherwise.
    secrets_match: bool | None


def _lock_for_restore(home: StackHome) -> HomeLock:
    where = str(home.root)
    try:
        lock = HomeLock.acquire(home)
    except AlreadyRunningError:
        holder = HomeLock.holder(home)
        raise BackupError(
            f"the stack in {where} is running"
            + (f" (supervisor pid {holder})" if holder else "")
            + f": stop it with `agentwatch down --home {where}`, then restore"
        ) from None
    if read_state(home) is not None:
        lock.release()
        raise BackupError(
            f"{home.state_file} records stack processes that may still run: "
            f"run `agentwatch down --home {where}` first, then restore"
        )
    return lock


def _swap(home: StackHome, staging: Path, stamp: str, parts: list[Part]) -> None:
    """Move each part's current copy aside and the staged one into place; all or nothing."""
    moved: list[tuple[Path, Path | None]] = []
    try:
        for part in parts:
            target = part.target(home)
            target.parent.mkdir(parents=True, exist_ok=True)
            aside = target.with_name(f"{target.name}.before-restore-{stamp}")
            if target.exists() or target.is_symlink():
                os.rename(target, aside)
                moved.append((target, aside))
            else:
                moved.append((target, None))
            os.rename(staging / part.name, target)
    except OSError as exc:
        for target, kept in reversed(moved):
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target, ignore_errors=True)
            else:
                target.unlink(missing_ok=True)
            if kept is not None:
                os.rename(kept, target)
        raise BackupError(f"restore failed, the home is as it was: {exc}") from None
    for _, kept in moved:
        if kept is None:
            continue
        if kept.is_dir() and not kept.is_symlink():
            shutil.rmtree(kept, ignore_errors=True)
        else:
            kept.unlink(missing_ok=True)


def restore_backup(
    home: StackHome, archive: Path, on_progress: ProgressCallback | None = None
) -> RestoreReport:
    """Bring an archive back into ``home``, whose stack must be stopped; the archive is checked
    completely before anything in the home changes."""
    report = on_progress or (lambda progress: None)
    archive = archive.absolute()
    if not archive.is_file():
        raise BackupInvalidError(f"{archive}: no such archive file")
    lock = _lock_for_restore(home)
    try:
        stamp = utc_stamp(time.time())
        staging = home.root / f".restore-{stamp}-{os.getpid()}"
        staging.mkdir(mode=0o700)
        try:
            with open_archive(archive) as tar:
                manifest, files = validated(tar, archive)
                total = extract(tar, files, staging, report)
            (staging / "prometheus").mkdir(exist_ok=True)
            parts = [part for part in PARTS if (staging / part.name).exists()]
            report(BackupProgress("restore", len(files), len(files), total, total))
            _swap(home, staging, stamp, parts)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        secrets_match = _secrets_match(home, manifest)
        AuditLog(home.audit_log).record(
            AuditAction.RESTORE,
            actor=_ACTOR_RESTORE,
            archive=str(archive),
            snapshot=manifest["snapshot"],
            files=len(files),
            bytes=total,
            secrets_match=secrets_match,
        )
    finally:
        lock.release()
    report(BackupProgress("done", len(files), len(files), total, total))
    return RestoreReport(
        snapshot=str(manifest["snapshot"]),
        created=str(manifest.get("created", "")),
        files=len(files),
        bytes=total,
        parts=tuple(part.name for part in parts),
        secrets_match=secrets_match,
    )


def _secrets_match(home: StackHome, manifest: dict[str, Any]) -> bool | None:
    recorded = manifest.get("secrets")
    path = home.secrets.secrets_json
    if not isinstance(recorded, dict) or not recorded.get("sha256") or not path.exists():
        return None
    return bool(sha256_file(path) == recorded["sha256"])
