"""Rendering the local Prometheus and Alertmanager configs into the home, then checking them
with the tools that ship with the binaries, so a bad file fails before any process starts."""

from __future__ import annotations

import hashlib
from pathlib import Path

import bcrypt

from agentwatch.generate.alertmanager import alertmanager_config
from agentwatch.generate.prometheus import ScrapeAuth, prometheus_config
from agentwatch.generate.rule_tree import rule_files
from agentwatch.generate.web_config import web_config
from agentwatch.render import write_text, write_yaml
from agentwatch.security import AuditAction, AuditLog, ensure_secrets

from ._errors import ConfigInvalidError
from ._plan import StackPlan
from ._tools import run_tool

__all__ = ["audit_config_change", "prepare_secrets", "render_configs", "validate_configs"]

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


def audit_config_change(plan: StackPlan) -> None:
    """A `config_changed` entry when the effective spec differs from the last start's (its
    digest is kept in HOME/config/spec.sha256), so the log shows who ran what, and when."""
    digest = hashlib.sha256(plan.spec.model_dump_json().encode()).hexdigest()
    kept = plan.home.config_dir / "spec.sha256"
    before = kept.read_text().strip() if kept.exists() else None
    if before == digest:
        return
    write_text(kept, digest + "\n")
    if plan.spec.security.audit_log:
        AuditLog(plan.home.audit_log).record(
            AuditAction.CONFIG_CHANGED,
            actor="agentwatch up",
            config=str(plan.config_path) if plan.config_path is not None else "(seed defaults)",
            spec_sha256=digest,
            previous_sha256=before,
        )


def _prometheus_configs(plan: StackPlan) -> list[Path]:
    """One Prometheus config; with ha.prometheus_replicas, two alike but for the replica label."""
    home = plan.home
    if plan.spec.ha.prometheus_replicas:
        return [home.prometheus_config, home.prometheus_2_config]
    return [home.prometheus_config]


def render_configs(plan: StackPlan) -> list[Path]:
    home = plan.home
    home.rules_dir.mkdir(parents=True, exist_ok=True)
    auth = prepare_secrets(plan)
    audit_config_change(plan)
    configs = _prometheus_configs(plan)
    if len(configs) == 1:
        home.prometheus_2_config.unlink(missing_ok=True)
    for replica, path in enumerate(configs):
        write_yaml(
            path,
            prometheus_config(
                plan.spec,
                rule_files=[home.rules_glob],
                demo=plan.demo,
                auth=auth,
                replica=replica if len(configs) > 1 else None,
            ),
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
    return [*configs, home.alertmanager_config]


def _check(argv: list[str], what: str, path: Path) -> None:
    result = run_tool(what, argv, timeout=_CHECK_TIMEOUT)
    if not result.ran:
        raise ConfigInvalidError(f"could not check {path} with {argv[0]}: {result.output}")
    if not result.ok:
        raise ConfigInvalidError(
            f"{path} is not a valid {what} configuration (`{' '.join(argv)}` said):\n"
            f"{result.output}"
        )


def validate_configs(plan: StackPlan) -> None:
    home = plan.home
    for config in _prometheus_configs(plan):
        _check(
            [str(plan.binaries.promtool), "check", "config", str(config)],
            "Prometheus",
            config,
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
