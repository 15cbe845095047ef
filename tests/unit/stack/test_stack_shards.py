"""`agentwatch up` runs one Prometheus, so a sharded spec is bad input there (exit 2), named."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from agentwatch.cli import app
from agentwatch.spec import Spec
from agentwatch.stack import StackError, StackHome, plan_stack


def test_plan_stack_refuses_a_sharded_spec_naming_the_file_and_field(tmp_path: Path) -> None:
    spec = Spec.model_validate({"scrape": {"shards": 2}})
    config = tmp_path / "agentwatch.yaml"
    with pytest.raises(StackError) as raised:
        plan_stack(spec, StackHome(tmp_path / "home"), config_path=config, demo=True)
    assert raised.value.exit_code == 2
    assert raised.value.message.startswith(f"{config}: scrape.shards: 2 shards")
    assert "prometheus-shard-<i>.yml" in raised.value.message


def test_up_exits_2_on_a_sharded_spec_before_touching_the_home(tmp_path: Path) -> None:
    config = tmp_path / "agentwatch.yaml"
    config.write_text("scrape:\n  shards: 3\n")
    home = tmp_path / "home"
    result = CliRunner().invoke(app, ["up", "--config", str(config), "--home", str(home)])
    assert result.exit_code == 2, result.output
    assert "scrape.shards: 3 shards" in " ".join(result.output.split())
    assert not home.exists()
