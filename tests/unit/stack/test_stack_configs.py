"""Rendering the local configs into the home and checking them with promtool and amtool."""

from __future__ import annotations

import json
from pathlib import Path

import bcrypt
import pytest
import yaml

from agentwatch.generate.rule_tree import rule_files
from agentwatch.security import AuditLog
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
def test_rendered_configs_pass_promtool_and_amtool(
    tmp_path: Path, demo: bool, promtool: Path, amtool: Path
) -> None:
    binaries = Binaries(Path("prometheus"), promtool, Path("alertmanager"), amtool)
    plan = build_plan(Spec(), StackHome(tmp_path), binaries, config_path=None, demo=demo)
    render_configs(plan)
    validate_configs(plan)


def test_a_rejected_config_names_the_file_and_the_tool_output(tmp_path: Path) -> None:
    home = StackHome(tmp_path / "home")
    binaries = Binaries(
        Path("prometheus"),
        # Named apart from promtool and amtool: tests/tiers.py knows a started program by its
        # name, and these stand-ins run no real tool, so the test stays a unit test.
        _failing_tool(tmp_path, "promtool-stand-in", "FAILED: bad scrape_timeout"),
        Path("alertmanager"),
        _passing_tool(tmp_path, "amtool-stand-in"),
    )
    plan = build_plan(Spec(), home, binaries, config_path=None, demo=False)
    render_configs(plan)
    with pytest.raises(ConfigInvalidError) as caught:
        validate_configs(plan)
    message = caught.value.message
    assert f"{home.prometheus_config} is not a valid Prometheus configuration" in message
    assert "FAILED: bad scrape_timeout" in message
    assert caught.value.exit_code == 1


def test_with_auth_prometheus_reads_credentials_from_files_only(tmp_path: Path) -> None:
    home = StackHome(tmp_path / "home")
    fake = Binaries(Path("p"), Path("pt"), Path("a"), Path("at"))
    plan = build_plan(Spec(), home, fake, config_path=None, demo=True)
    render_configs(plan)
    files = home.secrets
    secrets = json.loads(files.secrets_json.read_text())
    text = home.prometheus_config.read_text()
    assert secrets["service"]["password"] not in text
    assert secrets["scrape_token"] not in text
    jobs = {job["job_name"]: job for job in yaml.safe_load(text)["scrape_configs"]}
    basic = {"username": "agentwatch", "password_file": str(files.service_password)}
    bearer = {"type": "Bearer", "credentials_file": str(files.scrape_token)}
    assert jobs["prometheus"]["basic_auth"] == basic
    assert jobs["alertmanager"]["basic_auth"] == basic
    for name in ("agents", "transport-layer", "voice", "analytics", "claude-framework"):
        assert jobs[name]["authorization"] == bearer, name
    alerting = yaml.safe_load(text)["alerting"]["alertmanagers"][0]
    assert alerting["basic_auth"] == basic
    # The web config holds a bcrypt hash of the service password, never the password.
    users = yaml.safe_load(files.web_config.read_text())["basic_auth_users"]
    hashed = users["agentwatch"].encode()
    assert hashed.startswith(b"$2b$10$")
    assert bcrypt.checkpw(secrets["service"]["password"].encode(), hashed)
    assert secrets["service"]["password"] not in files.web_config.read_text()


def test_the_audit_log_records_secrets_and_each_config_change(tmp_path: Path) -> None:
    home = StackHome(tmp_path / "home")
    fake = Binaries(Path("p"), Path("pt"), Path("a"), Path("at"))
    first = build_plan(Spec(), home, fake, config_path=None, demo=True)
    render_configs(first)
    render_configs(first)  # the same spec again: nothing new to record
    changed = Spec.model_validate({"storage": {"retention": "30d"}})
    config = tmp_path / "agentwatch.yaml"
    render_configs(build_plan(changed, home, fake, config_path=config, demo=True))
    entries = list(AuditLog(home.audit_log).entries())
    assert [e["action"] for e in entries] == [
        "secrets_created", "config_changed", "config_changed"
    ]  # fmt: skip
    assert entries[1]["previous_sha256"] is None
    assert entries[2]["previous_sha256"] == entries[1]["spec_sha256"]
    assert entries[2]["config"] == str(config)
