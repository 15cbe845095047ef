"""The local stack with the real Prometheus and Alertmanager binaries, through the real CLI.

Every test uses its own home and ports chosen at test time (below the kernel's ephemeral range,
so an outgoing connection cannot be holding one), so a developer's own stack on 9090 is never
touched. Waits poll against deadlines; nothing asserts after a fixed sleep.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from agentwatch.generate.rule_tree import rule_files
from agentwatch.render import write_yaml
from agentwatch.spec import load_spec
from agentwatch.stack import (
    HomeLock,
    StackHome,
    StartupFailedError,
    plan_stack,
    port_in_use,
    read_state,
    up_stack,
)
from tests.integration.support import alive, fast_stack_spec, home_auth, stack_ports, wait_until

# The binaries are installed by `make test` (scripts/install-system-deps.sh); a missing one
# fails these tests rather than skipping them.
pytestmark = pytest.mark.timeout(120)

STANDIN = Path(__file__).with_name("standin_simulate.py")
# Libraries only the analytics service needs; a process that imported one maps its compiled
# modules from site-packages.
ANALYTICS_LIBRARIES = ("pandas", "scipy", "sklearn", "statsforecast", "matplotlib")

# Runs the stack in the foreground like `agentwatch up`, with the stand-in as the simulated
# system (the CLI always runs the real `agentwatch simulate`).
DRIVER = """
import sys
from pathlib import Path
from agentwatch.spec import load_spec
from agentwatch.stack import StackHome, plan_stack, up_stack

config, home, standin = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
plan = plan_stack(
    load_spec(config),
    StackHome(home),
    config_path=config,
    demo=True,
    simulate_argv=[sys.executable, standin, "--config", str(config)],
)
up_stack(
    plan,
    detach=False,
    on_progress=lambda line: print(line, flush=True),
    on_ready=lambda: print("READY", flush=True),
)
"""


@dataclass(frozen=True)
class Stack:
    tmp: Path
    home: Path
    config: Path
    ports: dict[str, int]

    @property
    def prometheus(self) -> str:
        return f"http://127.0.0.1:{self.ports['prometheus']}"

    def cli(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return run_cli(*args, "--home", str(self.home), env=env)


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agentwatch", *args],
        capture_output=True,
        text=True,
        timeout=150,
        env=env,
        check=False,
    )


def output(result: subprocess.CompletedProcess[str]) -> str:
    """stdout and stderr with whitespace collapsed, so wrapped lines still match."""
    return " ".join((result.stdout + result.stderr).split())


def processes_of(home: Path) -> list[psutil.Process]:
    """Live processes whose command line mentions ``home``."""
    found = []
    for process in psutil.process_iter(["cmdline", "status"]):
        cmdline = process.info["cmdline"] or []
        if process.info["status"] != psutil.STATUS_ZOMBIE and any(str(home) in a for a in cmdline):
            found.append(process)
    return found


def analytics_libraries(pid: int) -> set[str]:
    paths = [m.path for m in psutil.Process(pid).memory_maps()]
    return {lib for lib in ANALYTICS_LIBRARIES if any(f"/site-packages/{lib}/" in p for p in paths)}


def api(stack: Stack, path: str, **params: Any) -> Any:
    try:
        response = httpx.get(
            f"{stack.prometheus}{path}",
            params=params,
            timeout=5,
            trust_env=False,
            auth=home_auth(stack.home),
        )
        response.raise_for_status()
    except httpx.HTTPError:
        return None
    return response.json()["data"]


def jobs_up(stack: Stack) -> dict[str, float]:
    data = api(stack, "/api/v1/query", query="up")
    if data is None:
        return {}
    return {s["metric"]["job"]: float(s["value"][1]) for s in data["result"]}


def all_up(stack: Stack, jobs: set[str]) -> bool:
    targets = api(stack, "/api/v1/targets")
    if targets is None:
        return False
    health = {t["labels"]["job"]: t["health"] for t in targets["activeTargets"]}
    values = jobs_up(stack)
    return (
        set(health) == jobs
        and all(h == "up" for h in health.values())
        and set(values) == jobs
        and all(v == 1.0 for v in values.values())
    )


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    ports, (control_port,) = stack_ports(extra=1)
    config = tmp_path / "agentwatch.yaml"
    write_yaml(config, fast_stack_spec(ports, control_port))
    home = tmp_path / "home"
    yield Stack(tmp=tmp_path, home=home, config=config, ports=ports)
    # Whatever a failing test left behind: stop it, then make sure.
    run_cli("down", "--home", str(home))
    for process in processes_of(home):
        process.kill()


def test_up_status_down(stack: Stack) -> None:
    rules = stack.home / "rules"
    rules.mkdir(parents=True)
    write_yaml(
        rules / "smoke.yml",
        {"groups": [{"name": "smoke", "rules": [{"record": "smoke:up:sum", "expr": "sum(up)"}]}]},
    )

    up = stack.cli("up", "--config", str(stack.config), "--detach", "--no-demo")
    assert up.returncode == 0, output(up)
    text = output(up)
    assert f"http://127.0.0.1:{stack.ports['prometheus']}/" in text
    assert f"http://127.0.0.1:{stack.ports['alertmanager']}/" in text
    assert f"agentwatch down --home {stack.home}" in text
    state = read_state(StackHome(stack.home))
    assert state is not None
    pids = [state.supervisor_pid, *(c.pid for c in state.components)]
    assert {c.name for c in state.components} == {
        "prometheus", "alertmanager", "analytics", "framework", "console"
    }  # fmt: skip
    # The framework component is scraped as the seed's claude-framework job.
    stack_jobs = {"prometheus", "alertmanager", "analytics", "claude-framework", "console"}
    wait_until(lambda: all_up(stack, stack_jobs), "every job up == 1")
    # The CLI imports what a command needs when it runs: of the processes up started, only the
    # analytics service holds the analytics libraries (tests/unit/cli/test_imports.py).
    pid_of = {c.name: c.pid for c in state.components}
    assert analytics_libraries(pid_of["analytics"]) >= {"pandas", "sklearn", "statsforecast"}
    light = {
        "supervisor": state.supervisor_pid,
        "framework": pid_of["framework"],
        "console": pid_of["console"],
    }
    assert {name: analytics_libraries(pid) for name, pid in light.items()} == {
        name: set() for name in light
    }
    alertmanager = f"http://127.0.0.1:{stack.ports['alertmanager']}/api/v2/alerts"
    wait_until(
        lambda: (
            [
                a["url"]
                for a in (api(stack, "/api/v1/alertmanagers") or {}).get("activeAlertmanagers", [])
            ]
            == [alertmanager]
        ),
        "the Alertmanager to be active",
    )
    # HOME/rules holds exactly the generated rules, loaded; the stray file is gone.
    groups = api(stack, "/api/v1/rules")["groups"]
    expected = {str(rules / name) for name in rule_files(load_spec(stack.config))}
    assert {g["file"] for g in groups} == expected
    assert not (rules / "smoke.yml").exists()

    status = stack.cli("status")
    assert status.returncode == 0, output(status)
    # Prometheus, Alertmanager, analytics, the framework component's two endpoints, console.
    assert output(status).count("healthy") == 6

    again = stack.cli("up", "--config", str(stack.config), "--detach", "--no-demo")
    assert again.returncode == 1
    assert "already running" in output(again)
    assert f"agentwatch status --home {stack.home}" in output(again)
    assert f"agentwatch down --home {stack.home}" in output(again)

    down = stack.cli("down")
    assert down.returncode == 0, output(down)
    assert "stopped supervisor" in output(down)
    assert not [pid for pid in pids if psutil.pid_exists(pid) and alive(pid)]
    assert processes_of(stack.home) == []
    assert not port_in_use("127.0.0.1", stack.ports["prometheus"])
    assert not port_in_use("127.0.0.1", stack.ports["alertmanager"])
    assert not port_in_use("127.0.0.1", stack.ports["analytics_exporter"])
    assert not port_in_use("127.0.0.1", stack.ports["framework_exporter"])
    assert not port_in_use("127.0.0.1", stack.ports["otlp_http"])
    assert not port_in_use("127.0.0.1", stack.ports["console"])

    assert "Nothing is running" in output(stack.cli("down"))
    after = stack.cli("status")
    assert after.returncode == 1
    assert "Nothing is running" in output(after)


def test_data_survives_down_and_up(stack: Stack) -> None:
    args = ("up", "--config", str(stack.config), "--detach", "--no-demo")
    first = stack.cli(*args)
    assert first.returncode == 0, output(first)
    samples: list[Any] = []

    def sampled() -> bool:
        data = api(stack, "/api/v1/query", query='up{job="prometheus"}')
        samples[:] = data["result"] if data else []
        return bool(samples)

    wait_until(sampled, "a first sample of up")
    when = samples[0]["value"][0]
    assert stack.cli("down").returncode == 0

    second = stack.cli(*args)
    assert second.returncode == 0, output(second)
    # At that moment only the first run had scraped: an answer means its data was kept.
    old = api(stack, "/api/v1/query", query='up{job="prometheus"}', time=when)
    assert old is not None
    assert old["result"], "the sample from before `down` is gone"
    assert stack.cli("down").returncode == 0


def test_supervises_the_simulated_system(stack: Stack) -> None:
    log_path = stack.tmp / "driver.log"
    with log_path.open("w") as log:
        driver = subprocess.Popen(
            [sys.executable, "-c", DRIVER, str(stack.config), str(stack.home), str(STANDIN)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until(lambda: "READY" in log_path.read_text() or driver.poll() is not None, "start")
        assert driver.poll() is None, log_path.read_text()
        status = stack.cli("status")
        assert status.returncode == 0, output(status)
        for label in ("agent exporter", "transport exporter", "voice exporter"):
            assert label in output(status)

        jobs = {
            "prometheus", "alertmanager", "analytics", "claude-framework", "console",
            "agents", "transport-layer", "voice",
        }  # fmt: skip
        wait_until(lambda: all_up(stack, jobs), "every job up == 1")

        # A child that dies is restarted, and the supervisor's log says why.
        home = StackHome(stack.home)
        state = read_state(home)
        assert state is not None
        old = {c.name: c.pid for c in state.components}["simulate"]
        os.kill(old, signal.SIGKILL)

        def restarted() -> bool:
            now = read_state(home)
            pids = {c.name: c.pid for c in now.components} if now else {}
            return pids.get("simulate", old) != old and stack.cli("status").returncode == 0

        wait_until(restarted, "the simulated system to be restarted")
        supervisor_log = home.log_file("supervisor").read_text()
        assert f"simulate (pid {old}) was killed by SIGKILL" in supervisor_log

        down = stack.cli("down")
        assert down.returncode == 0, output(down)
        assert driver.wait(30) == 0, log_path.read_text()
        assert processes_of(stack.home) == []
        for port in stack.ports.values():
            assert not port_in_use("127.0.0.1", port)
    finally:
        if driver.poll() is None:
            driver.kill()
            driver.wait()


def test_a_component_dying_at_start_up_stops_everything(stack: Stack) -> None:
    config = load_spec(stack.config)
    home = StackHome(stack.home)
    failing = [sys.executable, "-c", "print('stand-in failing on purpose'); raise SystemExit(3)"]
    plan = plan_stack(config, home, config_path=stack.config, demo=True, simulate_argv=failing)
    with pytest.raises(StartupFailedError) as caught:
        up_stack(plan, detach=False, on_progress=lambda line: None, on_ready=lambda: None)
    message = caught.value.message
    assert "simulate exited with code 3 during start-up" in message
    assert str(home.log_file("simulate")) in message
    assert "stand-in failing on purpose" in message
    assert processes_of(stack.home) == []
    assert HomeLock.holder(home) is None
    assert read_state(home) is None


def test_a_detached_start_that_fails_shows_the_log_and_cleans_up(stack: Stack) -> None:
    # A damaged data directory (its WAL a file, not a directory) makes Prometheus exit at once.
    data = stack.home / "data" / "prometheus"
    data.mkdir(parents=True)
    (data / "wal").write_text("not a directory\n")
    up = stack.cli("up", "--config", str(stack.config), "--detach", "--no-demo")
    assert up.returncode == 1, output(up)
    text = output(up)
    assert "prometheus exited with code 1 during start-up" in text
    assert f"Last lines of {stack.home}/logs/prometheus.log" in text
    assert "opening storage failed" in text
    assert processes_of(stack.home) == []
    assert HomeLock.holder(StackHome(stack.home)) is None
    assert stack.cli("status").returncode == 1


def test_missing_binary_names_the_package(stack: Stack, tmp_path: Path) -> None:
    # A PATH with everything but Alertmanager.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("prometheus", "promtool", "amtool"):
        found = shutil.which(name)
        assert found is not None
        (bin_dir / name).symlink_to(found)
    env = {**os.environ, "PATH": str(bin_dir)}
    up = stack.cli("up", "--config", str(stack.config), "--detach", "--no-demo", env=env)
    assert up.returncode == 1
    text = output(up)
    assert "alertmanager not found on PATH" in text
    assert "prometheus-alertmanager" in text
    assert "scripts/install-system-deps.sh" in text
    assert not stack.home.exists()


def test_port_in_use_fails_cleanly(stack: Stack) -> None:
    port = stack.ports["prometheus"]
    with socket_listening(port):
        up = stack.cli("up", "--config", str(stack.config), "--detach", "--no-demo")
    assert up.returncode == 2, output(up)
    text = output(up)
    assert f"port {port} for Prometheus on 127.0.0.1 is already in use" in text
    assert f"set ports.prometheus to a free port in {stack.config}" in text
    assert processes_of(stack.home) == []
    assert HomeLock.holder(StackHome(stack.home)) is None
    assert stack.cli("status").returncode == 1


@contextlib.contextmanager
def socket_listening(port: int) -> Iterator[None]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen()
        yield
