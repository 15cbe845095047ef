"""Rendering the local Prometheus and Alertmanager configs into the home, then checking them
with the tools that ship with the binaries, so a bad file fails before any process starts."""

from __future__ import annotations

import subprocess
from pathlib import Path

import bcrypt

from agentwatch.generate.alertmanager import alertmanager_config
from agentwatch.generate.local_stack import ScrapeAuth, prometheus_config
from agentwatch.generate.rules import rule_files
from agentwatch.generate.web_config import web_config
from agentwatch.render import write_yaml
from agentwatch.security import AuditAction, AuditLog, ensure_secrets

from ._errors import ConfigInvalidError
from ._plan import StackPlan

__all__ = ["prepare_secrets", "render_configs", "validate_configs"]

_CHECK_TIMEOUT = 60.0
# Prometheus checks the hash on every request it has not cached; cost 10 keeps that to a few
# milliseconds while still being bcrypt's default strength.
_BCRYPT_ROUNDS = 10


def prepare_secrets(plan: StackPlan) -> ScrapeAuth | None:
    """With security.auth: the home's secrets (generated on the first start, recorded in the
    audit log) and the web config holding their bcrypt hash; None when auth is off."""
    if not plan.spec.security.auth:
        return None
    home = plan.home
    secrets, files, created = ensure_secrets(home.root)
    if created and plan.spec.security.audit_log:
        AuditLog(home.audit_log).record(
            AuditAction.SECRETS_CREATED, actor="agentwatch up", path=str(files.secrets_json)
        )
    service = secrets.service
    hashed = bcrypt.hashpw(service.password.encode(), bcrypt.gensalt(_BCRYPT_ROUNDS)).decode()
    write_yaml(files.web_config, web_config({service.username: hashed}), mode=0o600)
    return ScrapeAuth(
        username=service.username,
        password_file=str(files.service_password),
        token_file=str(files.scrape_token),
    )


def render_configs(plan: StackPlan) -> list[Path]:
    home = plan.home
    home.rules_dir.mkdir(parents=True, exist_ok=True)
    auth = prepare_secrets(plan)
    write_yaml(
        home.prometheus_config,
        prometheus_config(plan.spec, rule_files=[home.rules_glob], demo=plan.demo, auth=auth),
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
    if plan.spec.security.auth:
        web = home.secrets.web_config
        _check(
            [str(plan.binaries.promtool), "check", "web-config", str(web)],
            "Prometheus web",
            web,
        )
    _check(
        [str(plan.binaries.amtool), "check-config", str(home.alertmanager_config)],
        "Alertmanager",
        home.alertmanager_config,
    )
