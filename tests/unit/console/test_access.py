"""Logging in, sessions and roles: 401 (or the login page) without credentials, 403 for a
role without the right, what each role sees, failed logins counted and audited, and the
console with authentication off. Stand-in Prometheus/Alertmanager (see conftest)."""

from __future__ import annotations

import re

import pytest

from agentwatch.console import VIEWS
from agentwatch.console._access import SESSION_COOKIE
from agentwatch.security import ROLE_PERMISSIONS, Role, basic_header
from agentwatch.spec import parse_spec

from .conftest import MakeClient, Setup, TestClient, csrf_of, log_in


def metric(client: TestClient, setup: Setup, name: str, **labels: str) -> float:
    """A sample of the console's own /metrics, read with the scrape bearer token."""
    text = client.get(
        "/metrics", headers={"Authorization": f"Bearer {setup.secrets.scrape_token}"}
    ).text
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        found = re.match(r"^([a-z_]+)\{([^}]*)\} (\S+)$", line)
        if found and found.group(1) == name:
            got = ",".join(sorted(found.group(2).split(",")))
            if got == wanted:
                return float(found.group(3))
    raise AssertionError(f"{name}{{{wanted}}} not in /metrics:\n{text}")


def refused(client: TestClient, setup: Setup, reason: str) -> float:
    return metric(
        client, setup, "agentwatch_auth_failures_total", component="console", reason=reason
    )


@pytest.mark.parametrize("path", ["/", "/overview", "/alerts", "/slos", "/config"])
def test_a_browser_without_a_session_is_sent_to_the_login_page(
    client: TestClient, setup: Setup, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={path.replace('/', '%2F')}"
    assert refused(client, setup, "missing") == 1


@pytest.mark.parametrize("path", ["/api/overview", "/api/session", "/metrics"])
def test_the_api_and_metrics_answer_401_without_credentials(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic ")
    assert "unauthorized" in response.json()["error"]


def test_a_wrong_basic_password_is_401_even_on_a_page(client: TestClient, setup: Setup) -> None:
    response = client.get("/overview", headers={"Authorization": basic_header("admin", "nope")})
    assert response.status_code == 401
    assert refused(client, setup, "invalid") == 1


@pytest.mark.parametrize("role", [Role.EXECUTIVE, Role.TECHNICAL, Role.ADMIN])
def test_each_role_sees_exactly_the_views_it_has_the_permission_for(
    client: TestClient, setup: Setup, role: Role
) -> None:
    header = {"Authorization": basic_header(role.value, setup.password(role))}
    for view in VIEWS:
        allowed = view.permission in ROLE_PERMISSIONS[role]
        page = client.get(f"/{view.slug}", headers=header)
        api = client.get(f"/api/{view.slug}", headers=header)
        assert page.status_code == (200 if allowed else 403), (role, view.slug)
        assert api.status_code == (200 if allowed else 403), (role, view.slug)
    session = client.get("/api/session", headers=header).json()
    assert session["role"] == role.value
    assert session["views"] == [v.slug for v in VIEWS if v.permission in ROLE_PERMISSIONS[role]]


def test_the_executive_sees_business_and_slos_and_gets_403_on_alerts(
    client: TestClient, setup: Setup
) -> None:
    log_in(client, setup, Role.EXECUTIVE)
    assert client.get("/").headers["location"] == "/slos"
    page = client.get("/alerts")
    assert page.status_code == 403
    assert "The executive role may not see or do this" in page.text
    nav = client.get("/business").text
    assert 'href="/business"' in nav
    assert 'href="/alerts"' not in nav
    assert refused(client, setup, "forbidden") == 1


def test_the_scrape_token_reads_metrics_and_a_person_needs_the_metrics_permission(
    client: TestClient, setup: Setup
) -> None:
    token = {"Authorization": f"Bearer {setup.secrets.scrape_token}"}
    assert client.get("/metrics", headers=token).status_code == 200
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    executive = basic_header("executive", setup.password(Role.EXECUTIVE))
    assert client.get("/metrics", headers={"Authorization": executive}).status_code == 403
    technical = basic_header("technical", setup.password(Role.TECHNICAL))
    body = client.get("/metrics", headers={"Authorization": technical}).text
    assert "agentwatch_console_logins_total" in body


def test_healthz_and_the_stylesheet_are_open(client: TestClient) -> None:
    for path in ("/healthz", "/health", "/-/healthy", "/-/ready"):
        assert (path, client.get(path).text) == (path, "ok\n")
    css = client.get("/static/console.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")


def test_a_login_sets_a_strict_http_only_cookie_and_is_audited(
    client: TestClient, setup: Setup
) -> None:
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "username": "technical",
            "password": setup.password(Role.TECHNICAL),
            "csrf_token": csrf_of(page.text),
            "next": "/flow",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/flow"
    cookie = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE)
    )
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Max-Age=28800" in cookie
    assert "Path=/" in cookie
    assert client.get("/flow").status_code == 200
    entries = list(setup.audit.entries())
    assert [(e["action"], e["actor"]) for e in entries] == [("login", "technical")]
    assert metric(client, setup, "agentwatch_console_logins_total", outcome="success") == 1


def test_a_failed_login_is_counted_audited_and_shows_the_form_again(
    client: TestClient, setup: Setup
) -> None:
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "username": "admin",
            "password": "guess",
            "csrf_token": csrf_of(page.text),
            "next": "/",
        },
    )
    assert response.status_code == 401
    assert "Wrong user name or password." in response.text
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    assert metric(client, setup, "agentwatch_console_logins_total", outcome="failure") == 1
    (entry,) = setup.audit.entries()
    assert entry["action"] == "login_failed"
    assert entry["actor"] == "admin"
    assert entry["client"] == "testclient"
    assert "guess" not in setup.audit.path.read_text()


def test_the_stack_service_account_cannot_log_in_through_the_form(
    client: TestClient, setup: Setup
) -> None:
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "username": setup.secrets.service.username,
            "password": setup.secrets.service.password,
            "csrf_token": csrf_of(page.text),
        },
    )
    assert response.status_code == 401


def test_logging_out_revokes_the_session(client: TestClient, setup: Setup) -> None:
    csrf = log_in(client, setup, Role.ADMIN)
    cookie = client.cookies[SESSION_COOKIE]
    response = client.post("/logout", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    client.cookies.set(SESSION_COOKIE, cookie)
    assert client.get("/overview").status_code == 303
    assert [e["action"] for e in setup.audit.entries()] == ["login", "logout"]


def test_a_tampered_cookie_is_refused_and_counted(client: TestClient, setup: Setup) -> None:
    log_in(client, setup, Role.TECHNICAL)
    cookie = client.cookies[SESSION_COOKIE]
    body, mac = cookie.split(".")
    client.cookies.set(SESSION_COOKIE, f"{body}.{mac[::-1]}")
    assert client.get("/overview").status_code == 303
    assert refused(client, setup, "invalid") == 1


def test_a_session_of_an_account_the_secrets_no_longer_have_is_refused(
    make_client: MakeClient, setup: Setup
) -> None:
    first = make_client()
    log_in(first, setup, Role.ADMIN)
    cookie = first.cookies[SESSION_COOKIE]
    renamed = type(setup.secrets)(
        **{
            **setup.secrets.__dict__,
            "users": tuple(a for a in setup.secrets.users if a.role is not Role.ADMIN),
        }
    )
    second = make_client(secrets=renamed)
    second.cookies.set(SESSION_COOKIE, cookie)
    assert second.get("/overview").status_code == 303


def test_with_auth_off_everyone_is_technical_read_only(make_client: MakeClient) -> None:
    client = make_client(parse_spec({"security": {"auth": False}}), secrets=None)
    assert client.get("/login").headers["location"] == "/"
    assert client.get("/").headers["location"] == "/overview"
    page = client.get("/alerts")
    assert page.status_code == 200
    assert "authentication is off: read-only" in page.text
    assert client.get("/config").status_code == 403
    session = client.get("/api/session").json()
    assert (session["user"], session["role"]) == ("anonymous", "technical")
    refused = client.post(
        "/silences",
        data={
            "csrf_token": session["csrf_token"],
            "matchers": 'a="b"',
            "duration": "1h",
            "comment": "x",
        },
    )
    assert refused.status_code == 403
    assert client.get("/metrics").status_code == 200
