"""Home directory resolution, its layout, and the command lines the stack runs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from agentwatch.cli._common import resolve_home
from agentwatch.spec import Spec, parse_spec
from agentwatch.stack import Binaries, StackHome, build_plan, simulate_command

BINARIES = Binaries(
    prometheus=Path("/usr/bin/prometheus"),
    promtool=Path("/usr/bin/promtool"),
    alertmanager=Path("/usr/bin/prometheus-alertmanager"),
    amtool=Path("/usr/bin/amtool"),
)


def test_home_option_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTWATCH_HOME", str(tmp_path / "env"))
    assert resolve_home(tmp_path / "opt") == tmp_path / "opt"


def test_home_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTWATCH_HOME", str(tmp_path / "env"))
    assert resolve_home(None) == tmp_path / "env"


def test_home_defaults_to_dot_agentwatch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AGENTWATCH_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    assert resolve_home(None) == tmp_path.resolve() / ".agentwatch"


def test_relative_home_is_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve_home(Path("h")) == tmp_path.resolve() / "h"


def test_layout(tmp_path: Path) -> None:
    home = StackHome(tmp_path)
    assert home.prometheus_config == tmp_path / "config" / "prometheus.yml"
    assert home.alertmanager_config == tmp_path / "config" / "alertmanager.yml"
    assert home.rules_glob == f"{tmp_path}/rules/*.yml"
    assert home.prometheus_data == tmp_path / "data" / "prometheus"
    assert home.alertmanager_data == tmp_path / "data" / "alertmanager"
    assert home.log_file("prometheus") == tmp_path / "logs" / "prometheus.log"
    assert home.pid_file("prometheus") == tmp_path / "run" / "prometheus.pid"
    assert home.supervisor_pid_file == tmp_path / "run" / "supervisor.pid"
    home.create()
    for sub in ("config", "rules", "data/prometheus", "data/alertmanager", "logs", "run"):
        assert (tmp_path / sub).is_dir()


def test_plan_without_auth_has_no_web_config_and_keeps_retention_size(tmp_path: Path) -> None:
    spec = Spec.model_validate({"security": {"auth": False}, "storage": {"retention_size": "10GB"}})
    plan = build_plan(spec, StackHome(tmp_path), BINARIES, config_path=None, demo=False)
    prometheus, alertmanager, *_ = plan.components
    assert "--storage.tsdb.retention.size=10GB" in prometheus.argv
    assert not [a for a in (*prometheus.argv, *alertmanager.argv) if "web.config" in a]
    assert plan.child_environment() is None
    assert plan.client_auth() is None


def test_plan_command_lines(tmp_path: Path) -> None:
    home = StackHome(tmp_path)
    config = tmp_path / "agentwatch.yaml"
    plan = build_plan(Spec(), home, BINARIES, config_path=config, demo=True)
    prometheus, alertmanager, analytics, framework, console, simulate = plan.components
    assert prometheus.argv == (
        "/usr/bin/prometheus",
        f"--config.file={tmp_path}/config/prometheus.yml",
        f"--storage.tsdb.path={tmp_path}/data/prometheus",
        "--storage.tsdb.retention.time=15d",
        "--web.listen-address=127.0.0.1:9090",
        f"--web.config.file={tmp_path}/secrets/web.yml",
        "--web.enable-lifecycle",
        "--web.enable-admin-api",
        "--enable-feature=exemplar-storage",
    )
    assert alertmanager.argv == (
        "/usr/bin/prometheus-alertmanager",
        f"--config.file={tmp_path}/config/alertmanager.yml",
        f"--storage.path={tmp_path}/data/alertmanager",
        "--web.listen-address=127.0.0.1:9093",
        f"--web.config.file={tmp_path}/secrets/web.yml",
        "--cluster.listen-address=",
    )
    assert simulate.argv == (
        sys.executable,
        "-m",
        "agentwatch",
        "simulate",
        "--config",
        str(config),
    )
    assert analytics.argv == (
        sys.executable,
        "-m",
        "agentwatch",
        "analytics",
        "serve",
        "--config",
        str(config),
        "--prometheus",
        "http://127.0.0.1:9090",
    )
    assert [e.health_url for e in analytics.endpoints] == ["http://127.0.0.1:8003/healthz"]
    # The demo's framework component scans the bundled example; its home keeps the survey.
    assert framework.argv == (
        sys.executable, "-m", "agentwatch", "framework", "serve", "--home", str(tmp_path),
        "--config", str(config), "--example",
    )  # fmt: skip
    assert [e.health_url for e in framework.endpoints] == [
        "http://127.0.0.1:8002/healthz",
        "http://127.0.0.1:4318/healthz",
    ]
    assert [e.health_url for e in prometheus.endpoints] == ["http://127.0.0.1:9090/-/ready"]
    # The console reads the stack's Prometheus and Alertmanager, and with the demo states the
    # throughput floor the rules hold it to (the plan's spec; `up` fits it first).
    assert console.argv == (
        sys.executable, "-m", "agentwatch", "console", "serve", "--home", str(tmp_path),
        "--config", str(config), "--throughput-floor", "4000000.0",
        "--prometheus", "http://127.0.0.1:9090", "--alertmanager", "http://127.0.0.1:9093",
    )  # fmt: skip
    assert [e.health_url for e in console.endpoints] == ["http://127.0.0.1:8080/healthz"]
    assert [e.health_url for e in simulate.endpoints] == [
        "http://127.0.0.1:8000/healthz",
        "http://127.0.0.1:8001/healthz",
        "http://127.0.0.1:8010/healthz",
    ]
    assert [(field, port) for _, field, port in plan.ports()] == [
        ("ports.prometheus", 9090),
        ("ports.alertmanager", 9093),
        ("ports.analytics_exporter", 8003),
        ("ports.framework_exporter", 8002),
        ("ports.otlp_http", 4318),
        ("ports.console", 8080),
        ("ports.agent_exporter", 8000),
        ("ports.transport_exporter", 8001),
        ("ports.voice_exporter", 8010),
        ("simulation.control_port", 8009),
    ]


def test_plan_follows_spec_ports_listen_address_and_retention(tmp_path: Path) -> None:
    spec = parse_spec(
        {
            "listen_address": "0.0.0.0",
            "ports": {"prometheus": 19090, "alertmanager": 19093},
            "storage": {"retention": "30d"},
        }
    )
    plan = build_plan(spec, StackHome(tmp_path), BINARIES, config_path=None, demo=False)
    prometheus, alertmanager, analytics, framework, _console = plan.components
    assert "--example" not in framework.argv  # no demo: only a framework the spec names
    assert "--web.listen-address=0.0.0.0:19090" in prometheus.argv
    assert "--storage.tsdb.retention.time=30d" in prometheus.argv
    assert "--web.listen-address=0.0.0.0:19093" in alertmanager.argv
    # Clients reach a wildcard listener through loopback.
    assert alertmanager.endpoints[0].url == "http://127.0.0.1:19093/"
    assert analytics.argv[-1] == "http://127.0.0.1:19090"


def test_simulate_command_lines(tmp_path: Path) -> None:
    assert simulate_command(None) == [sys.executable, "-m", "agentwatch", "simulate"]
    assert simulate_command(tmp_path / "a.yaml", backfill="7d", tsdb=tmp_path / "tsdb") == [
        sys.executable,
        "-m",
        "agentwatch",
        "simulate",
        "--config",
        str(tmp_path / "a.yaml"),
        "--backfill",
        "7d",
        "--tsdb",
        str(tmp_path / "tsdb"),
    ]


def test_a_stand_in_replaces_the_simulated_system(tmp_path: Path) -> None:
    plan = build_plan(
        Spec(),
        StackHome(tmp_path),
        BINARIES,
        config_path=None,
        demo=True,
        simulate_argv=["stand-in", "--flag"],
    )
    assert plan.components[-1].argv == ("stand-in", "--flag")
