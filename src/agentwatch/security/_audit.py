"""The audit log: one JSON object a line, appended, never rewritten (HOME/audit.log).

Each write is one ``write()`` on a file opened with O_APPEND, so lines from several
processes (the console, ``agentwatch up``, ``agentwatch backup``) never interleave, and a
write the disk has no room for leaves nothing behind (AuditWriteError says so).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from enum import StrEnum
from pathlib import Path

from agentwatch.render import append_text

__all__ = ["AuditAction", "AuditLog", "AuditWriteError"]

# A field value longer than this is cut: the log must not become a place to dump requests.
_MAX_FIELD = 512


class AuditAction(StrEnum):
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    SILENCE_CREATED = "silence_created"
    SILENCE_EXPIRED = "silence_expired"
    ALERT_ACKNOWLEDGED = "alert_acknowledged"
    CONFIG_CHANGED = "config_changed"
    SECRETS_CREATED = "secrets_created"
    BACKUP = "backup"
    RESTORE = "restore"


def _clean(value: object) -> object:
    if isinstance(value, str):
        # Control characters would let a crafted user name forge a second log line.
        text = "".join(ch if ch.isprintable() else "?" for ch in value)
        return text[:_MAX_FIELD]
    if isinstance(value, int | float | bool) or value is None:
        return value
    return _clean(str(value))


class AuditWriteError(OSError):
    """An entry could not be written (a full disk, say); nothing of it is in the log."""


class AuditLog:
    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._clock = clock
        self._lock = threading.Lock()

    def record(self, action: AuditAction, *, actor: str, **fields: object) -> None:
        entry: dict[str, object] = {
            "ts": round(self._clock(), 3),
            "action": action.value,
            "actor": _clean(actor),
        }
        entry.update({key: _clean(value) for key, value in fields.items()})
        line = json.dumps(entry, ensure_ascii=False, sort_keys=False) + "\n"
        with self._lock:
            try:
                append_text(self.path, line, mode=0o600)
            except OSError as exc:
                raise AuditWriteError(
                    f"cannot append to the audit log {self.path}: {exc.strerror or exc}"
                ) from exc

    def entries(self) -> Iterator[Mapping[str, object]]:
        """Every entry, oldest first; a line that is not JSON (a torn write after a crash)
        is skipped."""
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8", errors="replace") as lines:
            for line in lines:
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(entry, dict):
                    yield entry
