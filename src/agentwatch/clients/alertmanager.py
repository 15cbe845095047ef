"""A small client for Alertmanager's API v2: alerts, silences, creating and expiring
silences. Errors are one exception type whose message names the server; the connection is made
as every agentwatch client makes it (agentwatch.clients.http_client)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, ClassVar

from ._errors import AlertmanagerError
from ._http import Auth, HTTPService, Response, Transport

__all__ = ["Alert", "AlertmanagerAPI", "AlertmanagerError", "Matcher", "Silence", "is_silence_id"]

# Alertmanager's silence ids are UUIDs; anything else is not sent on in a URL.
_SILENCE_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass(frozen=True, slots=True)
class Matcher:
    name: str
    value: str
    is_regex: bool = False
    is_equal: bool = True

    def text(self) -> str:
        op = (
            ("=~" if self.is_regex else "=") if self.is_equal else ("!~" if self.is_regex else "!=")
        )
        escaped = self.value.replace("\\", "\\\\").replace('"', '\\"')
        return f'{self.name}{op}"{escaped}"'

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "value": self.value,
            "isRegex": self.is_regex,
            "isEqual": self.is_equal,
        }


@dataclass(frozen=True, slots=True)
class Alert:
    fingerprint: str
    labels: dict[str, str]
    annotations: dict[str, str]
    state: str  # active, suppressed (silenced or inhibited), unprocessed
    silenced_by: tuple[str, ...]
    inhibited_by: tuple[str, ...]
    starts_at: str

    @property
    def name(self) -> str:
        return self.labels.get("alertname", "")


@dataclass(frozen=True, slots=True)
class Silence:
    id: str
    state: str  # active, pending, expired
    matchers: tuple[Matcher, ...]
    starts_at: str
    ends_at: str
    created_by: str
    comment: str

    @property
    def matcher_text(self) -> str:
        return ", ".join(m.text() for m in self.matchers)


def is_silence_id(text: str) -> bool:
    return bool(_SILENCE_ID.match(text))


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class AlertmanagerAPI(HTTPService):
    """Client for ``url``'s API v2. ``transport`` exists for tests."""

    name: ClassVar[str] = "Alertmanager"
    url_kind: ClassVar[str] = "an Alertmanager URL"
    error: ClassVar[type[AlertmanagerError]] = AlertmanagerError

    def __init__(
        self,
        url: str,
        *,
        auth: Auth | None = None,
        timeout: float = 5.0,
        transport: Transport | None = None,
    ) -> None:
        super().__init__(url, timeout=timeout, auth=auth, transport=transport)

    def _request(self, method: str, path: str, **kwargs: Any) -> Response:
        response = self._send(method, f"/api/v2{path}", **kwargs)
        self._check_access(response)
        if response.status_code in (502, 503, 504):
            raise AlertmanagerError(
                f"Alertmanager at {self.url} answered HTTP {response.status_code}",
                unreachable=True,
            )
        if response.status_code >= 400:
            detail = response.text.strip()[:300]
            raise AlertmanagerError(
                f"Alertmanager at {self.url} refused {method} {path} "
                f"(HTTP {response.status_code}): {detail}"
            )
        return response

    def _json(self, response: Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise AlertmanagerError(
                f"{self.url} answered HTTP {response.status_code} without JSON: "
                "is it an Alertmanager?"
            ) from None

    def alerts(self) -> list[Alert]:
        """Every alert Alertmanager holds: active, silenced and inhibited."""
        params = {"active": "true", "silenced": "true", "inhibited": "true"}
        data = self._json(self._request("GET", "/alerts", params=params))
        try:
            return sorted((_alert(a) for a in data), key=lambda a: (a.name, a.fingerprint))
        except (KeyError, TypeError, AttributeError):
            raise AlertmanagerError(
                f"{self.url} answered /api/v2/alerts with {data!r:.200}"
            ) from None

    def silences(self) -> list[Silence]:
        """Every silence, active and pending first, then the expired ones, newest first."""
        data = self._json(self._request("GET", "/silences"))
        try:
            found = [_silence(s) for s in data]
        except (KeyError, TypeError, AttributeError):
            raise AlertmanagerError(
                f"{self.url} answered /api/v2/silences with {data!r:.200}"
            ) from None
        order = {"active": 0, "pending": 1, "expired": 2}
        found.sort(key=lambda s: s.ends_at, reverse=True)
        return sorted(found, key=lambda s: order.get(s.state, 3))

    def create_silence(
        self,
        matchers: tuple[Matcher, ...],
        *,
        duration: float,
        created_by: str,
        comment: str,
        now: dt.datetime | None = None,
    ) -> str:
        """The new silence's id."""
        start = now or dt.datetime.now(dt.UTC)
        body = {
            "matchers": [m.to_json() for m in matchers],
            "startsAt": _iso(start),
            "endsAt": _iso(start + dt.timedelta(seconds=duration)),
            "createdBy": created_by,
            "comment": comment,
        }
        data = self._json(self._request("POST", "/silences", json=body))
        silence_id = data.get("silenceID") if isinstance(data, dict) else None
        if not isinstance(silence_id, str):
            raise AlertmanagerError(f"{self.url} answered a new silence with {data!r:.200}")
        return silence_id

    def expire_silence(self, silence_id: str) -> None:
        if not is_silence_id(silence_id):
            raise ValueError(f"{silence_id!r} is not a silence id")
        self._request("DELETE", f"/silence/{silence_id}")


def _alert(data: dict[str, Any]) -> Alert:
    status = data.get("status") or {}
    return Alert(
        fingerprint=str(data["fingerprint"]),
        labels={str(k): str(v) for k, v in data["labels"].items()},
        annotations={str(k): str(v) for k, v in (data.get("annotations") or {}).items()},
        state=str(status.get("state", "unprocessed")),
        silenced_by=tuple(str(s) for s in status.get("silencedBy") or ()),
        inhibited_by=tuple(str(s) for s in status.get("inhibitedBy") or ()),
        starts_at=str(data.get("startsAt", "")),
    )


def _silence(data: dict[str, Any]) -> Silence:
    return Silence(
        id=str(data["id"]),
        state=str((data.get("status") or {}).get("state", "")),
        matchers=tuple(
            Matcher(
                str(m["name"]),
                str(m["value"]),
                bool(m.get("isRegex", False)),
                bool(m.get("isEqual", True)),
            )
            for m in data["matchers"]
        ),
        starts_at=str(data.get("startsAt", "")),
        ends_at=str(data.get("endsAt", "")),
        created_by=str(data.get("createdBy", "")),
        comment=str(data.get("comment", "")),
    )
