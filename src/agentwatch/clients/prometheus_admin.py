"""Prometheus' admin API: a TSDB snapshot, what `agentwatch backup` archives; and what every
client of Prometheus shares. Apart from the query client (clients.prometheus), which needs
numpy, so that a backup loads none."""

from __future__ import annotations

from typing import ClassVar

from ._errors import PrometheusError
from ._http import Auth, HTTPService, Transport

__all__ = ["SNAPSHOT_PATH", "PrometheusAdmin", "PrometheusError", "PrometheusService"]

SNAPSHOT_PATH = "/api/v1/admin/tsdb/snapshot"


class PrometheusService(HTTPService):
    """A client of Prometheus (or of a server speaking its API): fails with PrometheusError."""

    name: ClassVar[str] = "Prometheus"
    url_kind: ClassVar[str] = "a Prometheus URL"
    error: ClassVar[type[PrometheusError]] = PrometheusError


class PrometheusAdmin(PrometheusService):
    """Client for the admin API of the Prometheus at ``url`` (it must run with
    --web.enable-admin-api). A snapshot of a large TSDB takes a while: hence the long timeout."""

    def __init__(
        self,
        url: str,
        *,
        auth: Auth | None = None,
        timeout: float = 120.0,
        transport: Transport | None = None,
    ) -> None:
        super().__init__(url, timeout=timeout, auth=auth, transport=transport)

    def snapshot(self) -> str:
        """Take a snapshot of the TSDB: the name of its directory under DATA/snapshots."""
        response = self._send("POST", SNAPSHOT_PATH)
        self._check_access(response)
        status = response.status_code
        if status in (404, 405):
            raise PrometheusError(
                f"Prometheus at {self.url} has no admin API (HTTP {status}): it must run "
                "with --web.enable-admin-api (`agentwatch up` starts it so)"
            )
        try:
            body = response.json()
        except ValueError:
            body = None
        if status != 200 or not isinstance(body, dict):
            raise PrometheusError(
                f"Prometheus at {self.url} did not take a snapshot (HTTP {status}): "
                f"{response.text[:300]}"
            )
        data = body.get("data")
        name = data.get("name") if isinstance(data, dict) else None
        if not isinstance(name, str) or not name or "/" in name or name.startswith("."):
            raise PrometheusError(
                f"Prometheus at {self.url} answered the snapshot request without a name"
            )
        return name
