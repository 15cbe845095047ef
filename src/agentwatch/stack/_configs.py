"""Rendering the local Prometheus and Alertmanager configs into the home, then checking them
with the tools that ship with the binaries, so a bad file fails before any process starts."""

from __future__ import annotations

import subprocess
from pathlib import Path

from agentwatch.generate.alertmanager import alertmanager_config
from agentwatch.generate.local_stack import prometheus_config
from agentwatch.generate.rules import rule_files
from agentwatch.render import write_yaml

from ._errors import ConfigInvalidError
from ._plan import StackPlan

__all__ = ["render_configs", "validate_configs"]

_CHECK_TIMEOUT = 60.0


def render_configs(plan: StackPlan) -> list[Path]:
    home = plan.home
    home.rules_dir.mkdir(parents=True, exist_ok=True)
    write_yaml(
        home.prometheus_config,
        prometheus_config(plan.spec, rule_files=[home.rules_glob], demo=plan.demo),
    )
    write_yaml(
        home.alertmanager_config,
        alertmanager_config(plan.spec, secrets_dir=str(home.root / "secrets")),
    )
    # The same rules `agentwatch generate` writes: what runs locally is what the tests ran.
    # HOME/rules belongs to agentwatch, so rules no longer generated are removed.
    rules = rule_files(plan.spec)
    for stale in home.rules_dir.glob("*.yml"):
        if stale.name not in rules:
            stale.unlink()
    for name, content in rules.items():
        write_yaml(home.rules_dir / name, content)
    return [home.prometheus_config, home.alertmanager_config]


def _check(argv: list[str], what: str, path: Path) -> None:
    try:
        result = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=_CHECK_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ConfigInvalidError(f"could not check {path} with {argv[0]}: {exc}") from None
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()
        raise ConfigInvalidError(
            f"{path} is not a valid {what} configuration (`{' '.join(argv)}` said):\n{output}"
        )


def validate_configs(plan: StackPlan) -> None:
    home = plan.home
    _check(
        [str(plan.binaries.promtool), "check", "config", str(home.prometheus_config)],
        "Prometheus",
        home.prometheus_config,
    )
    _check(
        [str(plan.binaries.amtool), "check-config", str(home.alertmanager_config)],
        "Alertmanager",
        home.alertmanager_config,
    )
