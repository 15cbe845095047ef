"""The whole foundation, as a user runs it: `agentwatch up --detach` with the simulated system
on the real Prometheus and Alertmanager, faults injected through the CLI, then `down`.
"""

from __future__ import annotations

import json
import os
import re
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from agentwatch import catalog
from agentwatch.catalog import MetricType, Origin, produced_by
from agentwatch.generate.dashboards import WAITING, as_promql, dashboards, panel_queries
from agentwatch.render import write_yaml
from agentwatch.spec import Ports, load_spec
from tests.integration.demo_stack import UP_TIMEOUT, DemoStack, running_demo_stack
from tests.integration.support import alive, free_ports, stack_ports, wait_until
from tests.unit.tools import check_metrics

DOCS = Path(__file__).parents[2] / "docs"

# pytest-timeout counts the first test's set-up: the stack's start with a day of history.
pytestmark = pytest.mark.timeout(UP_TIMEOUT + 300)

EXPORTER_ORIGINS = (
    Origin.AGENT_EXPORTER,
    Origin.TRANSPORT_EXPORTER,
    Origin.VOICE_EXPORTER,
    Origin.ANALYTICS_EXPORTER,
    Origin.TRACE_SAMPLER,
    Origin.FRAMEWORK_EXPORTER,
    Origin.OTLP_RECEIVER,
    Origin.AUTHENTICATION,
    Origin.CARDINALITY_GUARD,
    Origin.CONSOLE,
)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoStack]:
    # A day of simulated history first, as a user would start it: capacity forecasts need it.
    with running_demo_stack(tmp_path_factory.mktemp("e2e"), history="1d") as s:
        # One developer answers the survey, so satisfaction averages both of its sources.
        surveyed = s.cli("survey", "record", "4", "--home", str(s.home))
        assert surveyed.returncode == 0, surveyed.stdout + surveyed.stderr
        yield s


def test_every_job_is_scraped_and_alertmanager_is_connected(stack: DemoStack) -> None:
    def all_up() -> bool:
        targets = stack.get(f"{stack.prometheus}/api/v1/targets", timeout=10).json()
        active = targets["data"]["activeTargets"]
        jobs = {t["labels"]["job"] for t in active}
        expected = {
            "prometheus", "alertmanager", "agents", "transport-layer", "voice", "analytics",
            "claude-framework", "console",
        }  # fmt: skip
        return jobs == expected and all(t["health"] == "up" for t in active)

    wait_until(all_up, "every scrape target up", 60)
    ups = stack.query("up")
    assert ups
    assert all(float(u["value"][1]) == 1 for u in ups)
    managers = stack.get(f"{stack.prometheus}/api/v1/alertmanagers", timeout=10).json()
    assert managers["data"]["activeAlertmanagers"], managers


def test_status_reports_healthy(stack: DemoStack) -> None:
    status = stack.cli("status", "--home", str(stack.home))
    assert status.returncode == 0, status.stdout + status.stderr
    for component in (
        "Prometheus", "Alertmanager", "agent exporter", "transport exporter", "analytics exporter"
    ):  # fmt: skip
        assert component in status.stdout


def test_simulated_traffic_moves(stack: DemoStack) -> None:
    expr = "sum(agent_transport_messages_total)"
    wait_until(lambda: stack.scalar(expr) > 0, "transport counters", 90)
    first = stack.scalar(expr)
    wait_until(lambda: stack.scalar(expr) > first, "transport counters to grow", 30)
    assert stack.scalar("agent_transport_throughput_mps") > 0
    processed = "sum(rate(agent_messages_processed_total[30s]))"
    wait_until(lambda: stack.scalar(processed) > 0, "a processing rate over two scrapes", 60)


def test_faults_injected_through_the_cli_show_in_prometheus(stack: DemoStack) -> None:
    faults = [
        ("crash", "security-0", "10m"),
        ("unauthorized_access", "security", "10m"),
        ("voice_auth_failures", "voice", "10m"),
        ("audio_capture_anomaly", "voice", "10m"),
        ("emergency_flood", "director", "1m"),
    ]
    for kind, target, length in faults:
        sent = stack.cli(
            "fault", kind, "--target", target, "--for", length,
            "--config", str(stack.config),
        )  # fmt: skip
        assert sent.returncode == 0, sent.stdout + sent.stderr

    crashed = 'agent_status{agent_id="security-0",status="failed"} == 1'
    wait_until(lambda: bool(stack.query(crashed)), "the crashed agent to show failed", 90)
    assert stack.scalar('agent_health_score{agent_id="security-0"}') == 0
    for expr, what in (
        ("sum(agent_unauthorized_access_total)", "unauthorized access attempts"),
        ('sum(voice_biometric_auth_total{result="failure"})', "voice authentication failures"),
        ('sum(agent_transport_messages_total{msg_type="emergency"})', "emergency messages"),
    ):
        wait_until(lambda expr=expr: stack.scalar(expr) > 0, what)  # type: ignore[misc]


def test_an_injected_fault_reaches_the_webhook_through_alertmanager(stack: DemoStack) -> None:
    """The unauthorized_access fault injected above fires UnauthorizedAgentAccess in the real
    Prometheus, and the real Alertmanager routes it (security route) to the webhook."""

    wait_until(
        lambda: stack.firing_at_webhook("UnauthorizedAgentAccess"),
        "UnauthorizedAgentAccess at the webhook",
        120,
    )
    message = next(
        m
        for m in stack.notifications
        if m["groupLabels"].get("alertname") == "UnauthorizedAgentAccess"
    )
    assert message["receiver"] == "security"
    alert = message["alerts"][0]
    assert alert["labels"]["severity"] in ("critical", "warning")
    assert alert["labels"]["cluster"] == "local"
    assert alert["annotations"]["runbook_url"].endswith("#unauthorizedagentaccess")


# A capacity run that finds nothing to scale serves no scaling_recommendation series (at the
# simulated nightly trough, for one): its absence is an answer, once the capacity part has run.
_EMPTY_WHEN_NOTHING_TO_SCALE = catalog.SCALING_RECOMMENDATION.name


def _capacity_ran(stack: DemoStack) -> bool:
    ran = f'{catalog.ANALYTICS_RUN_TIMESTAMP_SECONDS.name}{{part="capacity"}}'
    return bool(stack.query(ran))


def test_every_dashboard_panel_this_system_feeds_returns_data(stack: DemoStack) -> None:
    """No "No data" panels: every panel query, as Grafana would send it, returns series from the
    live stack started with a day of history (after the faults above), except the panels
    listed as waiting for a later issue.
    """
    waiting = {(w.uid, w.title) for w in WAITING}
    queries = [
        q for q in panel_queries(dashboards(load_spec(stack.config)))
        if (q.uid, q.title) not in waiting
    ]  # fmt: skip
    assert len(queries) > 50
    empty: list[str] = []

    def all_answer() -> bool:
        empty[:] = [
            f"{q.uid} / {q.title}"
            for q in queries
            if not stack.query(as_promql(q.expr))
            and not (_EMPTY_WHEN_NOTHING_TO_SCALE in q.expr and _capacity_ran(stack))
        ]
        return not empty

    try:
        wait_until(all_answer, "every dashboard panel to return data", 150)
    except pytest.fail.Exception:
        pytest.fail("panels with no data: " + "; ".join(empty))


def test_exemplar_panels_link_to_traces_the_simulated_system_kept(stack: DemoStack) -> None:
    """Prometheus stores the exporters' exemplars (exemplar storage on), answers the exemplar
    query of each panel that asks for one, and each trace id leads to a kept trace."""
    queries = [
        q for q in panel_queries(dashboards(load_spec(stack.config))) if q.exemplar
    ]  # fmt: skip
    assert {q.uid for q in queries} == {
        "agentwatch-transport-layer",
        "agentwatch-agent-performance",
    }
    # (timestamp, trace id) of each panel's exemplars.
    found: dict[str, list[tuple[float, str]]] = {}

    def exemplars_for_every_panel() -> bool:
        now = time.time()
        for q in queries:
            response = stack.get(
                f"{stack.prometheus}/api/v1/query_exemplars",
                params={"query": as_promql(q.expr), "start": now - 300, "end": now},
                timeout=10,
            )
            response.raise_for_status()
            found[q.title] = [
                (float(e["timestamp"]), e["labels"]["trace_id"])
                for series in response.json()["data"]
                for e in series["exemplars"]
            ]
        return all(found.values())

    wait_until(exemplars_for_every_panel, "exemplars behind every exemplar panel", 90)
    for title, exemplars in found.items():
        # The newest: the simulation keeps only its last 2,000 traces (a few minutes).
        _, newest = max(exemplars)
        shown = stack.cli("traces", newest, "--config", str(stack.config))
        assert shown.returncode == 0, f"{title}: {shown.stdout}{shown.stderr}"
        assert "invoke_agent" in shown.stdout


def test_flow_prints_the_busiest_edges_of_the_live_system(stack: DemoStack) -> None:
    printed = stack.cli("flow", "--prometheus", stack.prometheus, "--window", "1m")
    assert printed.returncode == 0, printed.stdout + printed.stderr
    assert "top edges" in printed.stdout
    assert "agent types that send but never receive" in printed.stdout


def test_agents_rank_picks_capable_agents_with_their_definitions_quality(stack: DemoStack) -> None:
    """`lint` is the linter type's action; the example framework defines a `linter` agent, so
    its quality counts. The analytics exporter serves the same ranking as JSON."""
    printed = stack.cli(
        "agents", "rank", "--task-type", "lint", "--prometheus", stack.prometheus,
        "--window", "1m", "--json",
    )  # fmt: skip
    assert printed.returncode == 0, printed.stdout + printed.stderr
    ranking = json.loads(printed.stdout)
    agents = ranking["agents"]
    assert agents
    assert {a["agent_type"] for a in agents} == {"linter"}
    best = agents[0]
    assert best["eligible"]
    assert set(best["parts"]) == {"health", "reliability", "speed", "quality"}
    assert 0 < best["score"] <= 1
    served = stack.get(
        f"http://127.0.0.1:{stack.ports['analytics_exporter']}/api/v1/agents/rank",
        params={"task_type": "lint", "window": "1m"},
        timeout=30,
    )
    assert served.status_code == 200, served.text
    assert {a["agent_id"] for a in served.json()["agents"]} == {a["agent_id"] for a in agents}
    refused = stack.get(
        f"http://127.0.0.1:{stack.ports['analytics_exporter']}/api/v1/agents/rank",
        params={"window": "soon"},
        timeout=30,
    )
    assert refused.status_code == 400
    assert "window" in refused.json()["error"]


def test_every_family_this_issue_produces_is_queryable(stack: DemoStack) -> None:
    def series_names() -> set[str]:
        response = stack.get(f"{stack.prometheus}/api/v1/label/__name__/values", timeout=10)
        return set(response.json()["data"])

    expected = set()
    for origin in EXPORTER_ORIGINS:
        for family in produced_by(origin):
            suffix = "_bucket" if family.type is MetricType.HISTOGRAM else ""
            expected.add(family.name + suffix)
    expected.discard(_EMPTY_WHEN_NOTHING_TO_SCALE)
    wait_until(lambda: _capacity_ran(stack), "a capacity planning run", 90)

    wait_until(lambda: expected <= series_names(), "every exporter family in Prometheus", 90)


@pytest.mark.parametrize(
    "port_name",
    [
        "agent_exporter",
        "transport_exporter",
        "voice_exporter",
        "analytics_exporter",
        "framework_exporter",
    ],
)
def test_promtool_check_metrics_on_each_exporter(
    stack: DemoStack, port_name: str, promtool: Path
) -> None:
    body = stack.get(f"http://127.0.0.1:{stack.ports[port_name]}/metrics", timeout=10).content
    check_metrics(promtool, body)


# Every port that serves something beyond /healthz, and a path on it worth protecting.
_PROTECTED = {
    "prometheus": "/api/v1/query?query=up",
    "alertmanager": "/api/v2/alerts",
    "agent_exporter": "/metrics",
    "transport_exporter": "/metrics",
    "voice_exporter": "/metrics",
    "analytics_exporter": "/api/v1/agents/rank",
    "framework_exporter": "/metrics",
    "console": "/metrics",
}


def test_every_component_asks_for_credentials(stack: DemoStack) -> None:
    secrets = json.loads((stack.home / "secrets" / "secrets.json").read_text())
    executive = next(u for u in secrets["users"] if u["role"] == "executive")
    receiver = f"http://127.0.0.1:{stack.ports['otlp_http']}/v1/metrics"
    assert httpx.post(receiver, content=b"", timeout=10).status_code == 401
    for name, path in _PROTECTED.items():
        url = f"http://127.0.0.1:{stack.ports[name]}{path}"
        assert httpx.get(url, timeout=10).status_code == 401, url
        assert httpx.get(url, auth=("agentwatch", "wrong"), timeout=10).status_code == 401, url
        assert stack.get(url, timeout=10).status_code == 200, url
        if name.endswith("_exporter"):
            # An executive account is known but may not read raw metrics.
            who = (executive["username"], executive["password"])
            assert httpx.get(url, auth=who, timeout=10).status_code == 403, url
    # Two 401s and one 403 on the agent exporter, counted and scraped.
    counted = 'sum(agentwatch_auth_failures_total{component="agent exporter"})'
    wait_until(lambda: stack.scalar(counted) >= 3, "the refusals in Prometheus", 30)


def _doc_blocks(doc: Path, stack: DemoStack) -> tuple[str, list[str]]:
    """A runbook-style page's sh blocks (the first sets up the shell), with the default ports
    replaced by the stack's."""
    blocks = re.findall(r"^```sh\n(.*?)^```$", doc.read_text(), re.DOTALL | re.MULTILINE)
    defaults = Ports()
    for name, port in stack.ports.items():
        if name not in Ports.model_fields:
            continue  # the test's own ports (web hook receiver, fault control)
        blocks = [re.sub(rf"\b{getattr(defaults, name)}\b", str(port), b) for b in blocks]
    return blocks[0], blocks[1:]


def _run_doc(doc: Path, stack: DemoStack) -> None:
    """Every sh block of ``doc``, each after the set-up block, as a user's shell would."""
    prelude, blocks = _doc_blocks(doc, stack)
    assert len(blocks) >= 4, doc
    env = {
        **os.environ,
        "AGENTWATCH_HOME": str(stack.home),
        "AGENTWATCH_CONFIG": str(stack.config),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    for block in blocks:
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", prelude + block],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, f"{block}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"


def test_every_troubleshooting_command_works_against_the_stack(stack: DemoStack) -> None:
    _run_doc(DOCS / "troubleshooting.md", stack)
    # What the seeds' commands look at: a metric count, and the framework's quality score.
    counted = stack.cli("query", "count(count by (__name__) ({__name__=~\".+\"}))", "--json",
                        "--config", str(stack.config))  # fmt: skip
    assert counted.returncode == 0, counted.stderr
    assert json.loads(counted.stdout)["value"] > 50


def test_every_maintenance_routine_runs_against_the_stack(stack: DemoStack) -> None:
    _run_doc(DOCS / "operations.md", stack)
    reports = list((stack.home / "reports").glob("capacity-*.html"))
    assert reports
    assert "forecast" in reports[0].read_text().lower()


def test_query_exits_2_on_a_bad_query_and_1_when_prometheus_is_away(stack: DemoStack) -> None:
    config = ("--config", str(stack.config))
    assert stack.cli("query", "sum(", *config).returncode == 2
    ranged = stack.cli("query", "up[5m]", *config)
    assert ranged.returncode == 2
    assert "range vector" in ranged.stderr
    (free,) = free_ports(1)
    away = stack.cli("query", "up", "--prometheus", f"http://127.0.0.1:{free}")
    assert away.returncode == 1
    assert f"127.0.0.1:{free}" in away.stderr
    table = stack.cli("query", "sum by (job) (up)", *config)
    assert table.returncode == 0
    assert 'job="transport-layer"' in table.stdout


def test_secrets_are_private_and_nowhere_else(stack: DemoStack) -> None:
    directory = stack.home / "secrets"
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    for path in directory.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    secrets = json.loads((directory / "secrets.json").read_text())
    values = [
        secrets["service"]["password"],
        secrets["scrape_token"],
        secrets["pii_key"],
        secrets["session_key"],
        secrets["grafana_admin_password"],
        *(u["password"] for u in secrets["users"]),
    ]
    outside = [
        p for p in stack.home.rglob("*")
        if p.is_file() and directory not in p.parents and p.suffix in {".yml", ".json", ".log"}
    ]  # fmt: skip
    assert outside
    for path in outside:
        text = path.read_text(errors="replace")
        for value in values:
            assert value not in text, f"a secret is written in {path}"


def test_down_leaves_nothing_running(stack: DemoStack) -> None:
    run_dir = stack.home / "run"
    pids = [int(text) for p in run_dir.glob("*.pid") if (text := p.read_text().strip())]
    assert len(pids) >= 5  # supervisor, prometheus, alertmanager, simulated system, analytics
    stopped = stack.cli("down", "--home", str(stack.home))
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    wait_until(lambda: not any(alive(pid) for pid in pids), "every process to exit", 30)
    # Every port the stack used is free again (the webhook is this test's own server).
    for name, port in stack.ports.items():
        if name == "webhook":
            continue
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(("127.0.0.1", port))


def test_up_with_history_backfills_days_before_now(tmp_path: Path) -> None:
    # Every port free, not only the ones the test reads: with --no-demo the stack still starts
    # the console, the analytics service and the framework exporter.
    ports, (control,) = stack_ports(extra=1)
    config = tmp_path / "agentwatch.yaml"
    write_yaml(config, {"ports": ports, "simulation": {"control_port": control}})
    stack = DemoStack(tmp_path / "home", config, ports)
    started = stack.cli(
        "up", "--detach", "--no-demo", "--history", "3h",
        "--home", str(stack.home), "--config", str(config),
    )  # fmt: skip
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        assert "simulated history" in started.stdout
        two_hours_ago = time.time() - 2 * 3600
        response = stack.get(
            f"{stack.prometheus}/api/v1/query",
            params={"query": "count(agent_status)", "time": two_hours_ago},
            timeout=10,
        )
        result = response.json()["data"]["result"]
        assert result, "no backfilled agent_status two hours ago"
        # 28 agent types x 2 agents x 5 statuses
        assert float(result[0]["value"][1]) == 28 * 2 * 5
    finally:
        stopped = stack.cli("down", "--home", str(stack.home))
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr
