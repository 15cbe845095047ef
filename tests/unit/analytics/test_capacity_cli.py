"""agentwatch capacity: failures are clear messages with the documented exit codes."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from agentwatch.cli import app
from tests.integration.support import free_ports

runner = CliRunner()


def test_unreachable_prometheus_is_exit_1_with_the_url() -> None:
    (port,) = free_ports(1)  # nothing listens there
    url = f"http://127.0.0.1:{port}"
    result = runner.invoke(app, ["capacity", "--prometheus", url])
    assert result.exit_code == 1
    assert "cannot reach Prometheus" in result.output
    assert url in result.output


def test_report_path_that_is_a_directory_is_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["capacity", "--report", str(tmp_path)])
    assert result.exit_code == 2
    assert "is a directory" in result.output
