"""`agentwatch simulate` as a real process: live exporters, fault injection, history backfill.

Ports are chosen at test time below the kernel's ephemeral range. Waits poll against
deadlines; nothing asserts after a fixed sleep.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from agentwatch.render import write_yaml
from agentwatch.stack import port_in_use
from tests.integration.support import free_ports, wait_until

pytestmark = pytest.mark.timeout(300)

_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)", re.MULTILINE)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agentwatch", *args],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def parse(text: str) -> dict[str, float]:
    """``name{labels}`` -> value for every sample in a Prometheus text exposition."""
    return {m[1] + (m[2] or ""): float(m[3]) for m in _SAMPLE.finditer(text)}


def total(values: dict[str, float], name: str, *labels: str) -> float:
    return sum(
        v
        for series, v in values.items()
        if series.split("{")[0] == name and all(label in series for label in labels)
    )


@dataclass(frozen=True)
class Simulation:
    config: Path
    ports: dict[str, int]
    process: subprocess.Popen[str]

    def scrape(self, exporter: str) -> dict[str, float]:
        response = httpx.get(f"http://127.0.0.1:{self.ports[exporter]}/metrics", timeout=10)
        response.raise_for_status()
        return parse(response.text)

    def healthy(self) -> bool:
        try:
            return all(
                httpx.get(f"http://127.0.0.1:{self.ports[name]}/healthz", timeout=2).status_code
                == 200
                for name in ("agent_exporter", "transport_exporter", "voice_exporter")
            )
        except httpx.HTTPError:
            return False


def write_config(tmp_path: Path, ports: dict[str, int]) -> Path:
    config = tmp_path / "agentwatch.yaml"
    write_yaml(
        config,
        {
            "ports": {k: v for k, v in ports.items() if k != "control"},
            "simulation": {"control_port": ports["control"]},
        },
    )
    return config


@pytest.fixture
def simulation(tmp_path: Path) -> Iterator[Simulation]:
    names = ("agent_exporter", "transport_exporter", "voice_exporter", "control")
    ports = dict(zip(names, free_ports(len(names)), strict=True))
    config = write_config(tmp_path, ports)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "agentwatch",
            "simulate",
            "--config",
            str(config),
            "--fault",
            "unauthorized_access:type=database:at=1s:for=10m:rate=50",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    running = Simulation(config, ports, process)
    try:
        wait_until(lambda: running.healthy() or process.poll() is not None, "the exporters")
        assert process.poll() is None, process.communicate()[0]
        yield running
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_live_exporters_faults_and_a_clean_stop(simulation: Simulation) -> None:
    first = {name: simulation.scrape(name) for name in ("agent_exporter", "transport_exporter")}
    wait_until(
        lambda: (
            total(simulation.scrape("agent_exporter"), "agent_messages_processed_total")
            > total(first["agent_exporter"], "agent_messages_processed_total") + 1000
        ),
        "agents to process more messages",
    )
    second = simulation.scrape("transport_exporter")
    assert total(second, "agent_transport_messages_total") > total(
        first["transport_exporter"], "agent_transport_messages_total"
    )
    assert total(second, "message_flow_matrix_total", 'source_agent="external"') > 0
    wait_until(
        lambda: total(simulation.scrape("voice_exporter"), "voice_biometric_auth_total") > 0,
        "voice authentications",
    )
    # The fault given with --fault at start-up.
    wait_until(
        lambda: (
            total(
                simulation.scrape("agent_exporter"),
                "agent_unauthorized_access_total",
                'agent_type="database"',
            )
            > 0
        ),
        "unauthorized senders to be rejected",
    )

    # A fault injected from another process, through the CLI.
    injected = cli(
        "fault", "crash", "--target", "security", "--for", "5m", "--config", str(simulation.config)
    )
    assert injected.returncode == 0, injected.stdout + injected.stderr
    assert "security-0, security-1" in injected.stdout
    wait_until(
        lambda: (
            total(
                simulation.scrape("agent_exporter"),
                "agent_status",
                'agent_type="security"',
                'status="failed"',
            )
            == 2
        ),
        "both security agents to fail",
    )
    agents = simulation.scrape("agent_exporter")
    assert total(agents, "system_active_agents", 'agent_type="security"') == 0
    assert total(agents, "agent_health_score", 'agent_type="security"') == 0
    wait_until(
        lambda: (
            total(
                simulation.scrape("transport_exporter"),
                "agent_transport_errors_total",
                'error_type="delivery_failed"',
            )
            > 0
        ),
        "deliveries to the crashed agents to fail",
    )
    listed = cli("fault", "list", "--config", str(simulation.config))
    assert listed.returncode == 0
    assert "crash:type=security" in listed.stdout

    simulation.process.send_signal(signal.SIGTERM)
    out, _ = simulation.process.communicate(timeout=20)
    assert simulation.process.returncode == 0, out
    assert "simulated" in out
    for port in simulation.ports.values():
        assert not port_in_use("127.0.0.1", port)


def test_traces_of_the_live_system_are_listed_shown_and_linked_from_exemplars(
    simulation: Simulation,
) -> None:
    config = str(simulation.config)

    def kept() -> list[dict[str, object]]:
        listed = cli("traces", "--json", "--limit", "200", "--config", config)
        assert listed.returncode == 0, listed.stdout + listed.stderr
        traces: list[dict[str, object]] = json.loads(listed.stdout)
        return traces

    def finished_long_ones() -> list[dict[str, object]]:
        # Finished requests: their root, the outside world's span, has ended and is kept.
        return [
            t
            for t in kept()
            if int(str(t["spans"])) >= 10 and "external" in t["services"]  # type: ignore[operator]
        ]

    wait_until(lambda: bool(finished_long_ones()), "a finished request of 10 spans or more")
    long_one = finished_long_ones()[0]
    assert str(long_one["root"]).startswith("invoke_agent ")
    shown = cli("traces", str(long_one["trace_id"]), "--config", config)
    assert shown.returncode == 0, shown.stderr
    assert f"trace {long_one['trace_id']}" in shown.stdout
    assert "invoke_agent" in shown.stdout
    as_json = cli("traces", str(long_one["trace_id"]), "--json", "--config", config)
    spans = json.loads(as_json.stdout)
    # Events the request caused may still end after the listing, adding spans.
    assert len(spans) >= int(str(long_one["spans"]))
    assert len({span["trace_id"] for span in spans}) == 1
    assert {span["service"] for span in spans} >= {"external"}

    # The sampler's ratio is served beside the transport's families.
    transport = simulation.scrape("transport_exporter")
    assert 0.001 <= total(transport, "trace_sampling_ratio") <= 1
    assert total(transport, "trace_spans_total", 'decision="sampled"') > 0

    # An exemplar on a latency bucket names a trace the simulation can show.
    body = httpx.get(
        f"http://127.0.0.1:{simulation.ports['agent_exporter']}/metrics",
        headers={"Accept": "application/openmetrics-text; version=1.0.0"},
        timeout=10,
    ).text
    exemplars = re.findall(
        r'^agent_processing_time_seconds_bucket\{.*# \{.*trace_id="([0-9a-f]{32})"',
        body,
        re.MULTILINE,
    )
    assert exemplars
    linked = cli("traces", exemplars[-1], "--config", config)
    assert linked.returncode == 0, linked.stderr
    assert "invoke_agent" in linked.stdout

    # Bad and unknown ids.
    bad = cli("traces", "not-a-trace", "--config", config)
    assert bad.returncode == 2
    assert "expected 32 hexadecimal digits" in bad.stderr
    gone = cli("traces", "0" * 31 + "1", "--config", config)
    assert gone.returncode == 1
    assert "is not (or no longer) kept" in gone.stderr


def test_a_port_in_use_is_named(tmp_path: Path) -> None:
    names = ("agent_exporter", "transport_exporter", "voice_exporter", "control")
    ports = dict(zip(names, free_ports(len(names)), strict=True))
    config = write_config(tmp_path, ports)
    with contextlib.closing(socket.socket()) as holder:
        holder.bind(("127.0.0.1", ports["transport_exporter"]))
        holder.listen()
        result = cli("simulate", "--config", str(config), "--duration", "5s")
    assert result.returncode == 1
    message = " ".join(result.stderr.split())
    assert f"transport exporter cannot listen on 127.0.0.1:{ports['transport_exporter']}" in message
    # What had started is stopped again.
    assert not port_in_use("127.0.0.1", ports["agent_exporter"])


def test_backfill_writes_blocks_prometheus_can_query(tmp_path: Path) -> None:
    data = tmp_path / "data"
    started = time.time()
    result = cli(
        "simulate",
        "--backfill",
        "2h",
        "--tsdb",
        str(data),
        "--step",
        "60s",
        "--fault",
        "crash:agent=security-0:at=30m:for=20m",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "simulated history" in result.stdout
    listing = subprocess.run(
        ["promtool", "tsdb", "list", str(data)], capture_output=True, text=True, check=True
    )
    blocks = listing.stdout.strip().splitlines()[1:]
    assert blocks, listing.stdout
    assert not list(tmp_path.glob("agentwatch-om-*")), "the OpenMetrics spool was left behind"

    assert shutil.which("prometheus"), "prometheus is missing: run scripts/install-system-deps.sh"
    (port,) = free_ports(1)
    config = tmp_path / "prometheus.yml"
    config.write_text("global:\n  scrape_interval: 15s\n")
    prometheus = subprocess.Popen(
        [
            "prometheus",
            f"--config.file={config}",
            f"--storage.tsdb.path={data}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--storage.tsdb.retention.time=30d",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:

        def ready() -> bool:
            try:
                return httpx.get(f"{base}/-/ready", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(ready, "prometheus")

        def query(promql: str, at: float) -> list[float]:
            """The values of an instant query's series at ``at``."""
            answer = httpx.get(
                f"{base}/api/v1/query", params={"query": promql, "time": at}, timeout=10
            ).json()
            assert answer["status"] == "success", answer
            return [float(series["value"][1]) for series in answer["data"]["result"]]

        an_hour_ago = started - 3600
        (rate,) = query('sum(rate(agent_messages_processed_total{job="agents"}[5m]))', an_hour_ago)
        assert 500 < rate < 10_000
        # The crash 30 minutes into the history, seen as Prometheus sees a scraped failure.
        failed = query(
            'agent_status{agent_id="security-0",status="failed",instance!=""}',
            started - 2 * 3600 + 40 * 60,
        )
        assert failed == [1.0]
    finally:
        prometheus.terminate()
        prometheus.wait(timeout=30)
