"""Every command imports only what it needs.

`python -m agentwatch` imports agentwatch.cli before it dispatches, so whatever that import
loads is held by every process `agentwatch up` starts: the supervisor, framework serve, console
serve, simulate. Each check runs in a fresh interpreter and looks at sys.modules; memory and
start-up time themselves are measured by hand (the commit that made the CLI lazy gives them).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from agentwatch.render import write_yaml
from agentwatch.stack._plan import console_command, framework_command, simulate_command

ANALYTICS = ("pandas", "scipy", "sklearn", "statsforecast", "dask", "matplotlib")
WEB = ("fastapi", "starlette", "uvicorn", "jinja2")
# What the agent SDK and the simulated system need, and the stack does not.
SDK = ("numpy", "opentelemetry.sdk")

# Runs `python -m agentwatch ARGS...` and writes the names in sys.modules to $PROBE_OUT on the
# way out, whatever the exit code.
PROBE = """
import atexit, json, os, runpy, sys
atexit.register(
    lambda: open(os.environ["PROBE_OUT"], "w").write(json.dumps(sorted(sys.modules)))
)
sys.argv = ["agentwatch", *sys.argv[1:]]
runpy.run_module("agentwatch", run_name="__main__", alter_sys=True)
"""


def loaded(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    return [p for p in packages if any(m == p or m.startswith(p + ".") for m in modules)]


def run_agentwatch(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    out = tmp_path / "modules.json"
    env = {**os.environ, "PROBE_OUT": str(out), "AGENTWATCH_HOME": str(tmp_path / "home")}
    env.pop("AGENTWATCH_SECRETS", None)
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )
    return result, set(json.loads(out.read_text()))


def test_import_cli_loads_neither_analytics_nor_web_nor_sdk() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, sys, agentwatch.cli; print(json.dumps(sorted(sys.modules)))",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    modules = set(json.loads(result.stdout))
    assert loaded(modules, ANALYTICS + WEB + SDK) == []
    # What the supervisor (`up`, `up --detach`'s background process) and status/down run is
    # imported here already: the stack's modules import nothing inside functions.
    assert {
        "agentwatch.stack._up",
        "agentwatch.stack._detach",
        "agentwatch.stack._supervisor",
        "agentwatch.stack._status",
        "agentwatch.stack._down",
    } <= modules


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--help"], 0),
        (["status"], 1),  # nothing running in the empty home
        (["down"], 0),
        (["capacity", "--help"], 0),
        (["analytics", "train", "--help"], 0),
        (["anomaly", "score", "--help"], 0),
        (["fault", "--help"], 0),
    ],
)
def test_light_commands_load_neither_analytics_nor_web_nor_sdk(
    tmp_path: Path, args: list[str], code: int
) -> None:
    result, modules = run_agentwatch(tmp_path, *args)
    assert result.returncode == code, result.stdout + result.stderr
    assert loaded(modules, ANALYTICS + WEB + SDK) == []


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A loopback port this test listens on, so the command under test fails to bind it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


# The children `agentwatch up` starts, with the argv the stack builds for them; each runs until
# it binds its first port, which the test holds, so it has loaded what it serves with.
CHILDREN: dict[str, tuple[str, Callable[[Path, Path], list[str]], tuple[str, ...]]] = {
    "framework serve": (
        "framework_exporter",
        lambda config, home: framework_command(config, home, example=True),
        ANALYTICS + WEB,
    ),
    "console serve": (
        "console",
        lambda config, home: console_command(
            config, home, "http://127.0.0.1:1", "http://127.0.0.1:1"
        ),
        ANALYTICS,
    ),
    "simulate": ("agent_exporter", lambda config, home: simulate_command(config), ANALYTICS + WEB),
}


@pytest.mark.parametrize("child", list(CHILDREN))
def test_stack_children_load_no_analytics(tmp_path: Path, taken_port: int, child: str) -> None:
    port_name, command, forbidden = CHILDREN[child]
    config = tmp_path / "agentwatch.yaml"
    # No secrets in the fresh home: without auth the console starts without accounts.
    write_yaml(config, {"ports": {port_name: taken_port}, "security": {"auth": False}})
    argv = command(config, tmp_path / "home")
    assert argv[1:3] == ["-m", "agentwatch"]
    result, modules = run_agentwatch(tmp_path, *argv[3:])
    assert result.returncode == 1, result.stdout + result.stderr
    error = " ".join(result.stderr.split())
    assert error.startswith(f"error: {port_name.replace('_', ' ')} cannot listen on 127.0.0.1:")
    assert f"127.0.0.1:{taken_port}: the port is in use" in error
    assert loaded(modules, forbidden) == []
