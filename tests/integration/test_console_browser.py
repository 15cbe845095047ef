"""The console in a real browser, against a real Prometheus and a real Alertmanager.

Prometheus holds five minutes of the series the overview and SLO views read (the recorded
series under the generated rules' names, written by promtool from OpenMetrics, ending a second
before it starts); Alertmanager holds one posted alert. The console runs as the stack runs it
(``python -m agentwatch console serve --home ... --config ... --prometheus ... --alertmanager
...`` with $AGENTWATCH_SECRETS), and headless Debian Chromium, driven by Playwright, logs in
as each role: the numbers on the page are the ones Prometheus answers for the same queries,
the pages fit a desktop and a phone, an executive gets 403 on the alerts view, and an admin
silences the alert through the page and finds it in Alertmanager's API.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from agentwatch import catalog
from agentwatch.catalog import recorded as rec
from agentwatch.clients.prometheus import PrometheusAPI
from agentwatch.generate.console_links import runbook_url
from agentwatch.security import SECRETS_ENV, Role, Secrets, ensure_secrets
from agentwatch.spec import load_spec

from .support import Server, free_ports, installed, prometheus_on_samples, start_server, wait_until

# Every test shares the module's one stack, so all of them run in the browser tier with the
# ones that drive Chromium: the stack starts once, and Chromium missing fails the module before
# the stack is started for nothing.
pytestmark = pytest.mark.usefixtures("chromium")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
AGENT_TYPES = ("director", "security", "web", "voice")  # voice reports nothing
STEP = 15
POINTS = 21  # five minutes

# What Prometheus holds, by series; each a constant over the five minutes.
HEALTH = {
    ("director-0", "director"): 90.0,
    ("director-1", "director"): 80.0,
    ("security-0", "security"): 35.0,
    ("web-0", "web"): 72.5,
}
PER_TYPE = {
    rec.AGENT_PROCESSED_RATE: {"director": 123.4, "security": 5.5, "web": 0.25},
    rec.AGENT_P99: {"director": 0.0425, "security": 1.75, "web": math.nan},
    rec.AGENT_ERROR_RATIO: {"director": 0.002, "security": 0.25, "web": 0.0},
}
SYSTEM = {
    rec.AVAILABILITY: ({}, 0.9985),
    rec.HEALTHY_RATIO: ({"job": "agents"}, 0.75),
    rec.TRANSPORT_MESSAGES_RATE: ({"job": "transport-layer", "direction": "out"}, 4321.0),
}
AVAILABILITY_SLO = {
    "sloth_id": "agentwatch-availability",
    "sloth_service": "agentwatch",
    "sloth_slo": "availability",
}
BUDGET_LEFT = 0.8125
# The queries the page must show under each metric, spelled from the catalog and the rules.
EXPECTED_QUERIES = {
    "health": f"avg by (agent_type) ({catalog.AGENT_HEALTH_SCORE.name})",
    "throughput": rec.AGENT_PROCESSED_RATE,
    "p99": rec.AGENT_P99,
    "error_ratio": rec.AGENT_ERROR_RATIO,
}
ALERT = {"alertname": "ConsoleBrowserTest", "severity": "critical", "agent_type": "security"}
RUNBOOK_OF = "SecurityAgentDown"  # the runbook the test alert links to
# Capacity: what the analytics exporter would serve, and a day of memory history.
RECOMMENDATIONS = {
    ("compute_nodes", "scale_up", "high"): 36.0,
    ("web", "scale_down", "low"): 1.0,
}
FORECASTS = {"1h": 0.52, "6h": 0.61, "1d": 0.66, "1w": 0.8}
MEMORY_LIMIT = 512 * 2**20
FLOW = {("external", "director", "request"): 4.0, ("director", "security", "task"): 1.5}


def _labels(labels: dict[str, str]) -> str:
    inner = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    return f"{{{inner}}}" if inner else ""


def _capacity(end: int) -> list[str]:
    """The capacity part's results, as gauges over the last five minutes, and a day of the
    two memory gauges the memory forecast's history is computed from, every five minutes."""
    times = [end - STEP * (POINTS - 1 - i) for i in range(POINTS)]
    lines = [f"# TYPE {catalog.SCALING_RECOMMENDATION.name} gauge"]
    for (resource, action, priority), target in RECOMMENDATIONS.items():
        labels = _labels({"resource": resource, "action": action, "priority": priority})
        lines += [f"{catalog.SCALING_RECOMMENDATION.name}{labels} {target} {t}" for t in times]
    lines.append(f"# TYPE {catalog.CAPACITY_FORECAST.name} gauge")
    for horizon, mean in FORECASTS.items():
        for bound, value in (("lower", mean - 0.05), ("mean", mean), ("upper", mean + 0.05)):
            labels = _labels({"resource_type": "memory", "horizon": horizon, "bound": bound})
            lines += [f"{catalog.CAPACITY_FORECAST.name}{labels} {value!r} {t}" for t in times]
    run = catalog.ANALYTICS_RUN_TIMESTAMP_SECONDS.name
    lines += [f"# TYPE {run} gauge", *(f'{run}{{part="capacity"}} {end - 60} {t}' for t in times)]
    day = [end - 300 * (287 - i) for i in range(288)]
    agent = _labels({"agent_id": "web-0", "agent_type": "web"})
    lines.append(f"# TYPE {catalog.AGENT_MEMORY_BYTES.name} gauge")
    lines += [
        f"{catalog.AGENT_MEMORY_BYTES.name}{agent} "
        f"{int(MEMORY_LIMIT * (0.45 + 0.1 * math.sin(2 * math.pi * i / 288)))} {t}"
        for i, t in enumerate(day)
    ]
    lines.append(f"# TYPE {catalog.AGENT_MEMORY_LIMIT_BYTES.name} gauge")
    lines += [f"{catalog.AGENT_MEMORY_LIMIT_BYTES.name}{agent} {MEMORY_LIMIT} {t}" for t in day]
    flow = catalog.MESSAGE_FLOW_MATRIX_TOTAL
    lines.append(f"# TYPE {flow.family} counter")
    for (sender, receiver, kind), rate in FLOW.items():
        labels = _labels({"source_agent": sender, "target_agent": receiver, "message_type": kind})
        lines += [f"{flow.name}{labels} {1000 + rate * STEP * i} {t}" for i, t in enumerate(times)]
    return lines


def _samples(end: int) -> list[str]:
    """OpenMetrics lines: each family's samples together, each series in time order."""
    times = [end - STEP * (POINTS - 1 - i) for i in range(POINTS)]
    families: dict[str, list[tuple[dict[str, str], float]]] = {
        catalog.AGENT_HEALTH_SCORE.name: [
            ({"agent_id": agent, "agent_type": kind}, value)
            for (agent, kind), value in HEALTH.items()
        ],
        **{
            name: [({"agent_type": kind}, value) for kind, value in values.items()]
            for name, values in PER_TYPE.items()
        },
        **{name: [labeled] for name, labeled in SYSTEM.items()},
        "slo:period_error_budget_remaining:ratio": [(AVAILABILITY_SLO, BUDGET_LEFT)],
    }
    lines = []
    for name, series in families.items():
        lines.append(f"# TYPE {name} gauge")
        for labels, value in series:
            text = "NaN" if math.isnan(value) else repr(value)
            lines += [f"{name}{_labels(labels)} {text} {t}" for t in times]
    return lines + _capacity(end)


@dataclass
class Stack:
    prometheus: Server
    alertmanager: Server
    console: Server
    home: Path
    secrets: Secrets


def _alertmanager(directory: Path) -> Server:
    (port,) = free_ports(1)
    config = directory / "alertmanager.yml"
    config.write_text('route:\n  receiver: "null"\nreceivers:\n  - name: "null"\n')
    return start_server(
        "alertmanager",
        [
            installed("prometheus-alertmanager"),
            f"--config.file={config}",
            f"--storage.path={directory / 'am-data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            # No gossip port: a lone Alertmanager needs no cluster, and it would bind 0.0.0.0.
            "--cluster.listen-address=",
        ],
        f"http://127.0.0.1:{port}",
        "/-/ready",
        directory / "alertmanager.log",
    )


def _post_alert(url: str, runbook: str) -> None:
    now = dt.datetime.now(dt.UTC)
    alert = {
        "labels": ALERT,
        "annotations": {"summary": "security agents keep failing", "runbook_url": runbook},
        "startsAt": now.isoformat(),
        "endsAt": (now + dt.timedelta(hours=1)).isoformat(),
    }
    httpx.post(f"{url}/api/v2/alerts", json=[alert], timeout=5).raise_for_status()
    wait_until(
        lambda: any(
            a["labels"] == ALERT for a in httpx.get(f"{url}/api/v2/alerts", timeout=5).json()
        ),
        "Alertmanager to hold the posted alert",
        20,
    )


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    directory = tmp_path_factory.mktemp("console")
    (directory / "prometheus").mkdir()
    prometheus = prometheus_on_samples(directory / "prometheus", _samples(int(time.time()) - 1))
    alertmanager = console = None
    try:
        alertmanager = _alertmanager(directory)
        (port,) = free_ports(1)
        config = directory / "agentwatch.yaml"
        config.write_text(f"ports:\n  console: {port}\nagent_types: [{', '.join(AGENT_TYPES)}]\n")
        # The runbook_url every generated alert carries by default: the console's page.
        _post_alert(alertmanager.url, runbook_url(load_spec(config), RUNBOOK_OF))
        home = directory / "home"
        secrets, files, _ = ensure_secrets(home)
        command = [
            sys.executable,
            "-m",
            "agentwatch",
            "console",
            "serve",
            "--home",
            str(home),
            "--config",
            str(config),
            "--prometheus",
            prometheus.url,
            "--alertmanager",
            alertmanager.url,
        ]
        # As the stack starts it: the secrets file named in the environment.
        with pytest.MonkeyPatch.context() as env:
            env.setenv(SECRETS_ENV, str(files.secrets_json))
            console = start_server(
                "console",
                command,
                f"http://127.0.0.1:{port}",
                "/healthz",
                directory / "console.log",
            )
        yield Stack(prometheus, alertmanager, console, home, secrets)
    finally:
        for server in (console, alertmanager, prometheus):
            if server is not None:
                server.stop()


@pytest.fixture(scope="module")
def browser(stack: Stack, chromium: Path) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        found = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield found
        finally:
            found.close()


def _password(stack: Stack, role: Role) -> str:
    return next(a.password for a in stack.secrets.users if a.role is role)


def _logged_in(browser: Browser, stack: Stack, role: Role, path: str, **context: object) -> Page:
    page = browser.new_context(**context).new_page()  # type: ignore[arg-type]
    page.goto(f"{stack.console.url}{path}")
    assert "/login?next=" in page.url
    page.fill("input[name=username]", role.value)
    page.fill("input[name=password]", _password(stack, role))
    page.click("form.login button[type=submit]")
    page.wait_for_url(f"{stack.console.url}{path}")
    return page


def _same(shown: str, expected: float) -> bool:
    value = float(shown)
    return math.isnan(expected) if math.isnan(value) else value == expected


def test_the_overview_shows_what_prometheus_answers(
    stack: Stack, browser: Browser, tmp_path: Path
) -> None:
    page = _logged_in(browser, stack, Role.TECHNICAL, "/overview", viewport=DESKTOP)
    cells = page.eval_on_selector_all(
        "[data-agent-type] [data-metric]",
        "els => els.map(e => [e.closest('[data-agent-type]').dataset.agentType,"
        " e.dataset.metric, e.dataset.value, e.dataset.query, e.textContent])",
    )
    assert {c[0] for c in cells} == set(AGENT_TYPES)
    service = stack.secrets.service
    with PrometheusAPI(
        stack.prometheus.url, auth=httpx.BasicAuth(service.username, service.password)
    ) as api:
        answers = {
            query: {s.labels["agent_type"]: s.value for s in api.query(query)}
            for query in EXPECTED_QUERIES.values()
        }
        system = {
            metric: api.value(query)
            for metric, query in (
                ("availability", rec.AVAILABILITY),
                ("healthy_ratio", f"min({rec.HEALTHY_RATIO})"),
                ("sent_rate", f"sum({rec.TRANSPORT_MESSAGES_RATE}{{{rec.SENT}}})"),
            )
        }
    assert len(cells) == 4 * len(AGENT_TYPES)
    for agent_type, metric, value, query, text in cells:
        assert query == EXPECTED_QUERIES[metric]
        expected = answers[query].get(agent_type, math.nan)
        assert _same(value, expected), (agent_type, metric, value, expected)
        if math.isnan(expected):
            assert text == "–"
    # The values came from the samples, through Prometheus, to the page.
    shown = {(c[0], c[1]): float(c[2]) for c in cells}
    assert shown["director", "health"] == 85.0
    assert shown["security", "error_ratio"] == 0.25
    assert shown["director", "p99"] == 0.0425
    assert math.isnan(shown["voice", "throughput"])
    assert page.text_content('[data-agent-type="director"] [data-metric="p99"]') == "42.5 ms"
    assert page.text_content('[data-agent-type="director"] [data-metric="throughput"]') == "123/s"
    assert "bad" in (page.get_attribute('[data-agent-type="security"]', "class") or "")
    for metric, answer in system.items():
        value = page.get_attribute(f'.summary [data-metric="{metric}"]', "data-value")
        assert value is not None
        assert answer is not None
        assert float(value) == answer
    assert system["sent_rate"] == 4321.0
    page.screenshot(path=str(tmp_path / "overview-desktop.png"), full_page=True)
    # Four cards a row at 1280 px: the grid uses the width.
    tops = page.eval_on_selector_all("[data-agent-type]", "els => els.map(e => e.offsetTop)")
    assert tops[0] == tops[3]
    page.context.close()


def test_the_pages_fit_a_phone(stack: Stack, browser: Browser, tmp_path: Path) -> None:
    page = _logged_in(
        browser,
        stack,
        Role.TECHNICAL,
        "/overview",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
    )
    for path in ("/overview", "/alerts", "/slos", "/capacity", "/flow"):
        page.goto(f"{stack.console.url}{path}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than the phone"
        page.screenshot(path=str(tmp_path / f"{path.strip('/')}-phone.png"), full_page=True)
    page.goto(f"{stack.console.url}/overview")
    # One column of cards on a phone... two at most: each card is at least 165 px wide.
    lefts = set(page.eval_on_selector_all("[data-agent-type]", "els => els.map(e => e.offsetLeft)"))
    assert 1 <= len(lefts) <= 2
    page.screenshot(path=str(tmp_path / "overview-phone.png"), full_page=True)
    page.context.close()


def test_the_slo_budget_is_prometheus_own(stack: Stack, browser: Browser) -> None:
    page = _logged_in(browser, stack, Role.EXECUTIVE, "/slos", viewport=DESKTOP)
    value = page.get_attribute(
        '[data-slo="availability"] [data-metric="budget_remaining"]', "data-value"
    )
    assert value is not None
    assert float(value) == BUDGET_LEFT
    assert "81.25%" in (page.text_content('[data-slo="availability"]') or "")
    page.context.close()


def test_an_executive_gets_403_on_the_alerts_view(stack: Stack, browser: Browser) -> None:
    page = _logged_in(browser, stack, Role.EXECUTIVE, "/business", viewport=DESKTOP)
    response = page.goto(f"{stack.console.url}/alerts")
    assert response is not None
    assert response.status == 403
    assert "may not see" in (page.text_content("main") or "")
    assert page.locator('nav a[href="/alerts"]').count() == 0
    page.context.close()


def _silences(stack: Stack) -> list[dict[str, object]]:
    service = stack.secrets.service
    response = httpx.get(
        f"{stack.alertmanager.url}/api/v2/silences",
        auth=(service.username, service.password),
        timeout=5,
    )
    response.raise_for_status()
    found = response.json()
    assert isinstance(found, list)
    return found


def test_an_admin_silences_the_alert_through_the_page(
    stack: Stack, browser: Browser, tmp_path: Path
) -> None:
    page = _logged_in(browser, stack, Role.ADMIN, "/alerts", viewport=DESKTOP)
    alert = page.locator(f'article[data-alertname="{ALERT["alertname"]}"]')
    assert alert.count() == 1
    alert.locator("form.silence select[name=duration]").select_option("1h")
    alert.locator("form.silence input[name=comment]").fill("browser test")
    alert.locator("form.silence button").click()
    page.wait_for_url("**/alerts?done=silenced*")
    notice = page.text_content(".notice") or ""
    assert notice.startswith("Silence ")
    (created,) = [s for s in _silences(stack) if s["comment"] == "browser test"]
    assert created["createdBy"] == "admin"
    assert created["status"] == {"state": "active"}
    listed = created["matchers"]
    assert isinstance(listed, list)
    matchers = {(m["name"], m["value"]) for m in listed}
    assert matchers == set(ALERT.items())
    starts = dt.datetime.fromisoformat(str(created["startsAt"]).replace("Z", "+00:00"))
    ends = dt.datetime.fromisoformat(str(created["endsAt"]).replace("Z", "+00:00"))
    assert abs((ends - starts).total_seconds() - 3600) < 2
    assert str(created["id"]) in notice
    # The page lists the silence, and the alert under the silenced ones.
    row = page.locator(f'tr[data-silence-id="{created["id"]}"]')
    assert row.count() == 1
    suppressed = page.locator('section[aria-labelledby="suppressed"] article')
    assert suppressed.count() == 1
    assert suppressed.get_attribute("data-alertname") == ALERT["alertname"]
    page.screenshot(path=str(tmp_path / "alerts-desktop.png"), full_page=True)
    # Expiring it through the page ends it in Alertmanager.
    row.locator("button").click()
    page.wait_for_url("**/alerts?done=expired*")
    (expired,) = [s for s in _silences(stack) if s["id"] == created["id"]]
    assert expired["status"] == {"state": "expired"}
    page.context.close()
    actions = [
        (entry["action"], entry["actor"])
        for entry in map(json.loads, (stack.home / "audit.log").read_text().splitlines())
    ]
    assert ("login", "admin") in actions
    assert ("silence_created", "admin") in actions
    assert ("silence_expired", "admin") in actions


def test_the_runbook_link_of_a_firing_alert_opens_its_runbook(
    stack: Stack, browser: Browser, tmp_path: Path
) -> None:
    page = _logged_in(browser, stack, Role.TECHNICAL, "/alerts", viewport=DESKTOP)
    alert = page.locator(f'article[data-alertname="{ALERT["alertname"]}"]')
    alert.get_by_role("link", name="runbook").click()
    anchor = RUNBOOK_OF.lower()
    page.wait_for_url(f"{stack.console.url}/runbooks#{anchor}")
    section = page.locator(f"h2#{anchor}")
    assert section.text_content() == RUNBOOK_OF
    assert section.is_visible()
    assert "What to do." in (page.text_content("article.runbooks") or "")
    page.screenshot(path=str(tmp_path / "runbooks-desktop.png"))
    page.context.close()


def test_the_console_metrics_pass_promtool(stack: Stack, promtool: Path) -> None:
    text = httpx.get(
        f"{stack.console.url}/metrics",
        headers={"Authorization": f"Bearer {stack.secrets.scrape_token}"},
        timeout=5,
    ).text
    assert 'agentwatch_console_logins_total{outcome="success"}' in text
    checked = subprocess.run(
        [promtool, "check", "metrics"],
        input=text.encode(),
        capture_output=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout.decode() + checked.stderr.decode()


def test_capacity_shows_the_recommendations_and_draws_the_forecast(
    stack: Stack, browser: Browser, tmp_path: Path
) -> None:
    page = _logged_in(browser, stack, Role.TECHNICAL, "/capacity", viewport=DESKTOP)
    rows = page.eval_on_selector_all(
        "tr[data-resource]",
        "els => els.map(e => [e.dataset.resource, e.children[2].textContent,"
        " e.children[0].textContent, e.children[3].dataset.value])",
    )
    assert rows == [
        [resource, action, priority.upper(), repr(target)]
        for (resource, action, priority), target in RECOMMENDATIONS.items()
    ]
    memory = page.locator('figure[data-resource="memory"]')
    assert memory.locator("path.history").count() >= 1
    assert memory.locator("circle.dot.forecast").count() == 3  # 1h, 6h, 1d; 1w is listed
    assert memory.locator("path.interval").count() == 1
    assert "1w: 0.8 [0.75, 0.85]" in (memory.text_content() or "")
    # The history is the planner's memory expression, over the last day.
    points = memory.locator("path.history").first.get_attribute("d") or ""
    assert points.count("L") >= 200
    assert page.locator('figure[data-resource="cpu"] text', has_text="no data").count() == 1
    page.screenshot(path=str(tmp_path / "capacity-desktop.png"), full_page=True)
    page.goto(f"{stack.console.url}/flow")
    edges = page.eval_on_selector_all(
        "tbody tr", "els => els.map(e => [...e.children].slice(0, 3).map(c => c.textContent))"
    )
    assert sorted(map(tuple, edges)) == sorted(FLOW)
    assert page.locator("svg.flow path.edge").count() == len(FLOW)
    page.context.close()


def test_prometheus_down_is_shown_not_a_500(stack: Stack, browser: Browser) -> None:
    # Near the end: it stops the module's Prometheus.
    page = _logged_in(browser, stack, Role.TECHNICAL, "/overview", viewport=DESKTOP)
    stack.prometheus.stop()
    response = page.goto(f"{stack.console.url}/overview")
    assert response is not None
    assert response.status == 200
    banner = page.text_content(".problem") or ""
    assert f"Prometheus unreachable at {stack.prometheus.url}" in banner
    page.context.close()


def test_sigterm_stops_the_console_cleanly(stack: Stack) -> None:
    # Last: it stops the module's console, as `agentwatch down` would.
    stack.console.process.terminate()
    assert stack.console.process.wait(timeout=15) == 0
    log = stack.console.log.read_text()
    assert "Traceback" not in log
    assert "HTTP Request:" not in log  # httpx's per-query lines are kept out
