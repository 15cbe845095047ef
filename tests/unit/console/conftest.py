"""Fixtures for the console's unit tests.

Prometheus and Alertmanager are stand-ins here (httpx.MockTransport handlers that answer
the same JSON shapes as the real APIs), acceptable for unit tests only: the real servers are
driven in tests/integration/test_console_browser.py.
"""

from __future__ import annotations

import json
import re
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

with warnings.catch_warnings():
    # Starlette 1.x asks for httpx2 in its TestClient; httpx (what the project pins) still
    # works, and the warning says nothing about the console.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from agentwatch.console import create_app
from agentwatch.security import AuditLog, Role, Secrets
from agentwatch.spec import Spec, parse_spec

__all__ = [
    "FakeAlertmanager",
    "FakePrometheus",
    "MakeClient",
    "Setup",
    "TestClient",
    "csrf_of",
    "log_in",
]

Labels = dict[str, str]


@dataclass
class FakePrometheus:
    """Answers instant queries from ``instant`` (PromQL -> [(labels, value)]) and range queries
    from ``ranges`` (PromQL -> [(labels, [(t, value)])]); anything else selects nothing."""

    instant: dict[str, list[tuple[Labels, float]]] = field(default_factory=dict)
    ranges: dict[str, list[tuple[Labels, list[tuple[float, float]]]]] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    down: bool = False
    auth: list[str | None] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        self.auth.append(request.headers.get("authorization"))
        query = request.url.params["query"]
        self.asked.append(query)
        if request.url.path == "/api/v1/query":
            result = [
                {"metric": labels, "value": [1.0, repr(value)]}
                for labels, value in self.instant.get(query, [])
            ]
            data = {"resultType": "vector", "result": result}
        else:
            result = [
                {"metric": labels, "values": [[t, repr(v)] for t, v in points]}
                for labels, points in self.ranges.get(query, [])
            ]
            data = {"resultType": "matrix", "result": result}
        return httpx.Response(200, json={"status": "success", "data": data})


@dataclass
class FakeAlertmanager:
    alerts: list[dict[str, Any]] = field(default_factory=list)
    silences: list[dict[str, Any]] = field(default_factory=list)
    down: bool = False
    posted: list[dict[str, Any]] = field(default_factory=list)

    def add_alert(self, **labels: str) -> str:
        fingerprint = uuid.uuid4().hex[:16]
        self.alerts.append(
            {
                "fingerprint": fingerprint,
                "labels": labels,
                "annotations": {"summary": f"{labels.get('alertname')} fired"},
                "startsAt": "2024-01-01T00:00:00Z",
                "status": {"state": "active", "silencedBy": [], "inhibitedBy": []},
            }
        )
        return fingerprint

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        path = request.url.path
        if request.method == "GET" and path == "/api/v2/alerts":
            return httpx.Response(200, json=self.alerts)
        if request.method == "GET" and path == "/api/v2/silences":
            return httpx.Response(200, json=self.silences)
        if request.method == "POST" and path == "/api/v2/silences":
            body = json.loads(request.content)
            self.posted.append(body)
            silence_id = str(uuid.uuid4())
            self.silences.append({**body, "id": silence_id, "status": {"state": "active"}})
            return httpx.Response(200, json={"silenceID": silence_id})
        found = re.match(r"^/api/v2/silence/(.+)$", path)
        if request.method == "DELETE" and found:
            for silence in self.silences:
                if silence["id"] == found.group(1):
                    silence["status"] = {"state": "expired"}
                    return httpx.Response(200)
            return httpx.Response(404, text="silence not found")
        return httpx.Response(404)


@dataclass
class Setup:
    prometheus: FakePrometheus
    alertmanager: FakeAlertmanager
    secrets: Secrets
    audit: AuditLog

    def password(self, role: Role) -> str:
        return next(a.password for a in self.secrets.users if a.role is role)


MakeClient = Callable[..., TestClient]


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    return Setup(
        FakePrometheus(), FakeAlertmanager(), Secrets.generate(), AuditLog(tmp_path / "audit.log")
    )


@pytest.fixture
def make_client(setup: Setup) -> Iterator[MakeClient]:
    clients: list[TestClient] = []

    def make(spec: Spec | None = None, **kwargs: Any) -> TestClient:
        options: dict[str, Any] = {
            "prometheus_url": "http://prometheus.test:9090",
            "alertmanager_url": "http://alertmanager.test:9093",
            "secrets": setup.secrets,
            "audit": setup.audit,
            "prometheus_transport": httpx.MockTransport(setup.prometheus),
            "alertmanager_transport": httpx.MockTransport(setup.alertmanager),
        }
        options.update(kwargs)
        app = create_app(spec or parse_spec({}), **options)
        # base_url on loopback, as the console is served; no redirects followed, so tests see
        # the 303s and 401s themselves.
        client = TestClient(app, base_url="http://127.0.0.1:8080", follow_redirects=False)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    return make_client()


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found is not None, "no CSRF token on the page"
    return found.group(1)


def log_in(client: TestClient, setup: Setup, role: Role) -> str:
    """Log in through the form as ``role``; the CSRF token of the new session."""
    page = client.get("/login")
    assert page.status_code == 200
    response = client.post(
        "/login",
        data={
            "username": role.value,
            "password": setup.password(role),
            "csrf_token": csrf_of(page.text),
            "next": "/",
        },
    )
    assert response.status_code == 303, response.text
    home = client.get("/api/session")
    assert home.status_code == 200
    token = home.json()["csrf_token"]
    assert isinstance(token, str)
    return token
