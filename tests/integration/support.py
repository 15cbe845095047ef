"""Helpers the integration tests share: free loopback ports, polling, process liveness, and
real servers started on loopback (Prometheus on blocks promtool built from OpenMetrics)."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from agentwatch.spec import Ports
from agentwatch.stack import port_in_use

__all__ = [
    "Server",
    "alive",
    "fast_stack_spec",
    "free_ports",
    "home_auth",
    "installed",
    "prometheus_hashmod",
    "prometheus_on_samples",
    "stack_ports",
    "start_server",
    "start_victoria_metrics",
    "wait_until",
]


def free_ports(count: int) -> list[int]:
    """Distinct ports free on 127.0.0.1, away from every agentwatch default."""
    ports: list[int] = []
    while len(ports) < count:
        port = random.randrange(20000, 32000)
        if port not in ports and not port_in_use("127.0.0.1", port):
            ports.append(port)
    return ports


def stack_ports(extra: int = 0) -> tuple[dict[str, int], list[int]]:
    """A free loopback port for every field of the spec's ``ports:`` (so no default port is ever
    near a test, whatever the stack starts), and ``extra`` more, all distinct."""
    names = list(Ports.model_fields)
    found = free_ports(len(names) + extra)
    return dict(zip(names, found, strict=False)), found[len(names) :]


def fast_stack_spec(
    ports: dict[str, int], control_port: int, *, fast_jobs: Sequence[str] = (), **sections: Any
) -> dict[str, Any]:
    """A spec for a stack on ``ports`` that scrapes and evaluates every second (the agents,
    voice and ``fast_jobs`` jobs too), so a test sees what happens within seconds; ``sections``
    are further top-level settings."""
    fast = {"interval": "1s"}
    scrape: dict[str, Any] = {"interval": "1s", "evaluation_interval": "1s"}
    scrape |= dict.fromkeys(("agents", "voice", *fast_jobs), fast)
    return {
        "ports": ports,
        "simulation": {"control_port": control_port},
        "scrape": scrape,
        **sections,
    }


def wait_until(check: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    """Poll ``check`` until it holds; a server not answering yet counts as "not yet"."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.25)


def home_auth(home: Path) -> httpx.BasicAuth | None:
    """The service account a stack home's generated secrets hold; None before they exist."""
    path = home / "secrets" / "secrets.json"
    if not path.exists():
        return None
    service = json.loads(path.read_text())["service"]
    return httpx.BasicAuth(service["username"], service["password"])


def prometheus_hashmod(value: str, modulus: int) -> int:
    """What Prometheus' ``hashmod`` relabel action computes for ``value`` (the source labels
    joined by ";"): the last 8 bytes of its MD5 as a big-endian integer, modulo ``modulus``.
    tests/integration/test_scale_out.py checks it against two running Prometheus servers."""
    return int.from_bytes(hashlib.md5(value.encode()).digest()[8:], "big") % modulus


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def installed(name: str) -> str:
    """The path of a Debian-packaged binary; the test fails (never skips) without it."""
    path = shutil.which(name) or f"/usr/bin/{name}"
    if not Path(path).exists():
        pytest.fail(f"{name} is not installed: run scripts/install-system-deps.sh")
    return path


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_server(name: str, command: list[str], url: str, ready: str, log: Path) -> Server:
    """Start ``command`` (output to ``log``) and wait until ``url + ready`` answers 200."""
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    server = Server(name, url, process, log)

    def answers() -> bool:
        if process.poll() is not None:
            pytest.fail(f"{name} exited with {process.returncode}:\n{log.read_text()[-2000:]}")
        return httpx.get(f"{url}{ready}", timeout=2).status_code == 200

    try:
        wait_until(answers, f"{name} to answer at {url}", 30)
    except BaseException:
        server.stop()
        raise
    return server


def prometheus_on_samples(directory: Path, openmetrics: Sequence[str] | None) -> Server:
    """A real Prometheus whose TSDB holds ``openmetrics`` (lines of an OpenMetrics text, without
    ``# EOF``), written by ``promtool tsdb create-blocks-from openmetrics`` before it starts."""
    data = directory / "data"
    if openmetrics is not None:
        (directory / "samples.om").write_text("\n".join([*openmetrics, "# EOF", ""]))
        build = ["tsdb", "create-blocks-from", "openmetrics", "samples.om", str(data)]
        subprocess.run(
            [installed("promtool"), *build],
            cwd=directory,
            check=True,
            capture_output=True,
        )
    (directory / "prometheus.yml").write_text("global:\n  scrape_interval: 15s\n")
    (port,) = free_ports(1)
    return start_server(
        "prometheus",
        [
            installed("prometheus"),
            f"--config.file={directory / 'prometheus.yml'}",
            f"--storage.tsdb.path={data}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        f"http://127.0.0.1:{port}",
        "/-/ready",
        directory / "prometheus.log",
    )


def start_victoria_metrics(directory: Path, *extra: str) -> Server:
    """A real single-node VictoriaMetrics on a free loopback port, its data under ``directory``;
    ``extra`` flags are appended."""
    (port,) = free_ports(1)
    return start_server(
        "victoria-metrics",
        [
            installed("victoria-metrics"),
            f"-httpListenAddr=127.0.0.1:{port}",
            f"-storageDataPath={directory / 'data'}",
            "-retentionPeriod=100y",
            # Its response cache would keep answers computed before new samples arrived.
            "-search.disableCache",
            "-loggerLevel=WARN",
            *extra,
        ],
        f"http://127.0.0.1:{port}",
        "/health",
        directory / "victoria-metrics.log",
    )
