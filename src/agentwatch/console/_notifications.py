"""The notification log: what Alertmanager delivered to the console's web hook.

Alertmanager's default receiver is the console (``alerting.webhook_url`` unset), so every
notification lands somewhere a person sees: the Notifications page lists what was sent, when,
to which receiver, firing or resolved. The log keeps the latest notifications in memory and in
HOME/console/notifications.jsonl (so a restart keeps them); the console's /metrics counts them.

The payload is Alertmanager's web hook message, version 4
(https://prometheus.io/docs/alerting/latest/configuration/#webhook_config).
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from agentwatch.render import append_text, write_text

from ._metrics import NOTIFICATION_STATUSES

__all__ = [
    "KEEP",
    "Notification",
    "NotificationError",
    "NotificationLog",
    "NotifiedAlert",
    "parse_notification",
]

#: Notifications kept (in memory, and in the file after it is compacted).
KEEP = 500
_UNQUOTE = re.compile(r"\\(.)")


class NotificationError(ValueError):
    """A web hook body that is not an Alertmanager notification; the message names the field."""


@dataclass(frozen=True, slots=True)
class NotifiedAlert:
    alertname: str
    severity: str
    status: str
    summary: str
    runbook_url: str
    starts_at: str
    fingerprint: str


@dataclass(frozen=True, slots=True)
class Notification:
    received_at: float
    receiver: str
    status: str  # firing while any alert of the group fires, else resolved
    group_key: str
    alerts: tuple[NotifiedAlert, ...]
    truncated: int  # alerts Alertmanager left out (the receiver's max_alerts)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Notification:
        return cls(
            received_at=float(data["received_at"]),
            receiver=str(data["receiver"]),
            status=str(data["status"]),
            group_key=str(data["group_key"]),
            alerts=tuple(NotifiedAlert(**a) for a in data["alerts"]),
            truncated=int(data["truncated"]),
        )


def _field(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise NotificationError(f"{where}: no {key!r}")
    return data[key]


def _text(data: Mapping[str, Any], key: str, where: str) -> str:
    value = _field(data, key, where)
    if not isinstance(value, str):
        raise NotificationError(f"{where}.{key}: expected a string, got {type(value).__name__}")
    return value


def _strings(data: Mapping[str, Any], key: str, where: str) -> dict[str, str]:
    value = data.get(key, {})
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise NotificationError(f"{where}.{key}: expected an object of strings")
    return value


def _status(data: Mapping[str, Any], where: str) -> str:
    status = _text(data, "status", where)
    if status not in NOTIFICATION_STATUSES:
        raise NotificationError(f"{where}.status: expected firing or resolved, got {status!r}")
    return status


def _alert(data: object, where: str) -> NotifiedAlert:
    if not isinstance(data, dict):
        raise NotificationError(f"{where}: expected an object")
    labels = _strings(data, "labels", where)
    annotations = _strings(data, "annotations", where)
    return NotifiedAlert(
        alertname=labels.get("alertname", ""),
        severity=labels.get("severity", ""),
        status=_status(data, where),
        summary=annotations.get("summary", ""),
        runbook_url=annotations.get("runbook_url", ""),
        starts_at=str(data.get("startsAt", "")),
        fingerprint=str(data.get("fingerprint", "")),
    )


def parse_notification(body: bytes, received_at: float) -> Notification:
    """The notification in an Alertmanager web hook body, or NotificationError naming why not."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotificationError(f"the body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise NotificationError("expected a JSON object")
    version = data.get("version")
    if version != "4":
        raise NotificationError(f"version: expected web hook version 4, got {version!r}")
    alerts = _field(data, "alerts", "notification")
    if not isinstance(alerts, list):
        raise NotificationError("alerts: expected a list")
    truncated = data.get("truncatedAlerts", 0)
    if not isinstance(truncated, int) or truncated < 0:
        raise NotificationError("truncatedAlerts: expected a count")
    return Notification(
        received_at=received_at,
        # Alertmanager sends the receiver's name as a regular expression (regexp.QuoteMeta):
        # "web\\.hook" for web.hook.
        receiver=_UNQUOTE.sub(r"\1", _text(data, "receiver", "notification")),
        status=_status(data, "notification"),
        group_key=_text(data, "groupKey", "notification"),
        alerts=tuple(_alert(a, f"alerts[{i}]") for i, a in enumerate(alerts)),
        truncated=truncated,
    )


class NotificationLog:
    """The latest KEEP notifications, newest last; appended to ``path`` when given.

    The file is compacted to the latest KEEP lines whenever it holds twice that, so it stays
    bounded however long the stack runs.
    """

    def __init__(self, path: Path | None, *, keep: int = KEEP) -> None:
        self._path = path
        self._keep = keep
        self._lock = threading.Lock()
        self._entries: deque[Notification] = deque(maxlen=keep)
        self._lines = 0
        if path is not None and path.exists():
            self._load(path)

    def _load(self, path: Path) -> None:
        for line in path.read_text(encoding="utf-8").splitlines():
            self._lines += 1
            try:
                self._entries.append(Notification.from_json(json.loads(line)))
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a full disk: the others still count

    def add(self, notification: Notification) -> None:
        with self._lock:
            self._entries.append(notification)
            if self._path is None:
                return
            self._lines += 1
            if self._lines >= 2 * self._keep:
                write_text(self._path, "".join(_line(n) for n in self._entries), mode=0o600)
                self._lines = len(self._entries)
            else:
                append_text(self._path, _line(notification))

    def latest(self, limit: int = KEEP) -> list[Notification]:
        """Up to ``limit`` notifications, newest first."""
        with self._lock:
            return list(reversed(self._entries))[:limit]


def _line(notification: Notification) -> str:
    return json.dumps(notification.to_json(), separators=(",", ":")) + "\n"
