"""Backup and restore of a stack home: a TSDB snapshot plus configuration and state, in one
``.tar.gz`` with a manifest of every file's size and sha256 (docs/backup.md).

The archive holds, under fixed top-level names:

- ``prometheus/``   the blocks of a snapshot taken through Prometheus' admin API
                    (restored as HOME/data/prometheus);
- ``alertmanager/`` Alertmanager's silences and notification log (HOME/data/alertmanager);
- ``alertmanager-2/`` the second Alertmanager's, with ``ha.enabled`` (HOME/data/alertmanager-2);
- ``config/``, ``rules/`` the generated configuration and rules;
- ``console/``, ``survey.jsonl`` the console's revoked sessions and the survey responses;
- ``manifest.json`` (last): version, time, snapshot name, the file list, and the secrets'
  metadata (accounts, roles, the file's sha256). Secret values are never archived.

Restore checks every member before it writes anything: names inside the archive only, no
links or devices, each file listed in the manifest with a matching sha256. It extracts into a
staging directory in the home, then swaps each part into place; the parts it replaces are kept
as ``<name>.before-restore-<ts>`` until every part is in, and put back if one fails.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import stat
import tarfile
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from agentwatch import __version__
from agentwatch.clients import Auth, url_problem
from agentwatch.clients.prometheus_admin import PrometheusAdmin, PrometheusError
from agentwatch.exit_codes import EXIT_BAD_INPUT
from agentwatch.security import AuditAction, AuditLog, SecretsError, load_secrets

from ._errors import AlreadyRunningError, StackError
from ._layout import StackHome
from ._plan import PROMETHEUS
from ._state import HomeLock, read_state

__all__ = [
    "MANIFEST",
    "BackupError",
    "BackupInvalidError",
    "BackupProgress",
    "RestoreReport",
    "create_backup",
    "default_backup_path",
    "read_manifest",
    "restore_backup",
    "running_prometheus_url",
]

MANIFEST = "manifest.json"
_FORMAT = 1
_CHUNK = 1 << 20
# What reading a damaged archive raises (gzip.BadGzipFile is an OSError).
_READ_ERRORS = (tarfile.TarError, OSError, EOFError, zlib.error)
_ACTOR_BACKUP = "agentwatch backup"
_ACTOR_RESTORE = "agentwatch restore"
_NOT_ARCHIVED = (
    "secret values (HOME/secrets): back up secrets.json separately; only its sha256 and the "
    "account names and roles are recorded here"
)


class BackupError(StackError):
    """A backup or restore that could not be done (exit 1 unless bad input)."""


class BackupInvalidError(BackupError):
    """The archive is not a sound agentwatch backup: it names the member or file at fault."""

    exit_code = EXIT_BAD_INPUT


@dataclass(frozen=True)
class BackupProgress:
    """Where a backup or restore is: ``phase`` is snapshot, archive, verify, restore or done."""

    phase: str
    files_done: int = 0
    files_total: int = 0
    bytes_done: int = 0
    bytes_total: int = 0
    current: str = ""


ProgressCallback = Callable[[BackupProgress], None]


@dataclass(frozen=True)
class RestoreReport:
    snapshot: str
    created: str
    files: int
    bytes: int
    parts: tuple[str, ...]
    # True/False when both the archive and the home have secrets; None otherwise.
    secrets_match: bool | None


@dataclass(frozen=True)
class _Part:
    name: str  # the top-level name inside the archive
    target: Callable[[StackHome], Path]


# Order matters only for the swap: the TSDB first, the rest after.
_PARTS = (
    _Part("prometheus", lambda home: home.prometheus_data),
    _Part("alertmanager", lambda home: home.alertmanager_data),
    # The second Alertmanager's (ha.enabled); absent from a home that never ran one.
    _Part("alertmanager-2", lambda home: home.alertmanager_2_data),
    _Part("config", lambda home: home.config_dir),
    _Part("rules", lambda home: home.rules_dir),
    _Part("console", lambda home: home.root / "console"),
    _Part("survey.jsonl", lambda home: home.root / "survey.jsonl"),
)
_PART_NAMES = tuple(part.name for part in _PARTS)


def _utc_stamp(now: float) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))


def default_backup_path(home: StackHome, now: float | None = None) -> Path:
    return (
        home.root
        / "backups"
        / f"agentwatch-{_utc_stamp(time.time() if now is None else now)}.tar.gz"
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


# --- backup -------------------------------------------------------------------------------


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


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _secrets_metadata(home: StackHome) -> dict[str, Any]:
    path = home.secrets.secrets_json
    if not path.exists():
        return {"present": False, "archived": False}
    meta: dict[str, Any] = {
        "present": True,
        "archived": False,
        "path": str(path),
        "sha256": _sha256_file(path),
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
        for part in _PARTS[1:]:
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
                "format": _FORMAT,
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


# --- validation ---------------------------------------------------------------------------


def _escapes(path: PurePosixPath) -> bool:
    """True when ``path`` (relative to the archive's root) leaves it."""
    depth = 0
    for part in path.parts:
        if part == "..":
            depth -= 1
            if depth < 0:
                return True
        elif part not in ("", "."):
            depth += 1
    return False


def _member_path(member: tarfile.TarInfo) -> PurePosixPath:
    name = member.name
    path = PurePosixPath(name)
    if not name or name.startswith("/") or path.is_absolute() or "\\" in name:
        raise BackupInvalidError(f"member {name!r}: an absolute path; refusing to restore")
    if ".." in path.parts:
        raise BackupInvalidError(f"member {name!r}: contains '..', it would escape the home")
    if member.issym() or member.islnk():
        kind = "symbolic link" if member.issym() else "hard link"
        target = PurePosixPath(member.linkname)
        base = path.parent if member.issym() else PurePosixPath()
        if target.is_absolute() or _escapes(base / target):
            raise BackupInvalidError(
                f"member {name!r}: a {kind} to {member.linkname!r}, outside the archive"
            )
        raise BackupInvalidError(
            f"member {name!r}: a {kind} to {member.linkname!r}; agentwatch backups hold no links"
        )
    if not (member.isfile() or member.isdir()):
        raise BackupInvalidError(f"member {name!r}: not a regular file or directory")
    parts = tuple(part for part in path.parts if part != ".")
    if not parts:
        raise BackupInvalidError(f"member {name!r}: an empty name")
    clean = PurePosixPath(*parts)
    if clean.as_posix() != MANIFEST and parts[0] not in _PART_NAMES:
        raise BackupInvalidError(
            f"member {name!r}: not part of an agentwatch backup (expected {MANIFEST} or "
            f"one of {', '.join(_PART_NAMES)})"
        )
    return clean


def _load_manifest(tar: tarfile.TarFile, member: tarfile.TarInfo, source: Path) -> dict[str, Any]:
    handle = tar.extractfile(member)
    if handle is None:
        raise BackupInvalidError(f"{source}: {MANIFEST} is not a regular file")
    try:
        data = json.loads(handle.read(16 << 20))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupInvalidError(f"{source}: {MANIFEST} is not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise BackupInvalidError(f"{source}: {MANIFEST}: expected a JSON object")
    if data.get("format") != _FORMAT:
        raise BackupInvalidError(
            f"{source}: {MANIFEST}: format {data.get('format')!r}, expected {_FORMAT}"
        )
    files = data.get("files")
    ok = isinstance(files, list) and all(
        isinstance(f, dict)
        and isinstance(f.get("path"), str)
        and isinstance(f.get("size"), int)
        and isinstance(f.get("sha256"), str)
        for f in files
    )
    if not ok or not isinstance(data.get("snapshot"), str):
        raise BackupInvalidError(
            f"{source}: {MANIFEST}: expected 'snapshot' (a name) and 'files' "
            "(a list of {path, size, sha256})"
        )
    return data


@contextlib.contextmanager
def _open_archive(archive: Path) -> Iterator[tarfile.TarFile]:
    if not archive.is_file():
        raise BackupInvalidError(f"{archive}: no such archive file")
    try:
        tar = tarfile.open(archive, mode="r:gz")  # noqa: SIM115 (closed below)
    except _READ_ERRORS as exc:
        raise BackupInvalidError(f"{archive}: not a .tar.gz archive ({exc})") from None
    with tar:
        yield tar


def _validated(
    tar: tarfile.TarFile, archive: Path
) -> tuple[dict[str, Any], list[tuple[tarfile.TarInfo, PurePosixPath, dict[str, Any]]]]:
    """The manifest and each file member with its manifest entry; raises on the first fault."""
    try:
        members = tar.getmembers()
    except _READ_ERRORS as exc:
        raise BackupInvalidError(f"{archive}: a damaged archive ({exc})") from None
    seen: dict[str, tarfile.TarInfo] = {}
    manifest_member = None
    for member in members:
        clean = _member_path(member)
        key = clean.as_posix()
        if key in seen and not member.isdir():
            raise BackupInvalidError(f"member {member.name!r}: appears twice in the archive")
        if key == MANIFEST:
            if not member.isfile():
                raise BackupInvalidError(f"member {member.name!r}: not a regular file")
            manifest_member = member
        elif member.isfile():
            seen[key] = member
    if manifest_member is None:
        raise BackupInvalidError(f"{archive}: {MANIFEST} is missing: not an agentwatch backup")
    manifest = _load_manifest(tar, manifest_member, archive)
    entries = {entry["path"]: entry for entry in manifest["files"]}
    for key in seen:
        if key not in entries:
            raise BackupInvalidError(f"member {key!r}: not listed in {MANIFEST}")
    out = []
    for key, entry in entries.items():
        found = seen.get(key)
        if found is None:
            raise BackupInvalidError(f"{MANIFEST} lists {key!r}, but the archive does not hold it")
        if found.size != entry["size"]:
            raise BackupInvalidError(
                f"member {key!r}: {found.size} bytes, {MANIFEST} says {entry['size']}"
            )
        out.append((found, PurePosixPath(key), entry))
    return manifest, out


def read_manifest(archive: Path) -> dict[str, Any]:
    """The manifest of a valid archive (every member checked, checksums not)."""
    with _open_archive(archive) as tar:
        manifest, _ = _validated(tar, archive)
    return manifest


def _extract(
    tar: tarfile.TarFile,
    files: list[tuple[tarfile.TarInfo, PurePosixPath, dict[str, Any]]],
    staging: Path,
    report: ProgressCallback,
) -> int:
    total = sum(member.size for member, _, _ in files)
    done = 0
    for index, (member, path, entry) in enumerate(files):
        dest = staging.joinpath(*path.parts)
        dest.parent.mkdir(parents=True, exist_ok=True)
        source = tar.extractfile(member)
        if source is None:  # pragma: no cover - isfile() was checked
            raise BackupInvalidError(f"member {path.as_posix()!r}: cannot be read")
        digest = hashlib.sha256()
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            while True:
                try:
                    chunk = source.read(_CHUNK)
                except _READ_ERRORS as exc:
                    raise BackupInvalidError(
                        f"member {path.as_posix()!r}: cannot be read ({exc})"
                    ) from None
                if not chunk:
                    break
                digest.update(chunk)
                try:
                    handle.write(chunk)
                except OSError as exc:
                    raise BackupError(f"cannot write {dest}: {exc.strerror}") from None
                done += len(chunk)
                report(BackupProgress("verify", index, len(files), done, total, path.as_posix()))
        if digest.hexdigest() != entry["sha256"]:
            raise BackupInvalidError(
                f"member {path.as_posix()!r}: sha256 {digest.hexdigest()} does not match "
                f"{MANIFEST} ({entry['sha256']}): the archive is damaged or was altered"
            )
        os.chmod(dest, (member.mode & 0o755) | 0o600)
    return total


# --- restore ------------------------------------------------------------------------------


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


def _swap(home: StackHome, staging: Path, stamp: str, parts: list[_Part]) -> None:
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
        stamp = _utc_stamp(time.time())
        staging = home.root / f".restore-{stamp}-{os.getpid()}"
        staging.mkdir(mode=0o700)
        try:
            with _open_archive(archive) as tar:
                manifest, files = _validated(tar, archive)
                total = _extract(tar, files, staging, report)
            (staging / "prometheus").mkdir(exist_ok=True)
            parts = [part for part in _PARTS if (staging / part.name).exists()]
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
    return bool(_sha256_file(path) == recorded["sha256"])
