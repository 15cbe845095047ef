from pathlib import Path

import pytest
from typer.testing import CliRunner

from agentwatch.cli import app


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--fault", "crash"], "--fault: fault 'crash': crash needs a target"),
        (["--fault", "crash:agent=web-7"], "no agent 'web-7'"),
        (["--fault", "crash:type=plumber"], "no agent type 'plumber'"),
        (["--fault", "boom:agent=web-0"], "unknown kind 'boom'"),
        (["--duration", "soon"], "--duration 'soon'"),
        (["--backfill", "7d"], "--backfill needs --tsdb"),
        (["--backfill", "a week", "--tsdb", "x"], "--backfill 'a week'"),
        (["--tsdb", "x"], "--tsdb is only used with --backfill"),
        (["--backfill", "2h", "--tsdb", "x", "--step", "0s"], "--step '0s'"),
    ],
)
def test_bad_arguments_exit_2_naming_the_flag(args: list[str], expected: str) -> None:
    result = CliRunner().invoke(app, ["simulate", *args])
    assert result.exit_code == 2, result.output
    assert expected in " ".join(result.output.split())


def test_fault_needs_a_running_simulation(tmp_path: Path) -> None:
    config = tmp_path / "agentwatch.yaml"
    config.write_text("simulation:\n  control_port: 1\n")
    result = CliRunner().invoke(app, ["fault", "crash", "--target", "web", "--config", str(config)])
    assert result.exit_code == 1
    assert "no simulation answers on http://127.0.0.1:1/faults" in " ".join(result.output.split())


def test_fault_syntax_is_checked_before_sending(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["fault", "slowdown", "--target", "web", "--factor", "0.1"])
    assert result.exit_code == 2
    assert "factor must be between 1 and 1000" in result.output
