"""Reading an archive safely: every member is checked before anything is extracted (a name
inside the archive, no links or devices, listed in the manifest with its size), and each file
is extracted only into the staging directory given, its sha256 checked against the manifest."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tarfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from ._format import (
    CHUNK,
    FORMAT,
    MANIFEST,
    PART_NAMES,
    READ_ERRORS,
    BackupError,
    BackupInvalidError,
    BackupProgress,
    ProgressCallback,
)

__all__ = ["ArchiveFile", "extract", "open_archive", "read_manifest", "validated"]

#: A file member, its checked path, and its manifest entry.
ArchiveFile = tuple[tarfile.TarInfo, PurePosixPath, dict[str, Any]]


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
    if clean.as_posix() != MANIFEST and parts[0] not in PART_NAMES:
        raise BackupInvalidError(
            f"member {name!r}: not part of an agentwatch backup (expected {MANIFEST} or "
            f"one of {', '.join(PART_NAMES)})"
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
    if data.get("format") != FORMAT:
        raise BackupInvalidError(
            f"{source}: {MANIFEST}: format {data.get('format')!r}, expected {FORMAT}"
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
def open_archive(archive: Path) -> Iterator[tarfile.TarFile]:
    if not archive.is_file():
        raise BackupInvalidError(f"{archive}: no such archive file")
    try:
        tar = tarfile.open(archive, mode="r:gz")  # noqa: SIM115 (closed below)
    except READ_ERRORS as exc:
        raise BackupInvalidError(f"{archive}: not a .tar.gz archive ({exc})") from None
    with tar:
        yield tar


def validated(tar: tarfile.TarFile, archive: Path) -> tuple[dict[str, Any], list[ArchiveFile]]:
    """The manifest and each file member with its manifest entry; raises on the first fault."""
    try:
        members = tar.getmembers()
    except READ_ERRORS as exc:
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
    with open_archive(archive) as tar:
        manifest, _ = validated(tar, archive)
    return manifest


def extract(
    tar: tarfile.TarFile,
    files: list[ArchiveFile],
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
                    chunk = source.read(CHUNK)
                except READ_ERRORS as exc:
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
