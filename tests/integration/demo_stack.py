"""The demo stack as a user runs it: `agentwatch up --detach --history ...` with the simulated
system on the real Prometheus and Alertmanager, fast intervals, and a web hook receiver in the
test process that keeps every notification Alertmanager posts.

test_end_to_end.py and test_failure_prediction.py each start one for their module; they run on
different pytest-xdist workers at the same time, so the memory-leak test's minutes of
waiting no longer follow the end-to-end checks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from tests.integration.support import home_auth, stack_ports

__all__ = ["UP_TIMEOUT", "DemoStack", "running_demo_stack"]

# How long `up --history` may take; a module's first test (whose set-up starts the stack) needs
# a pytest timeout above it.
UP_TIMEOUT = 720


@dataclass
class DemoStack:
    home: Path
    config: Path
    ports: dict[str, int]
    notifications: list[dict[str, Any]] = field(default_factory=list)

    def cli(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        # As a user would after `agentwatch up --home H`: commands find the stack's secrets.
        secrets = str(self.home / "secrets" / "secrets.json")
        return subprocess.run(
            [sys.executable, "-m", "agentwatch", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env={**os.environ, "COLUMNS": "200", "AGENTWATCH_HOME": str(self.home)}
            | ({"AGENTWATCH_SECRETS": secrets} if Path(secrets).exists() else {}),
        )

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        """GET with the stack's service account: every component asks for credentials."""
        return httpx.get(url, auth=home_auth(self.home), **kwargs)

    @property
    def prometheus(self) -> str:
        return f"http://127.0.0.1:{self.ports['prometheus']}"

    def query(self, expr: str) -> list[dict[str, Any]]:
        response = self.get(f"{self.prometheus}/api/v1/query", params={"query": expr}, timeout=10)
        response.raise_for_status()
        result: list[dict[str, Any]] = response.json()["data"]["result"]
        return result

    def scalar(self, expr: str) -> float:
        result = self.query(expr)
        return float(result[0]["value"][1]) if result else float("nan")

    def firing_at_webhook(self, alertname: str, **labels: str) -> bool:
        """Whether a notification of ``alertname`` (with ``labels``) firing has arrived."""
        wanted = {"alertname": alertname, **labels}
        return any(
            all(alert["labels"].get(k) == v for k, v in wanted.items())
            and alert["status"] == "firing"
            for message in self.notifications
            for alert in message["alerts"]
        )


def _webhook_receiver(port: int, received: list[dict[str, Any]]) -> ThreadingHTTPServer:
    """A stand-in for the team's webhook: keeps every notification Alertmanager posts."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            received.append(json.loads(body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@contextmanager
def running_demo_stack(directory: Path, *, history: str) -> Iterator[DemoStack]:
    """`up --detach` with ``history`` of simulated history in ``directory``; `down` after,
    which must succeed."""
    spec_ports, (control, webhook) = stack_ports(extra=2)
    ports = {**spec_ports, "control": control, "webhook": webhook}
    home = directory / "home"
    config = directory / "agentwatch.yaml"
    port_lines = "".join(f"  {name}: {port}\n" for name, port in spec_ports.items())
    config.write_text(
        "version: 1\n"
        f"ports:\n{port_lines}"
        "scrape:\n  interval: 2s\n  evaluation_interval: 2s\n"
        "  agents:\n    interval: 2s\n  voice:\n    interval: 2s\n"
        f"simulation:\n  control_port: {ports['control']}\n  agents_per_type: 2\n"
        f"alerting:\n  webhook_url: http://127.0.0.1:{ports['webhook']}/alerts\n"
        "analytics:\n  interval: 5s\n"
        # Both business assumptions, so cost reduction and efficiency gains have data; a
        # quality trend over a minute, so its panel has data within the test.
        "business:\n  engineer_hourly_cost_usd: 90\n  baseline_commits_per_hour: 0.5\n"
        "  quality_trend_window: 1m\n"
    )
    stack = DemoStack(home, config, ports)
    receiver = _webhook_receiver(ports["webhook"], stack.notifications)
    try:
        # A day of history takes about 90 s on an idle 2-core machine, and 300 s in `make
        # test`, where three other workers share the two cores.
        started = stack.cli(
            "up", "--detach", "--history", history, "--home", str(home), "--config", str(config),
            timeout=UP_TIMEOUT,
        )  # fmt: skip
        assert started.returncode == 0, started.stdout + started.stderr
        # No collector configured: the traces stay in the simulated system, and `up` says so.
        assert "not exported (set tracing.otlp_endpoint" in " ".join(started.stdout.split())
        yield stack
    finally:
        stopped = stack.cli("down", "--home", str(home))
        receiver.shutdown()
        receiver.server_close()
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
