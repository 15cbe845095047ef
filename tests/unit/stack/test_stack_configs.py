"""Rendering the local configs into the home and checking them with promtool and amtool."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from agentwatch.generate.rules import rule_files
from agentwatch.spec import Spec
from agentwatch.stack import Binaries, ConfigInvalidError, StackHome, build_plan
from agentwatch.stack._configs import render_configs, validate_configs


def _failing_tool(directory: Path, name: str, message: str) -> Path:
    path = directory / name
    path.write_text(f"#!/bin/sh\necho '{message}' >&2\nexit 1\n")
    path.chmod(0o755)
    return path


def _passing_tool(directory: Path, name: str) -> Path:
    path = directory / name
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


def test_render_writes_both_files_and_the_rules_dir(tmp_path: Path) -> None:
    home = StackHome(tmp_path / "home")
    fake = Binaries(Path("p"), Path("pt"), Path("a"), Path("at"))
    plan = build_plan(Spec(), home, fake, config_path=None, demo=False)
    assert render_configs(plan) == [home.prometheus_config, home.alertmanager_config]
    assert home.rules_dir.is_dir()
    prometheus = yaml.safe_load(home.prometheus_config.read_text())
    assert prometheus["rule_files"] == [f"{home.root}/rules/*.yml"]
    assert yaml.safe_load(home.alertmanager_config.read_text())["route"]["receiver"] == "web.hook"
    assert sorted(p.name for p in home.rules_dir.glob("*.yml")) == sorted(rule_files(Spec()))


@pytest.mark.parametrize("demo", [True, False])
def test_rendered_configs_pass_promtool_and_amtool(tmp_path: Path, demo: bool) -> None:
    promtool, amtool = shutil.which("promtool"), shutil.which("amtool")
    assert promtool is not None
    assert amtool is not None
    binaries = Binaries(Path("prometheus"), Path(promtool), Path("alertmanager"), Path(amtool))
    plan = build_plan(Spec(), StackHome(tmp_path), binaries, config_path=None, demo=demo)
    render_configs(plan)
    validate_configs(plan)


def test_a_rejected_config_names_the_file_and_the_tool_output(tmp_path: Path) -> None:
    home = StackHome(tmp_path / "home")
    binaries = Binaries(
        Path("prometheus"),
        _failing_tool(tmp_path, "promtool", "FAILED: bad scrape_timeout"),
        Path("alertmanager"),
        _passing_tool(tmp_path, "amtool"),
    )
    plan = build_plan(Spec(), home, binaries, config_path=None, demo=False)
    render_configs(plan)
    with pytest.raises(ConfigInvalidError) as caught:
        validate_configs(plan)
    message = caught.value.message
    assert f"{home.prometheus_config} is not a valid Prometheus configuration" in message
    assert "FAILED: bad scrape_timeout" in message
    assert caught.value.exit_code == 1
