"""What each view shows, from what the stand-in Prometheus and Alertmanager answer (see
conftest): the numbers with their exact values, "no data" where nothing was answered, a clear
status when a source is down, Grafana links, and the JSON API."""

from __future__ import annotations

import math
import re

import pytest

from agentwatch import catalog
from agentwatch.analytics.capacity import FIRST_FORECAST_HISTORY
from agentwatch.analytics.flow import flow_query
from agentwatch.analytics.slo_status import BURN_COLUMNS
from agentwatch.console import _queries as q
from agentwatch.console._business import BUSINESS_FAMILIES
from agentwatch.console._capacity import forecast_wait
from agentwatch.console._format import fmt_time
from agentwatch.security import Role, basic_header
from agentwatch.spec import parse_spec

from .conftest import MakeClient, Setup, TestClient

NOW = 1_700_000_000.0


def admin(setup: Setup) -> dict[str, str]:
    return {"Authorization": basic_header("admin", setup.password(Role.ADMIN))}


def cell(html: str, agent_type: str, metric: str) -> tuple[str, str]:
    """(data-value, shown text) of one number on an agent type's card."""
    card = re.search(rf'data-agent-type="{agent_type}">(.*?)</article>', html, re.S)
    assert card is not None, agent_type
    found = re.search(
        rf'data-metric="{metric}" data-value="([^"]*)" data-query="[^"]*" title="[^"]*">([^<]*)<',
        card.group(1),
    )
    assert found is not None, (agent_type, metric)
    return found.group(1), found.group(2)


def test_the_overview_shows_every_agent_type_with_the_numbers_prometheus_answered(
    client: TestClient, setup: Setup
) -> None:
    p = setup.prometheus
    p.instant[q.HEALTH_BY_TYPE] = [({"agent_type": "director"}, 91.25), ({"agent_type": "web"}, 42)]
    p.instant[q.AGENTS_PER_TYPE] = [({"agent_type": "director"}, 2), ({"agent_type": "web"}, 1)]
    p.instant[q.THROUGHPUT] = [({"agent_type": "director"}, 1234.5)]
    p.instant[q.P99] = [({"agent_type": "director"}, 0.0421)]
    p.instant[q.ERROR_RATIO] = [({"agent_type": "director"}, 0.00125)]
    p.instant[q.AVAILABILITY] = [({}, 0.99875)]
    # A type the spec does not list still gets its card, after the spec's types.
    p.instant[q.HEALTH_BY_TYPE].append(({"agent_type": "zz_custom"}, 77.0))
    html = client.get("/overview", headers=admin(setup)).text
    assert cell(html, "director", "health") == ("91.25", "91.2")
    assert cell(html, "director", "throughput") == ("1234.5", "1.23k/s")
    assert cell(html, "director", "p99") == ("0.0421", "42.1 ms")
    assert cell(html, "director", "error_ratio") == ("0.00125", "0.125%")
    assert cell(html, "web", "health") == ("42.0", "42")
    assert cell(html, "web", "throughput") == ("NaN", "–")
    assert cell(html, "voice", "health") == ("NaN", "–")
    assert 'data-agent-type="web">' in html
    assert re.search(r'class="card bad" data-agent-type="web"', html), "42 < 50 is unhealthy"
    assert re.search(r'class="card quiet" data-agent-type="voice"', html)
    order = re.findall(r'data-agent-type="([^"]+)"', html)
    assert order[: len(parse_spec({}).agent_types)] == list(parse_spec({}).agent_types)
    assert order[-1] == "zz_custom"
    assert 'data-metric="availability" data-value="0.99875"' in html


def test_prometheus_is_asked_with_the_service_account(client: TestClient, setup: Setup) -> None:
    client.get("/overview", headers=admin(setup))
    service = setup.secrets.service
    assert setup.prometheus.auth
    assert set(setup.prometheus.auth) == {basic_header(service.username, service.password)}


@pytest.mark.parametrize("path", ["/overview", "/slos", "/capacity", "/flow", "/business"])
def test_prometheus_down_is_a_clear_status_not_a_500(
    client: TestClient, setup: Setup, path: str
) -> None:
    setup.prometheus.down = True
    page = client.get(path, headers=admin(setup))
    assert page.status_code == 200
    assert "Prometheus unreachable at http://prometheus.test:9090" in page.text
    api = client.get(f"/api{path}", headers=admin(setup))
    assert api.status_code == 502
    assert "Prometheus unreachable at http://prometheus.test:9090" in api.json()["error"]


def test_alertmanager_down_is_a_clear_status(client: TestClient, setup: Setup) -> None:
    setup.alertmanager.down = True
    page = client.get("/alerts", headers=admin(setup))
    assert page.status_code == 200
    assert "Alertmanager unreachable at http://alertmanager.test:9093" in page.text


def test_alerts_are_split_into_firing_and_silenced_with_their_silences(
    client: TestClient, setup: Setup
) -> None:
    am = setup.alertmanager
    am.add_alert(alertname="AgentDown", severity="critical", agent_type="security")
    am.add_alert(alertname="QueueBackup", severity="warning")
    am.alerts[1]["status"] = {"state": "suppressed", "silencedBy": ["s-1"], "inhibitedBy": []}
    am.silences.append(
        {
            "id": "0b7a4e1a-1111-4222-8333-944455556666",
            "status": {"state": "active"},
            "matchers": [{"name": "alertname", "value": "QueueBackup", "isRegex": False}],
            "startsAt": "2024-01-01T00:00:00Z",
            "endsAt": "2024-01-01T02:00:00Z",
            "createdBy": "admin",
            "comment": "deploying <b>now</b>",
        }
    )
    html = client.get("/alerts", headers=admin(setup)).text
    firing = html.split('id="firing"')[1].split('id="suppressed"')[0]
    suppressed = html.split('id="suppressed"')[1].split('id="silences"')[0]
    assert 'data-alertname="AgentDown"' in firing
    assert 'data-alertname="QueueBackup"' in suppressed
    assert "Firing (1)" in html
    assert 'alertname="QueueBackup"' in html.replace("&#34;", '"')
    # Values from Alertmanager are escaped, never markup.
    assert "deploying &lt;b&gt;now&lt;/b&gt;" in html
    assert "<b>now</b>" not in html
    assert 'action="/silences/expire"' in html


def test_the_technical_role_sees_alerts_without_any_action(
    client: TestClient, setup: Setup
) -> None:
    setup.alertmanager.add_alert(alertname="AgentDown", severity="critical")
    header = {"Authorization": basic_header("technical", setup.password(Role.TECHNICAL))}
    html = client.get("/alerts", headers=header).text
    assert 'data-alertname="AgentDown"' in html
    assert "/alerts/ack" not in html
    assert "/alerts/silence" not in html
    assert "New silence" not in html


def test_slos_show_budget_left_and_burn_rates_per_window(client: TestClient, setup: Setup) -> None:
    p = setup.prometheus
    ids = {"sloth_id": "agentwatch-availability", "sloth_slo": "availability"}
    p.instant[q.BUDGET_REMAINING] = [(ids, 0.625)]
    p.instant[q.PERIOD_BURN] = [(ids, 0.375)]
    for column in BURN_COLUMNS:
        p.instant[column.query] = [(ids, 20.0 if column.label == "1h" else 0.5)]
    html = client.get("/slos", headers=admin(setup)).text
    row = re.search(r'data-slo="availability".*?</tr>', html, re.S)
    assert row is not None
    text = row.group(0)
    assert 'data-metric="budget_remaining" data-value="0.625"' in text
    assert 'data-metric="burn_period" data-value="0.375"' in text
    # 20x over 1h is above the 14.4x page threshold; 0.5 anywhere is not.
    assert re.search(r'data-metric="burn_1h" data-value="20.0" class="bad"', text)
    assert re.search(r'data-metric="burn_6h" data-value="0.5" class=""', text)
    latency = re.search(r'data-slo="latency".*?</tr>', html, re.S)
    assert latency is not None
    assert 'data-metric="budget_remaining" data-value="NaN"' in latency.group(0)


def test_capacity_shows_recommendations_and_draws_each_forecast(
    make_client: MakeClient, setup: Setup
) -> None:
    client = make_client(clock=lambda: NOW)
    p = setup.prometheus
    p.instant[q.SCALING] = [
        ({"resource": "web", "action": "scale_up", "priority": "medium"}, 4),
        ({"resource": "compute_nodes", "action": "scale_up", "priority": "high"}, 36),
    ]
    p.instant[q.UTILIZATION] = [({"resource_type": "cpu"}, 0.42)]
    p.instant[q.CAPACITY_RUN] = [({"part": "capacity"}, NOW - 600)]
    p.instant[q.FORECASTS] = [
        ({"resource_type": "cpu", "horizon": h, "bound": b}, v)
        for h, base in (("1h", 0.5), ("6h", 0.6), ("1w", 0.9))
        for b, v in (("lower", base - 0.1), ("mean", base), ("upper", base + 0.1))
    ]
    p.ranges[q.RESOURCE_HISTORY["cpu"]] = [
        ({}, [(NOW - 3600 + 300 * i, 0.4 + 0.01 * i) for i in range(12)])
    ]
    html = client.get("/capacity", headers=admin(setup)).text
    rows = re.findall(r'<tr data-resource="([^"]+)"><td class="priority (\w+)">', html)
    assert rows == [("compute_nodes", "high"), ("web", "medium")]
    cpu = re.search(r'<figure data-resource="cpu">(.*?)</figure>', html, re.S)
    assert cpu is not None
    assert 'class="line history"' in cpu.group(1)
    assert 'class="line forecast"' in cpu.group(1)
    assert 'class="interval"' in cpu.group(1)
    # 1h and 6h are drawn; the week is listed, not drawn.
    assert cpu.group(1).count('class="dot forecast"') == 2
    assert "1w: 0.9 [0.8, 1]" in cpu.group(1)
    memory = re.search(r'<figure data-resource="memory">(.*?)</figure>', html, re.S)
    assert memory is not None
    assert "no data" in memory.group(1)
    assert "No forecast yet: the first needs 4 h of history, and Prometheus holds none" in (
        memory.group(1)
    )


def test_the_flow_view_draws_the_busiest_edges(client: TestClient, setup: Setup) -> None:
    setup.prometheus.instant[flow_query("5m")] = [
        ({"source_agent": "external", "target_agent": "director", "message_type": "request"}, 5.0),
        ({"source_agent": "director", "target_agent": "<web>", "message_type": "task"}, 2.5),
    ]
    html = client.get("/flow", headers=admin(setup)).text
    assert html.count('class="edge"') == 2
    assert "external → director (request): 5/s" in html
    assert "&lt;web&gt;" in html
    assert "<web>" not in html
    assert "Only send: external" in html


def test_business_metrics_are_shown_or_said_to_be_unrecorded(
    make_client: MakeClient, setup: Setup
) -> None:
    client = make_client(parse_spec({"business": {"baseline_commits_per_hour": 2}}))
    setup.prometheus.instant[catalog.DEVELOPMENT_VELOCITY.name] = [({}, 3.5)]
    setup.prometheus.instant[catalog.EFFICIENCY_GAINS.name] = [({}, 0.75)]
    exec_header = {"Authorization": basic_header("executive", setup.password(Role.EXECUTIVE))}
    html = client.get("/business", headers=exec_header).text
    assert len(re.findall(r"<tr data-metric=", html)) == len(BUSINESS_FAMILIES) == 11
    velocity = re.search(r'data-metric="claude_development_velocity">(.*?)</tr>', html, re.S)
    assert velocity is not None
    assert 'data-value="3.5"' in velocity.group(1)
    gains = re.search(r'data-metric="claude_efficiency_gains">(.*?)</tr>', html, re.S)
    assert gains is not None
    assert 'data-value="0.75"' in gains.group(1)
    # cost reduction also needs engineer_hourly_cost_usd, unset here: not recorded, not asked.
    cost = re.search(r'data-metric="claude_cost_reduction">(.*?)</tr>', html, re.S)
    assert cost is not None
    assert "not recorded" in cost.group(1)
    assert catalog.COST_REDUCTION.name not in setup.prometheus.asked


def test_config_shows_the_effective_spec_to_admins_only(client: TestClient, setup: Setup) -> None:
    html = client.get("/config", headers=admin(setup)).text
    assert "listen_address: 127.0.0.1" in html
    assert "console: 8080" in html
    for account in setup.secrets.accounts():
        assert account.password not in html


def test_views_link_to_their_grafana_dashboard_when_grafana_is_given(
    make_client: MakeClient, setup: Setup
) -> None:
    with_grafana = make_client(grafana_url="http://grafana.test:3000/")
    html = with_grafana.get("/overview", headers=admin(setup)).text
    assert 'href="http://grafana.test:3000/d/agentwatch-system-overview"' in html
    assert (
        'href="http://grafana.test:3000/d/agentwatch-sli-slo"'
        in with_grafana.get("/slos", headers=admin(setup)).text
    )
    assert "Open in Grafana" not in with_grafana.get("/alerts", headers=admin(setup)).text
    without = make_client()
    assert "Open in Grafana" not in without.get("/overview", headers=admin(setup)).text


def test_the_api_returns_the_same_data_as_json_with_nan_as_null(
    client: TestClient, setup: Setup
) -> None:
    setup.prometheus.instant[q.HEALTH_BY_TYPE] = [({"agent_type": "director"}, 80.0)]
    data = client.get("/api/overview", headers=admin(setup)).json()
    director = next(r for r in data["rows"] if r["agent_type"] == "director")
    assert director["health"] == 80.0
    assert director["throughput"] is None
    assert data["availability"] is None
    assert not any(isinstance(v, float) and math.isnan(v) for v in director.values())


@pytest.mark.parametrize(
    ("start", "run_at", "expected"),
    [
        # 1 h held, runs every 15 min from NOW - 600: ready at NOW + 3 h, the run after it.
        (
            NOW - 3600,
            NOW - 600,
            "holds 1.0 h. The capacity part runs every 15 min, so the first forecast comes "
            f"at about {fmt_time(NOW - 600 + 13 * 900)}",
        ),
        (NOW - 3600, None, "the analytics service has not run its capacity part yet"),
        (NOW - 5 * 3600, NOW - 600, "the history is long enough, but the capacity run at"),
        (None, NOW - 600, "Prometheus holds none of this resource yet"),
    ],
)
def test_a_page_without_forecasts_says_what_they_wait_for_and_when(
    start: float | None, run_at: float | None, expected: str
) -> None:
    assert FIRST_FORECAST_HISTORY == 4 * 3600
    assert expected in forecast_wait(start, run_at, 900.0, NOW)
