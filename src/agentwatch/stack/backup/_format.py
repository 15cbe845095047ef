"""What a backup archive is: its top-level parts and where each is restored, the manifest's
name and format, the progress reported, and the errors of backup and restore."""

from __future__ import annotations

import hashlib
import tarfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from agentwatch.exit_codes import EXIT_BAD_INPUT

from .._errors import StackError
from .._layout import StackHome

__all__ = [
    "CHUNK",
    "FORMAT",
    "MANIFEST",
    "PARTS",
    "PART_NAMES",
    "READ_ERRORS",
    "BackupError",
    "BackupInvalidError",
    "BackupProgress",
    "Part",
    "ProgressCallback",
    "sha256_file",
    "utc_stamp",
]

MANIFEST = "manifest.json"
FORMAT = 1
CHUNK = 1 << 20
# What reading a damaged archive raises (gzip.BadGzipFile is an OSError).
READ_ERRORS = (tarfile.TarError, OSError, EOFError, zlib.error)


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
class Part:
    name: str  # the top-level name inside the archive
    target: Callable[[StackHome], Path]


# Order matters only for the swap: the TSDB first, the rest after.
PARTS = (
    Part("prometheus", lambda home: home.prometheus_data),
    Part("alertmanager", lambda home: home.alertmanager_data),
    # The second Alertmanager's (ha.enabled); absent from a home that never ran one.
    Part("alertmanager-2", lambda home: home.alertmanager_2_data),
    Part("config", lambda home: home.config_dir),
    Part("rules", lambda home: home.rules_dir),
    Part("console", lambda home: home.root / "console"),
    Part("survey.jsonl", lambda home: home.root / "survey.jsonl"),
)
PART_NAMES = tuple(part.name for part in PARTS)


def utc_stamp(now: float) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()
