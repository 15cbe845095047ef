"""HA in the local stack: two clustered Alertmanagers (and, optionally, two Prometheus
replicas) in the plan, the configs, the readiness and status probes, the state and backups."""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import psutil
import pytest
import yaml

from agentwatch.generate.prometheus import prometheus_config
from agentwatch.spec import Spec, parse_spec
from agentwatch.stack import (
    Binaries,
    Endpoint,
    StackHome,
    build_plan,
    read_state,
    stack_status,
)
from agentwatch.stack._configs import render_configs, validate_configs
from agentwatch.stack._health import ClusterView, Prober
from agentwatch.stack._plan import gossip_host
from agentwatch.stack._state import ComponentRecord, StackState, write_state
from agentwatch.stack.backup import create_backup, read_manifest

BINARIES = Binaries(
    prometheus=Path("/usr/bin/prometheus"),
    promtool=Path("/usr/bin/promtool"),
    alertmanager=Path("/usr/bin/prometheus-alertmanager"),
    amtool=Path("/usr/bin/amtool"),
)
HA = {"ha": {"enabled": True}}
REPLICAS = {"ha": {"enabled": True, "prometheus_replicas": True}}
# Replicas need no Alertmanager cluster: one Alertmanager takes their alerts as one too.
REPLICAS_ONLY = {"ha": {"prometheus_replicas": True}}


def test_ha_is_off_by_default_and_its_ports_follow_alertmanagers_own() -> None:
    spec = Spec()
    assert not spec.ha.enabled
    assert not spec.ha.prometheus_replicas
    assert spec.ha.peer_timeout == "15s"
    ports = spec.ports
    assert (ports.alertmanager_gossip, ports.alertmanager_2, ports.alertmanager_2_gossip) == (
        9094,
        9096,
        9097,
    )
    assert ports.prometheus_2 == 9098
    # The default web hook's port stays free for the receiver it names.
    assert 9095 not in ports.model_dump().values()


def test_the_ha_plan_runs_two_alertmanagers_that_gossip_on_loopback_only(tmp_path: Path) -> None:
    spec = parse_spec({"ha": {"enabled": True, "peer_timeout": "5s"}})
    plan = build_plan(spec, StackHome(tmp_path), BINARIES, config_path=None, demo=False)
    assert [c.name for c in plan.components] == [
        "prometheus", "alertmanager", "alertmanager-2", "analytics", "framework", "console"
    ]  # fmt: skip
    first, second = plan.components[1:3]
    assert first.argv == (
        "/usr/bin/prometheus-alertmanager",
        f"--config.file={tmp_path}/config/alertmanager.yml",
        f"--storage.path={tmp_path}/data/alertmanager",
        "--web.listen-address=127.0.0.1:9093",
        f"--web.config.file={tmp_path}/secrets/web.yml",
        "--cluster.listen-address=127.0.0.1:9094",
        "--cluster.advertise-address=127.0.0.1:9094",
        "--cluster.peer=127.0.0.1:9097",
        "--cluster.peer-timeout=5s",
    )
    assert second.argv == (
        "/usr/bin/prometheus-alertmanager",
        f"--config.file={tmp_path}/config/alertmanager.yml",
        f"--storage.path={tmp_path}/data/alertmanager-2",
        "--web.listen-address=127.0.0.1:9096",
        f"--web.config.file={tmp_path}/secrets/web.yml",
        "--cluster.listen-address=127.0.0.1:9097",
        "--cluster.advertise-address=127.0.0.1:9097",
        "--cluster.peer=127.0.0.1:9094",
        "--cluster.peer-timeout=5s",
    )
    assert first.endpoints == (
        Endpoint(
            "Alertmanager",
            "http://127.0.0.1:9093/",
            "http://127.0.0.1:9093/-/ready",
            cluster_url="http://127.0.0.1:9093/api/v2/status",
            cluster_size=2,
        ),
    )
    assert second.endpoints[0].cluster_url == "http://127.0.0.1:9096/api/v2/status"
    # Every port is checked before anything starts, each with the field that sets it.
    assert [(field, port) for _, field, port in plan.ports()][:6] == [
        ("ports.prometheus", 9090),
        ("ports.alertmanager", 9093),
        ("ports.alertmanager_gossip", 9094),
        ("ports.alertmanager_2", 9096),
        ("ports.alertmanager_2_gossip", 9097),
        ("ports.analytics_exporter", 8003),
    ]
    # The console reads the first Alertmanager; silences set there reach the second by gossip.
    console = plan.components[-1]
    assert console.argv[-1] == "http://127.0.0.1:9093"


def test_without_ha_the_alertmanager_does_not_gossip_at_all(tmp_path: Path) -> None:
    plan = build_plan(Spec(), StackHome(tmp_path), BINARIES, config_path=None, demo=False)
    (alertmanager,) = [c for c in plan.components if c.name.startswith("alertmanager")]
    assert [a for a in alertmanager.argv if a.startswith("--cluster")] == [
        "--cluster.listen-address="
    ]
    assert alertmanager.endpoints[0].cluster_url is None
    assert "ports.alertmanager_gossip" not in [field for _, field, _ in plan.ports()]


@pytest.mark.parametrize(
    ("listen", "gossip"),
    [("127.0.0.1", "127.0.0.1"), ("0.0.0.0", "127.0.0.1"), ("192.0.2.7", "127.0.0.1"),
     ("::1", "::1")],
)  # fmt: skip
def test_gossip_stays_on_loopback_whatever_the_listen_address(listen: str, gossip: str) -> None:
    spec = parse_spec({**HA, "listen_address": listen, "security": {"auth": True}})
    assert gossip_host(spec) == gossip


def test_a_wildcard_listen_address_still_gossips_on_loopback(tmp_path: Path) -> None:
    spec = parse_spec({**HA, "listen_address": "0.0.0.0"})
    plan = build_plan(spec, StackHome(tmp_path), BINARIES, config_path=None, demo=False)
    second = plan.components[2]
    assert "--web.listen-address=0.0.0.0:9096" in second.argv
    assert "--cluster.listen-address=127.0.0.1:9097" in second.argv
    assert "--cluster.peer=127.0.0.1:9094" in second.argv


def test_replicas_are_two_prometheus_servers_with_their_own_config_and_data(
    tmp_path: Path,
) -> None:
    plan = build_plan(
        parse_spec(REPLICAS), StackHome(tmp_path), BINARIES, config_path=None, demo=False
    )
    first, second = plan.components[:2]
    assert (first.name, second.name) == ("prometheus", "prometheus-2")
    assert f"--config.file={tmp_path}/config/prometheus-2.yml" in second.argv
    assert f"--storage.tsdb.path={tmp_path}/data/prometheus-2" in second.argv
    assert "--web.listen-address=127.0.0.1:9098" in second.argv
    assert second.endpoints[0].health_url == "http://127.0.0.1:9098/-/ready"
    assert second.ports == (("Prometheus 2", "ports.prometheus_2", 9098),)
    # Analytics and the console read the first; the second is there for alerts and scrapes.
    assert plan.components[4].argv[-1] == "http://127.0.0.1:9090"


def test_replicas_without_an_alertmanager_cluster_send_to_the_one(tmp_path: Path) -> None:
    spec = parse_spec(REPLICAS_ONLY)
    plan = build_plan(spec, StackHome(tmp_path), BINARIES, config_path=None, demo=False)
    assert [c.name for c in plan.components][:3] == ["prometheus", "prometheus-2", "alertmanager"]
    assert "--cluster.listen-address=" in plan.components[2].argv
    config = prometheus_config(spec, rule_files=[], demo=False, replica=1)
    assert config["alerting"] == {
        "alertmanagers": [{"static_configs": [{"targets": ["127.0.0.1:9093"]}]}],
        "alert_relabel_configs": [{"action": "labeldrop", "regex": "replica"}],
    }


def test_prometheus_sends_alerts_to_both_alertmanagers_and_scrapes_both() -> None:
    config = prometheus_config(parse_spec(HA), rule_files=[], demo=False)
    both = ["127.0.0.1:9093", "127.0.0.1:9096"]
    assert config["alerting"] == {"alertmanagers": [{"static_configs": [{"targets": both}]}]}
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert jobs["alertmanager"]["static_configs"] == [{"targets": both}]
    assert jobs["prometheus"]["static_configs"] == [{"targets": ["127.0.0.1:9090"]}]
    assert "replica" not in config["global"]["external_labels"]


def test_each_replica_labels_its_series_and_drops_the_label_from_its_alerts() -> None:
    spec = parse_spec(REPLICAS)
    first, second = (
        prometheus_config(spec, rule_files=[], demo=False, replica=replica) for replica in (0, 1)
    )
    assert first["global"]["external_labels"] == {"cluster": "local", "replica": "0"}
    assert second["global"]["external_labels"] == {"cluster": "local", "replica": "1"}
    for config in (first, second):
        assert config["alerting"]["alert_relabel_configs"] == [
            {"action": "labeldrop", "regex": "replica"}
        ]
        jobs = {job["job_name"]: job for job in config["scrape_configs"]}
        # Each replica scrapes both, so either can tell that the other is down.
        assert jobs["prometheus"]["static_configs"] == [
            {"targets": ["127.0.0.1:9090", "127.0.0.1:9098"]}
        ]
    # Apart from the replica label, the two are the same config.
    first["global"]["external_labels"].pop("replica")
    second["global"]["external_labels"].pop("replica")
    assert first == second


def test_replica_configs_are_rendered_and_pass_promtool(
    tmp_path: Path, promtool: Path, amtool: Path
) -> None:
    binaries = Binaries(Path("prometheus"), promtool, Path("alertmanager"), amtool)
    home = StackHome(tmp_path)
    plan = build_plan(parse_spec(REPLICAS), home, binaries, config_path=None, demo=True)
    assert render_configs(plan) == [
        home.prometheus_config,
        home.prometheus_2_config,
        home.alertmanager_config,
    ]
    validate_configs(plan)
    second = yaml.safe_load(home.prometheus_2_config.read_text())
    assert second["global"]["external_labels"]["replica"] == "1"
    # Turned off again: the second config goes, so nothing stale is left to start.
    plain = build_plan(Spec(), home, binaries, config_path=None, demo=True)
    assert render_configs(plain) == [home.prometheus_config, home.alertmanager_config]
    assert not home.prometheus_2_config.exists()
    assert (
        "replica"
        not in yaml.safe_load(home.prometheus_config.read_text())["global"]["external_labels"]
    )


# --- readiness and status -------------------------------------------------------------------


class FakeAlertmanager(BaseHTTPRequestHandler):
    """/-/ready and /api/v2/status as Alertmanager answers them, with a cluster set per test."""

    cluster: ClassVar[dict[str, Any]] = {}

    def do_GET(self) -> None:
        if self.path == "/-/ready":
            body = b"OK"
        elif self.path == "/api/v2/status":
            body = json.dumps({"cluster": self.cluster, "uptime": "x"}).encode()
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def fake_alertmanager() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeAlertmanager)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def peers(count: int) -> list[dict[str, str]]:
    return [{"name": f"01PEER{i}", "address": f"127.0.0.1:{9094 + i}"} for i in range(count)]


@pytest.mark.parametrize(
    ("cluster", "problem"),
    [
        ({"status": "ready", "peers": peers(2), "name": "a"}, None),
        ({"status": "settling", "peers": peers(2), "name": "a"}, "cluster settling, 2 peers"),
        ({"status": "ready", "peers": peers(1), "name": "a"}, "cluster has 1 of 2 peers (ready)"),
        ({"status": "disabled", "name": "a"}, "cluster has 0 of 2 peers (disabled)"),
    ],
)
def test_a_clustered_alertmanager_is_ready_once_all_peers_have_settled(
    fake_alertmanager: str, cluster: dict[str, Any], problem: str | None
) -> None:
    FakeAlertmanager.cluster = cluster
    endpoint = Endpoint(
        "Alertmanager",
        f"{fake_alertmanager}/",
        f"{fake_alertmanager}/-/ready",
        cluster_url=f"{fake_alertmanager}/api/v2/status",
        cluster_size=2,
    )
    with Prober() as prober:
        assert prober.endpoint_problem(endpoint) == problem
        # /-/ready alone says 200 all along: without the cluster check it would pass.
        assert prober.problem(endpoint.health_url) is None


def test_a_status_answer_without_a_cluster_is_named(fake_alertmanager: str) -> None:
    with Prober() as prober:
        url = f"{fake_alertmanager}/-/ready"
        assert (
            prober.cluster(url) == f"{url}: not an Alertmanager status (no cluster in the answer)"
        )
        missing = f"{fake_alertmanager}/nowhere"
        assert prober.cluster(missing) == f"{missing}: HTTP 404"


def test_cluster_view_words() -> None:
    assert ClusterView("ready", 2).describe() == "cluster ready, 2 peers"
    assert ClusterView("ready", 3).problem(2) is None


def test_status_shows_each_alertmanagers_view_of_the_cluster(
    tmp_path: Path, fake_alertmanager: str
) -> None:
    home = StackHome(tmp_path)
    me = os.getpid()
    started = psutil.Process(me).create_time()
    endpoint = Endpoint(
        "Alertmanager 2",
        f"{fake_alertmanager}/",
        f"{fake_alertmanager}/-/ready",
        cluster_url=f"{fake_alertmanager}/api/v2/status",
        cluster_size=2,
    )
    state = StackState(
        home=str(tmp_path),
        supervisor_pid=me,
        phase="running",
        demo=False,
        components=(ComponentRecord("alertmanager-2", me, started, "log", (endpoint,), 1),),
    )
    write_state(home, state)
    # The cluster fields survive the state file, so `status` run later knows them.
    assert read_state(home) == state

    FakeAlertmanager.cluster = {"status": "ready", "peers": peers(2), "name": "a"}
    (shown,) = stack_status(home).endpoints
    assert shown.healthy
    assert shown.cluster == "cluster ready, 2 peers"

    FakeAlertmanager.cluster = {"status": "ready", "peers": peers(1), "name": "a"}
    (shown,) = stack_status(home).endpoints
    assert not shown.healthy
    assert shown.problem == "cluster has 1 of 2 peers (ready)"


# --- backups --------------------------------------------------------------------------------


def test_backups_hold_the_second_alertmanagers_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = StackHome(tmp_path / "home")
    home.create()
    block = home.prometheus_data / "01JD000000000000000000000A"
    block.mkdir()
    (block / "meta.json").write_text("{}\n")
    home.alertmanager_2_data.mkdir(parents=True)
    (home.alertmanager_data / "nflog").write_bytes(b"first")
    (home.alertmanager_2_data / "nflog").write_bytes(b"second")

    def snapshot(transport: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        shutil.copytree(block, home.prometheus_data / "snapshots" / "s1" / block.name)
        return httpx.Response(200, json={"data": {"name": "s1"}}, request=request)

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", snapshot)
    archive = create_backup(home, "http://127.0.0.1:19090", None)
    paths = {entry["path"] for entry in read_manifest(archive)["files"]}
    assert {"alertmanager/nflog", "alertmanager-2/nflog"} <= paths
