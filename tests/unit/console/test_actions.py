"""Silences and acknowledgements: what the console sends Alertmanager (stand-in, see
conftest), who may do it, and what the audit log keeps."""

from __future__ import annotations

import datetime as dt

import pytest

from agentwatch.console._access import BadInputError
from agentwatch.console._actions import ACK_SECONDS
from agentwatch.console._input import parse_matchers
from agentwatch.security import Role, basic_header

from .conftest import Setup, TestClient, log_in


def _seconds(body: dict[str, object]) -> float:
    starts = dt.datetime.fromisoformat(str(body["startsAt"]).replace("Z", "+00:00"))
    ends = dt.datetime.fromisoformat(str(body["endsAt"]).replace("Z", "+00:00"))
    return (ends - starts).total_seconds()


def test_an_admin_silences_an_alert_on_exactly_its_labels(client: TestClient, setup: Setup) -> None:
    fingerprint = setup.alertmanager.add_alert(
        alertname="AgentDown", severity="critical", agent_type="security"
    )
    csrf = log_in(client, setup, Role.ADMIN)
    response = client.post(
        "/alerts/silence",
        data={
            "csrf_token": csrf,
            "fingerprint": fingerprint,
            "duration": "4h",
            "comment": "maintenance",
        },
    )
    assert response.status_code == 303
    (body,) = setup.alertmanager.posted
    assert body["matchers"] == [
        {"name": "agent_type", "value": "security", "isRegex": False, "isEqual": True},
        {"name": "alertname", "value": "AgentDown", "isRegex": False, "isEqual": True},
        {"name": "severity", "value": "critical", "isRegex": False, "isEqual": True},
    ]
    assert body["createdBy"] == "admin"
    assert body["comment"] == "maintenance"
    assert _seconds(body) == 4 * 3600
    silence_id = setup.alertmanager.silences[0]["id"]
    assert response.headers["location"] == f"/alerts?done=silenced&silence={silence_id}"
    page = client.get(response.headers["location"])
    assert f"Silence {silence_id} created." in page.text
    entry = list(setup.audit.entries())[-1]
    assert entry["action"] == "silence_created"
    assert entry["actor"] == "admin"
    assert entry["silence_id"] == silence_id
    assert entry["matchers"] == (
        'agent_type="security", alertname="AgentDown", severity="critical"'
    )


def test_acknowledging_is_an_hour_long_silence_saying_who(client: TestClient, setup: Setup) -> None:
    fingerprint = setup.alertmanager.add_alert(alertname="QueueBackup", severity="warning")
    csrf = log_in(client, setup, Role.ADMIN)
    response = client.post("/alerts/ack", data={"csrf_token": csrf, "fingerprint": fingerprint})
    assert response.status_code == 303
    (body,) = setup.alertmanager.posted
    assert body["comment"] == "acknowledged by admin"
    assert _seconds(body) == ACK_SECONDS == 3600
    assert list(setup.audit.entries())[-1]["action"] == "alert_acknowledged"


def test_an_alert_that_is_gone_is_a_400_and_nothing_is_created(
    client: TestClient, setup: Setup
) -> None:
    csrf = log_in(client, setup, Role.ADMIN)
    response = client.post("/alerts/ack", data={"csrf_token": csrf, "fingerprint": "abc"})
    assert response.status_code == 400
    assert "no alert with fingerprint" in response.text
    assert setup.alertmanager.posted == []


def test_a_new_silence_from_matchers_and_its_expiry(client: TestClient, setup: Setup) -> None:
    csrf = log_in(client, setup, Role.ADMIN)
    created = client.post(
        "/silences",
        data={
            "csrf_token": csrf,
            "matchers": 'alertname="AgentDown", agent_type=~"web|db"',
            "duration": "2h",
            "comment": "planned",
        },
    )
    assert created.status_code == 303
    (body,) = setup.alertmanager.posted
    assert body["matchers"] == [
        {"name": "alertname", "value": "AgentDown", "isRegex": False, "isEqual": True},
        {"name": "agent_type", "value": "web|db", "isRegex": True, "isEqual": True},
    ]
    silence_id = setup.alertmanager.silences[0]["id"]
    assert silence_id in client.get("/alerts").text
    expired = client.post("/silences/expire", data={"csrf_token": csrf, "silence_id": silence_id})
    assert expired.status_code == 303
    assert setup.alertmanager.silences[0]["status"]["state"] == "expired"
    assert [e["action"] for e in setup.audit.entries()] == [
        "login",
        "silence_created",
        "silence_expired",
    ]


def test_alertmanager_refusing_is_shown_not_a_500(client: TestClient, setup: Setup) -> None:
    csrf = log_in(client, setup, Role.ADMIN)
    response = client.post(
        "/silences/expire",
        data={"csrf_token": csrf, "silence_id": "0b7a4e1a-1111-4222-8333-944455556666"},
    )
    assert response.status_code == 502
    assert "refused DELETE" in response.text
    assert "silence not found" in response.text


@pytest.mark.parametrize("role", [Role.EXECUTIVE, Role.TECHNICAL])
def test_only_admins_may_silence(client: TestClient, setup: Setup, role: Role) -> None:
    fingerprint = setup.alertmanager.add_alert(alertname="AgentDown")
    csrf = log_in(client, setup, role)
    response = client.post("/alerts/ack", data={"csrf_token": csrf, "fingerprint": fingerprint})
    assert response.status_code == 403
    assert setup.alertmanager.posted == []


def test_scripts_create_and_expire_silences_over_json(client: TestClient, setup: Setup) -> None:
    header = {"Authorization": basic_header("admin", setup.password(Role.ADMIN))}
    csrf = client.get("/api/session", headers=header).json()["csrf_token"]
    created = client.post(
        "/api/silences",
        headers={**header, "X-CSRF-Token": csrf},
        json={
            "matchers": [{"name": "alertname", "value": "AgentDown"}],
            "duration": "30m",
            "comment": "from a script",
        },
    )
    assert created.status_code == 201
    silence_id = created.json()["silenceID"]
    assert _seconds(setup.alertmanager.posted[0]) == 1800
    gone = client.delete(f"/api/silences/{silence_id}", headers={**header, "X-CSRF-Token": csrf})
    assert gone.status_code == 204
    assert setup.alertmanager.silences[0]["status"]["state"] == "expired"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "at least one"),
        ("alertname=AgentDown", "expected name"),
        ('alertname="a" severity="b"', "expected name"),
        ('alertname=""', "non-empty"),
        ('alertname=~".*"', "non-empty"),
        ('1bad="x"', "expected name"),
    ],
)
def test_matchers_that_do_not_parse_or_match_everything_are_refused(
    text: str, problem: str
) -> None:
    with pytest.raises(BadInputError, match=problem):
        parse_matchers(text)


def test_matchers_keep_escaped_quotes_and_operators() -> None:
    found = parse_matchers(r'summary="say \"hi\"", team!="ops", job!~"x.*"')
    assert [(m.name, m.value, m.is_regex, m.is_equal) for m in found] == [
        ("summary", 'say "hi"', False, True),
        ("team", "ops", False, False),
        ("job", "x.*", True, False),
    ]
    assert found[0].text() == r'summary="say \"hi\""'
