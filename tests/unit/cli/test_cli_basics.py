from pathlib import Path

from typer.testing import CliRunner

from agentwatch.cli import app
from agentwatch.generate.metrics_doc import metrics_markdown

runner = CliRunner()


def test_docs_command_writes_the_metric_reference(tmp_path: Path) -> None:
    result = runner.invoke(app, ["docs", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "metrics.md").read_text() == metrics_markdown()


def test_unknown_option_is_exit_2() -> None:
    result = runner.invoke(app, ["docs", "--no-such-flag"])
    assert result.exit_code == 2


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("agentwatch 0.")
