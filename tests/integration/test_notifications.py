"""Alertmanager (the real binary, with the generated config) delivers notifications to the
console's web hook (the real `agentwatch console serve`), authenticated with the home's token,
and the console's Notifications page and metrics show them."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import yaml

from agentwatch.generate.alertmanager import alertmanager_config
from agentwatch.render import write_yaml
from agentwatch.security import Role, ensure_secrets
from agentwatch.spec import Spec, parse_spec

from .support import Server, free_ports, start_server, wait_until


@pytest.fixture
def stack(tmp_path: Path, alertmanager_binary: Path) -> Iterator[tuple[Spec, Path]]:
    console_port, alertmanager_port, cluster_port = free_ports(3)
    spec = parse_spec({"ports": {"console": console_port, "alertmanager": alertmanager_port}})
    config = tmp_path / "agentwatch.yaml"
    config.write_text(yaml.safe_dump(spec.model_dump(mode="json", exclude_defaults=True)))
    _, files, _ = ensure_secrets(tmp_path)
    am_config = tmp_path / "alertmanager.yml"
    write_yaml(am_config, alertmanager_config(spec, secrets_dir=str(files.directory)))
    servers: list[Server] = []
    try:
        servers.append(
            start_server(
                "alertmanager",
                [
                    str(alertmanager_binary),
                    f"--config.file={am_config}",
                    f"--storage.path={tmp_path / 'am-data'}",
                    f"--web.listen-address=127.0.0.1:{alertmanager_port}",
                    f"--cluster.listen-address=127.0.0.1:{cluster_port}",
                ],
                f"http://127.0.0.1:{alertmanager_port}",
                "/-/ready",
                tmp_path / "alertmanager.log",
            )
        )
        servers.append(
            start_server(
                "console",
                [
                    sys.executable,
                    "-m",
                    "agentwatch",
                    "console",
                    "serve",
                    "--config",
                    str(config),
                    "--home",
                    str(tmp_path),
                    "--prometheus",
                    "http://127.0.0.1:9",
                ],
                f"http://127.0.0.1:{console_port}",
                "/healthz",
                tmp_path / "console.log",
            )
        )
        yield spec, tmp_path
    finally:
        for server in reversed(servers):
            server.stop()


def test_alertmanager_notifies_the_console_with_its_token(stack: tuple[Spec, Path]) -> None:
    spec, home = stack
    secrets, _, _ = ensure_secrets(home)
    technical = next(u for u in secrets.users if u.role is Role.TECHNICAL)
    auth = httpx.BasicAuth(technical.username, technical.password)
    now = datetime.now(UTC)
    alert = {
        "labels": {"alertname": "TransportDown", "severity": "critical", "cluster": "local"},
        "annotations": {"summary": "The transport exporter is down", "runbook_url": "/runbooks"},
        "startsAt": now.isoformat(),
        "endsAt": (now + timedelta(minutes=5)).isoformat(),
    }
    alertmanager = f"http://127.0.0.1:{spec.ports.alertmanager}"
    httpx.post(f"{alertmanager}/api/v2/alerts", json=[alert], timeout=5).raise_for_status()
    console = f"http://127.0.0.1:{spec.ports.console}"

    def delivered() -> bool:
        answer = httpx.get(f"{console}/api/notifications", auth=auth, timeout=5)
        return bool(answer.json()["notifications"])

    # The route's group_wait is 10 s.
    wait_until(delivered, "Alertmanager's notification at the console", timeout=60)
    (notification,) = httpx.get(f"{console}/api/notifications", auth=auth).json()["notifications"]
    assert notification["receiver"] == "web.hook"
    assert notification["status"] == "firing"
    assert [a["alertname"] for a in notification["alerts"]] == ["TransportDown"]
    metrics = httpx.get(f"{console}/metrics", auth=auth).text
    assert 'agentwatch_console_notifications_total{receiver="web.hook",status="firing"} 1.0' in (
        metrics
    )
    # Alertmanager counts no failed notification (what AlertmanagerNotificationsFailing reads).
    am_metrics = httpx.get(f"{alertmanager}/metrics").text
    failed = [
        line
        for line in am_metrics.splitlines()
        if line.startswith("alertmanager_notifications_failed_total") and not line.endswith(" 0")
    ]
    assert failed == []
    assert "TransportDown" in httpx.get(f"{console}/notifications", auth=auth).text
