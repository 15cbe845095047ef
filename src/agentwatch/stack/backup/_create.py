"""`agentwatch backup`: a TSDB snapshot through Prometheus' admin API, and the home's
configuration and state, written into one archive with its manifest (mode 0600)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tarfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from agentwatch import __version__
from agentwatch.clients import Auth, url_problem
from agentwatch.clients.prometheus_admin import PrometheusAdmin, PrometheusError
from agentwatch.exit_codes import EXIT_BAD_INPUT
from agentwatch.security import AuditAction, AuditLog, SecretsError, load_secrets

from .._layout import StackHome
from .._plan import PROMETHEUS
from .._state import read_state
from ._format import (
    FORMAT,
    MANIFEST,
    PARTS,
    BackupError,
    BackupProgress,
    ProgressCallback,
    sha256_file,
    utc_stamp,
)

__all__ = ["create_backup", "default_backup_path", "running_prometheus_url"]

_ACTOR_BACKUP = "agentwatch backup"
_NOT_ARCHIVED = (
    "secret values (HOME/secrets): back up secrets.json separately; only its sha256 and the "
    "account names and roles are recorded here"
)


def default_backup_path(home: StackHome, now: float | None = None) -> Path:
    return (
        home.root
        / "backups"
        / f"agentwatch-{utc_stamp(time.time() if now is None else now)}.tar.gz"
    )


def running_prometheus_url(home: StackHome) -> str | None:
    """The Prometheus URL the home's running stack recorded, or None."""
    state = read_state(home)
    if state is None:
        return None
    for component in state.components:
        if component.name == PROMETHEUS and component.endpoints:
            return component.endpoints[0].url.rstrip("/")
    return None


def _check_url(url: str) -> str:
    problem = url_problem(url)
    if problem is not None:
        raise BackupError(f"--prometheus {url!r}: {problem}", exit_code=EXIT_BAD_INPUT)
    return url.rstrip("/")


def _take_snapshot(url: str, auth: Auth | None) -> str:
    try:
        with PrometheusAdmin(url, auth=auth) as admin:
            return admin.snapshot()
    except PrometheusError as exc:
        hint = (
            "; is the stack running? Start it with `agentwatch up`, or pass --prometheus URL"
            if exc.unreachable
            else ""
        )
        raise BackupError(f"{exc}{hint}") from None


def _walk(root: Path, prefix: str) -> Iterator[tuple[str, Path]]:
    """Regular files under ``root`` (a file or a directory), as (archive name, path); links are
    not followed and not archived."""
    if root.is_symlink():
        return
    if root.is_file():
        yield prefix, root
        return
    if not root.is_dir():
        return
    for directory, dirs, files in os.walk(root, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                yield f"{prefix}/{path.relative_to(root).as_posix()}", path


def _secrets_metadata(home: StackHome) -> dict[str, Any]:
    path = home.secrets.secrets_json
    if not path.exists():
        return {"present": False, "archived": False}
    meta: dict[str, Any] = {
        "present": True,
        "archived": False,
        "path": str(path),
        "sha256": sha256_file(path),
    }
    try:
        found = load_secrets(path)
    except SecretsError as exc:
        meta["unreadable"] = str(exc)
        return meta
    meta["accounts"] = [
        {"username": account.username, "role": account.role.value} for account in found.accounts()
    ]
    return meta


class _HashingReader:
    """What ``tarfile.addfile`` reads a member from: hashes and reports as it goes."""

    def __init__(self, handle: IO[bytes], on_bytes: Callable[[int], None]) -> None:
        self._handle = handle
        self._on_bytes = on_bytes
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        self.digest.update(data)
        self._on_bytes(len(data))
        return data


def _check_out(out: Path) -> None:
    if out.is_dir():
        raise BackupError(
            f"--out {out}: is a directory; name the archive file", exit_code=EXIT_BAD_INPUT
        )
    if out.exists():
        raise BackupError(
            f"--out {out}: already exists; choose another name", exit_code=EXIT_BAD_INPUT
        )
    if not out.name.endswith((".tar.gz", ".tgz")):
        raise BackupError(f"--out {out}: expected a .tar.gz file name", exit_code=EXIT_BAD_INPUT)


def create_backup(
    home: StackHome,
    prometheus_url: str,
    auth: Auth | None,
    out: Path | None = None,
    on_progress: ProgressCallback | None = None,
) -> Path:
    """Snapshot the home's Prometheus and write the archive (mode 0600) to ``out`` (default:
    HOME/backups/agentwatch-<UTC timestamp>.tar.gz); the snapshot directory is removed after."""
    report = on_progress or (lambda progress: None)
    url = _check_url(prometheus_url)
    out = (out if out is not None else default_backup_path(home)).absolute()
    _check_out(out)
    if out.parent == home.root / "backups":
        out.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    elif not out.parent.is_dir():
        raise BackupError(
            f"--out {out}: directory {out.parent} does not exist", exit_code=EXIT_BAD_INPUT
        )

    report(BackupProgress("snapshot"))
    name = _take_snapshot(url, auth)
    snapshot_dir = home.prometheus_data / "snapshots" / name
    try:
        if not snapshot_dir.is_dir():
            raise BackupError(
                f"Prometheus at {url} wrote snapshot {name}, but {snapshot_dir} does not exist: "
                f"is {url} the Prometheus of the home {home.root}?"
            )
        files = list(_walk(snapshot_dir, "prometheus"))
        for part in PARTS[1:]:
            files.extend(_walk(part.target(home), part.name))
        try:
            _write_archive(home, out, snapshot=name, url=url, files=files, report=report)
        except OSError as exc:
            # A full disk, say: the partial archive is already gone; say so, no traceback.
            raise BackupError(
                f"cannot write the archive {out}: {exc.strerror or exc}; nothing was written"
            ) from None
    finally:
        shutil.rmtree(snapshot_dir, ignore_errors=True)
    try:
        AuditLog(home.audit_log).record(
            AuditAction.BACKUP,
            actor=_ACTOR_BACKUP,
            archive=str(out),
            snapshot=name,
            files=len(files),
            bytes=out.stat().st_size,
        )
    except OSError as exc:
        raise BackupError(f"the archive {out} is complete, but {exc}") from None
    return out


def _write_archive(
    home: StackHome,
    out: Path,
    *,
    snapshot: str,
    url: str,
    files: list[tuple[str, Path]],
    report: ProgressCallback,
) -> None:
    sizes = [path.stat().st_size for _, path in files]
    total = sum(sizes)
    pending = out.with_name(f".{out.name}.partial")
    fd = os.open(pending, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    listed: list[dict[str, Any]] = []
    done_bytes = 0
    try:
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            for index, ((arcname, path), size) in enumerate(zip(files, sizes, strict=True)):
                info = tarfile.TarInfo(arcname)
                st = path.stat()
                info.size = size
                info.mtime = int(st.st_mtime)
                info.mode = stat.S_IMODE(st.st_mode) & 0o755

                def on_bytes(count: int, index: int = index, arcname: str = arcname) -> None:
                    nonlocal done_bytes
                    done_bytes += count
                    report(BackupProgress("archive", index, len(files), done_bytes, total, arcname))

                with path.open("rb") as handle:
                    reader = _HashingReader(handle, on_bytes)
                    tar.addfile(info, reader)
                listed.append({"path": arcname, "size": size, "sha256": reader.digest.hexdigest()})
            manifest = {
                "format": FORMAT,
                "agentwatch_version": __version__,
                "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "home": str(home.root),
                "prometheus_url": url,
                "snapshot": snapshot,
                "files": listed,
                "secrets": _secrets_metadata(home),
                "not_archived": [_NOT_ARCHIVED],
            }
            data = (json.dumps(manifest, indent=2) + "\n").encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(time.time())
            info.mode = 0o600
            tar.addfile(info, _BytesReader(data))
            raw.flush()
            os.fsync(raw.fileno())
        os.chmod(pending, 0o600)
        os.replace(pending, out)
    except BaseException:
        pending.unlink(missing_ok=True)
        raise
    report(BackupProgress("done", len(files), len(files), total, total))


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self._data = data
        self._at = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._at + size
        chunk = self._data[self._at : end]
        self._at += len(chunk)
        return chunk
