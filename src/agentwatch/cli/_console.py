"""agentwatch console serve: the web console on spec.listen_address:spec.ports.console."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Annotated

import typer

from agentwatch.catalog.scrape import host_port
from agentwatch.exit_codes import EXIT_BAD_INPUT
from agentwatch.security import SECRETS_ENV, AuditLog, SecretsError, SecretsFiles, find_secrets

from ._app import app
from ._common import (
    ConfigOption,
    HomeOption,
    PrometheusOption,
    config_file,
    console,
    fail,
    load_config,
    prometheus_url,
    resolve_home,
)

__all__ = ["console_app"]

console_app = typer.Typer(
    name="console", help="The web console over Prometheus and Alertmanager.", no_args_is_help=True
)
app.add_typer(console_app)

AlertmanagerOption = Annotated[
    str | None,
    typer.Option(
        "--alertmanager",
        help="Alertmanager URL. Default: http://127.0.0.1:<ports.alertmanager of the spec>",
        show_default=False,
    ),
]
GrafanaOption = Annotated[
    str | None,
    typer.Option(
        "--grafana",
        help="Grafana URL; each view then links to its dashboard there",
        show_default=False,
    ),
]


@console_app.command("serve")
def serve_command(
    *,
    config: ConfigOption = None,
    home: HomeOption = None,
    prometheus: PrometheusOption = None,
    alertmanager: AlertmanagerOption = None,
    grafana: GrafanaOption = None,
    throughput_floor: Annotated[
        float | None,
        typer.Option(
            "--throughput-floor",
            min=0,
            hidden=True,
            help="The throughput floor the stack's rules use (its simulated system's).",
        ),
    ] = None,
) -> None:
    """Serve the console until Ctrl-C or SIGTERM.

    With security.auth (the default) it needs the home's secrets ($AGENTWATCH_SECRETS, else
    HOME/secrets/secrets.json): the console accounts are there.
    """
    from agentwatch.console import ConsoleError, create_app, listen, serve
    from agentwatch.exporters import PortInUseError

    spec = load_config(config)
    if throughput_floor is not None:
        # `agentwatch up` fitted the floor to its simulated system: runbooks state that one.
        thresholds = spec.thresholds.model_copy(
            update={"transport_throughput_min_mps": throughput_floor}
        )
        spec = spec.model_copy(update={"thresholds": thresholds})
    root = resolve_home(home)
    try:
        secrets = find_secrets(root)
    except SecretsError as exc:
        fail(str(exc), EXIT_BAD_INPUT)
    source = os.environ.get(SECRETS_ENV) or str(SecretsFiles(root / "secrets").secrets_json)
    try:
        asgi = create_app(
            spec,
            prometheus_url=prometheus_url(spec, prometheus),
            alertmanager_url=alertmanager or f"http://127.0.0.1:{spec.ports.alertmanager}",
            secrets=secrets,
            grafana_url=grafana,
            audit=AuditLog(root / "audit.log"),
            home=root,
            config_source=str(config_file(config) or "the seed defaults (no --config)"),
        )
    except ConsoleError as exc:
        fail(str(exc) + ("" if secrets is not None else f" (looked for {source})"), EXIT_BAD_INPUT)
    try:
        sock = listen(spec.listen_address, spec.ports.console)
    except PortInUseError as exc:
        fail(str(exc.strerror))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    # A line per Prometheus query, several per page view, would bury what matters.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    address = host_port(spec.listen_address, sock.getsockname()[1])
    console.print(f"console on http://{address}/", highlight=False)
    if spec.security.auth:
        console.print(f"accounts and passwords: {Path(source)} (mode 0600)", highlight=False)
    else:
        console.print("security.auth is off: every visitor is read-only technical", highlight=False)
    serve(asgi, sock)
