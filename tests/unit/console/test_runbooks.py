"""The console's runbook page: every alert's default runbook_url lands on its section, and
every role may read it (the link in a browser: test_console_browser.py)."""

from __future__ import annotations

import re

import pytest

from agentwatch.generate.rule_tree import rule_files
from agentwatch.security import Role, basic_header
from agentwatch.spec import Spec

from .conftest import MakeClient, Setup, TestClient


def _rule_runbook_urls(spec: Spec) -> set[str]:
    urls: set[str] = set()
    for content in rule_files(spec).values():
        urls |= set(re.findall(r"runbook_url: (\S+)", str(content)))
        urls |= set(re.findall(r"'runbook_url': '([^']+)'", str(content)))
    return urls


@pytest.mark.parametrize("role", [Role.EXECUTIVE, Role.TECHNICAL, Role.ADMIN, Role.SERVICE])
def test_every_role_reads_the_runbooks(client: TestClient, setup: Setup, role: Role) -> None:
    account = next(a for a in setup.secrets.accounts() if a.role is role)
    page = client.get(
        "/runbooks", headers={"Authorization": basic_header(account.username, account.password)}
    )
    assert page.status_code == 200
    assert '<h2 id="transportdown">TransportDown</h2>' in page.text


def test_without_credentials_a_browser_is_sent_to_log_in(client: TestClient) -> None:
    answer = client.get("/runbooks")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Frunbooks"


def test_every_alerts_default_runbook_url_has_its_section(client: TestClient, setup: Setup) -> None:
    spec = Spec()
    urls = _rule_runbook_urls(spec)
    assert len(urls) > 25
    technical = {"Authorization": basic_header("technical", setup.password(Role.TECHNICAL))}
    page = client.get("/runbooks", headers=technical).text
    ids = set(re.findall(r'<h2 id="([^"]+)"', page))
    for url in urls:
        base, _, anchor = url.partition("#")
        assert base == "http://127.0.0.1:8080/runbooks", url
        assert anchor in ids, url


def test_a_spec_can_point_the_runbooks_elsewhere(make_client: MakeClient) -> None:
    spec = Spec.model_validate(
        {"alerting": {"runbook_base_url": "https://wiki.example.com/runbooks"}}
    )
    urls = _rule_runbook_urls(spec)
    assert urls
    assert all(u.startswith("https://wiki.example.com/runbooks#") for u in urls)
