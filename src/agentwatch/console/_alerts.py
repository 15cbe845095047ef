"""The alerts view: what Alertmanager holds (firing, and silenced or inhibited) and its
silences, newest first."""

from __future__ import annotations

from dataclasses import dataclass

from agentwatch.clients.alertmanager import Alert, AlertmanagerAPI, Silence

__all__ = ["AlertsView", "read_alerts"]


@dataclass(frozen=True, slots=True)
class AlertsView:
    firing: tuple[Alert, ...]  # active (or just received): neither silenced nor inhibited
    suppressed: tuple[Alert, ...]  # silenced or inhibited
    silences: tuple[Silence, ...]  # active and pending
    expired: tuple[Silence, ...]


def read_alerts(api: AlertmanagerAPI) -> AlertsView:
    alerts = api.alerts()
    silences = api.silences()
    return AlertsView(
        firing=tuple(a for a in alerts if a.state in ("active", "unprocessed")),
        suppressed=tuple(a for a in alerts if a.state == "suppressed"),
        silences=tuple(s for s in silences if s.state in ("active", "pending")),
        expired=tuple(s for s in silences if s.state == "expired"),
    )
