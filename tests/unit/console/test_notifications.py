"""The console's web hook receiver and notification log (Alertmanager delivers real payloads
to it in tests/integration/test_notifications.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agentwatch.console._notifications import (
    Notification,
    NotificationError,
    NotificationLog,
    parse_notification,
)
from agentwatch.security import Role, basic_header

from .conftest import MakeClient, Setup, TestClient

HOOK = "/api/alerts/webhook"


def payload(status: str = "firing", receiver: str = "web\\.hook", **extra: Any) -> dict[str, Any]:
    """A notification as Alertmanager 0.25 sends it (webhook_config, version 4)."""
    return {
        "version": "4",
        "groupKey": '{}:{alertname="TransportDown"}',
        "truncatedAlerts": 0,
        "status": status,
        "receiver": receiver,
        "groupLabels": {"alertname": "TransportDown"},
        "commonLabels": {"alertname": "TransportDown", "severity": "critical"},
        "commonAnnotations": {},
        "externalURL": "http://127.0.0.1:9093",
        "alerts": [
            {
                "status": status,
                "labels": {"alertname": "TransportDown", "severity": "critical", "job": "t"},
                "annotations": {
                    "summary": "The transport exporter is down",
                    "runbook_url": "http://127.0.0.1:8080/runbooks#transportdown",
                },
                "startsAt": "2026-12-08T03:00:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://127.0.0.1:9090/graph",
                "fingerprint": "a1b2c3d4e5f60718",
            }
        ],
        **extra,
    }


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_notification_with_the_token_is_logged_shown_and_counted(
    client: TestClient, setup: Setup
) -> None:
    token = setup.secrets.alert_webhook_token
    answer = client.post(HOOK, json=payload(), headers=bearer(token))
    assert (answer.status_code, answer.json()) == (200, {"received": 1})
    client.post(HOOK, json=payload("resolved"), headers=bearer(token))

    technical = {"Authorization": basic_header("technical", setup.password(Role.TECHNICAL))}
    listed = client.get("/api/notifications", headers=technical).json()["notifications"]
    assert [(n["receiver"], n["status"]) for n in listed] == [
        ("web.hook", "resolved"),
        ("web.hook", "firing"),
    ]
    assert listed[1]["alerts"][0]["runbook_url"].endswith("#transportdown")
    page = client.get("/notifications", headers=technical).text
    assert "TransportDown" in page
    assert 'href="http://127.0.0.1:8080/runbooks#transportdown"' in page
    metrics = client.get("/metrics", headers=technical).text
    assert (
        'agentwatch_console_notifications_total{receiver="web.hook",status="firing"} 1.0' in metrics
    )


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-the-token"},
        {"Authorization": "Token abc"},
    ],
)
def test_only_the_web_hook_token_opens_the_web_hook(
    client: TestClient, setup: Setup, headers: dict[str, str]
) -> None:
    assert client.post(HOOK, json=payload(), headers=headers).status_code == 401


def test_a_console_users_password_does_not_open_the_web_hook(
    client: TestClient, setup: Setup
) -> None:
    admin = {"Authorization": basic_header("admin", setup.password(Role.ADMIN))}
    assert client.post(HOOK, json=payload(), headers=admin).status_code == 401


def test_the_page_says_where_notifications_go_and_what_an_empty_log_means(
    client: TestClient, setup: Setup
) -> None:
    technical = {"Authorization": basic_header("technical", setup.password(Role.TECHNICAL))}
    page = client.get("/notifications", headers=technical).text
    assert "delivers to\nthis console" in page
    assert "a healthy system sends none" in page
    executive = {"Authorization": basic_header("executive", setup.password(Role.EXECUTIVE))}
    assert client.get("/notifications", headers=executive).status_code == 403


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"version": "3"}, "version: expected web hook version 4, got '3'"),
        ({"status": "pending"}, "notification.status: expected firing or resolved"),
        ({"alerts": {}}, "alerts: expected a list"),
        ({"alerts": [{"status": "firing", "labels": []}]}, "alerts[0].labels: expected an object"),
        ({"receiver": 7}, "notification.receiver: expected a string, got int"),
    ],
)
def test_a_body_that_is_no_notification_is_refused_naming_the_field(
    client: TestClient, setup: Setup, change: dict[str, Any], complaint: str
) -> None:
    token = setup.secrets.alert_webhook_token
    answer = client.post(HOOK, json={**payload(), **change}, headers=bearer(token))
    assert answer.status_code == 400
    assert complaint in answer.json()["error"]
    with pytest.raises(NotificationError, match="not JSON"):
        parse_notification(b"{", 0.0)


def test_the_log_survives_a_restart(make_client: MakeClient, setup: Setup, tmp_path: Path) -> None:
    token = setup.secrets.alert_webhook_token
    make_client(home=tmp_path).post(HOOK, json=payload(), headers=bearer(token))
    again = make_client(home=tmp_path)
    technical = {"Authorization": basic_header("technical", setup.password(Role.TECHNICAL))}
    listed = again.get("/api/notifications", headers=technical).json()["notifications"]
    assert [n["status"] for n in listed] == ["firing"]
    assert (tmp_path / "console" / "notifications.jsonl").stat().st_mode & 0o077 == 0


def test_the_log_file_stays_bounded_and_keeps_the_latest(tmp_path: Path) -> None:
    path = tmp_path / "notifications.jsonl"
    log = NotificationLog(path, keep=5)
    body = json.dumps(payload()).encode()
    for second in range(23):
        log.add(parse_notification(body, float(second)))
    assert len(path.read_text().splitlines()) < 10
    reread = NotificationLog(path, keep=5).latest()
    assert [n.received_at for n in reread] == [22.0, 21.0, 20.0, 19.0, 18.0]
    assert all(isinstance(n, Notification) for n in reread)


def test_every_receiver_is_counted_from_zero(client: TestClient, setup: Setup) -> None:
    """So Prometheus has the series before the first notification, and rate() sees it."""
    technical = {"Authorization": basic_header("technical", setup.password(Role.TECHNICAL))}
    metrics = client.get("/metrics", headers=technical).text
    for receiver in ("web.hook", "security", "voice", "executive"):
        for status in ("firing", "resolved"):
            labels = f'receiver="{receiver}",status="{status}"'
            assert f"agentwatch_console_notifications_total{{{labels}}} 0.0" in metrics
