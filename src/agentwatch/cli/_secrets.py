"""agentwatch secrets: where the generated credentials are, who can log in, and Grafana's
admin password handed to the compose stack."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from agentwatch.exit_codes import EXIT_BAD_INPUT
from agentwatch.security import (
    ALERT_WEBHOOK_TOKEN_FILE,
    AuditAction,
    AuditLog,
    SecretsError,
    ensure_secrets,
    load_secrets,
)
from agentwatch.stack import StackHome

from ._app import app
from ._common import (
    HomeOption,
    console,
    fail,
    resolve_home,
)

secrets_app = typer.Typer(
    name="secrets",
    help="The home's generated credentials (HOME/secrets, mode 0600).",
    no_args_is_help=True,
)
app.add_typer(secrets_app)


@secrets_app.command()
def show(
    home: HomeOption = None,
    reveal: Annotated[
        bool, typer.Option("--reveal", help="Print the console passwords too.")
    ] = False,
) -> None:
    """The accounts and their roles; passwords only with --reveal."""
    files = StackHome(resolve_home(home)).secrets
    if not files.secrets_json.exists():
        fail(f"no secrets in {files.directory}: `agentwatch up` generates them", EXIT_BAD_INPUT)
    try:
        secrets = load_secrets(files.secrets_json)
    except SecretsError as exc:
        fail(str(exc))
    table = Table("account", "role", *(["password"] if reveal else []), highlight=False)
    for account in secrets.accounts():
        table.add_row(account.username, account.role.value, *([account.password] if reveal else []))
    console.print(table)
    console.print(f"in {files.secrets_json} (mode 0600)", highlight=False, soft_wrap=True)


@secrets_app.command()
def compose(
    directory: Annotated[
        Path, typer.Argument(help="The compose tree's secrets/ directory, e.g. monitoring/secrets")
    ],
    home: HomeOption = None,
) -> None:
    """Write the Grafana admin password and web-hook token docker-compose reads (DIRECTORY).

    Both come from the home's secrets: Grafana's admin password, and the token Alertmanager
    sends to the console's web hook.
    """
    from agentwatch.generate.compose import GRAFANA_ADMIN_PASSWORD_SECRET

    root = resolve_home(home)
    try:
        secrets, _, _ = ensure_secrets(root)
    except (SecretsError, OSError) as exc:
        fail(str(exc))
    if directory.exists() and not directory.is_dir():
        fail(f"{directory}: not a directory", EXIT_BAD_INPUT)
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    target = directory / GRAFANA_ADMIN_PASSWORD_SECRET
    token = directory / "alertmanager" / ALERT_WEBHOOK_TOKEN_FILE
    _write_for_containers(target, secrets.grafana_admin_password)
    _write_for_containers(token, secrets.alert_webhook_token)
    audit = AuditLog(StackHome(root).audit_log)
    for path in (target, token):
        audit.record(
            AuditAction.CONFIG_CHANGED, actor="agentwatch secrets compose", wrote=str(path)
        )
    console.print(f"wrote Grafana's admin password to {target} (user admin)", highlight=False)
    console.print(f"wrote Alertmanager's web-hook token to {token}", highlight=False)


def _write_for_containers(path: Path, value: str) -> None:
    # 0644 inside a 0700 directory: the containers read it as their own users (Grafana uid
    # 472, Alertmanager nobody), and other users of this host cannot enter the directory.
    path.parent.mkdir(mode=0o700, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    with os.fdopen(fd, "w") as out:
        out.write(value + "\n")
