"""Options and error handling shared by the commands."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from agentwatch.clients import Auth, home_service_account
from agentwatch.exit_codes import EXIT_BAD_INPUT, EXIT_RUNTIME
from agentwatch.security import (
    NO_SECRETS_WARNING,
    Authenticator,
    Secrets,
    SecretsError,
    endpoint_authenticator,
    find_secrets,
)
from agentwatch.spec import Spec, SpecError, Tracing, duration_seconds, load_spec

console = Console()
err_console = Console(stderr=True)
#: The spec file every command reads when --config is not given.
CONFIG_ENV = "AGENTWATCH_CONFIG"


HomeOption = Annotated[
    Path | None,
    typer.Option(
        "--home",
        help="State directory (data, logs, pids). Default: $AGENTWATCH_HOME, else ./.agentwatch",
        show_default=False,
    ),
]
PrometheusOption = Annotated[
    str | None,
    typer.Option(
        "--prometheus",
        help="Prometheus URL. Default: http://127.0.0.1:<ports.prometheus of the spec>",
        show_default=False,
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="agentwatch.yaml. Default: $AGENTWATCH_CONFIG, else the seed defaults",
        show_default=False,
    ),
]


def resolve_home(home: Path | None) -> Path:
    if home is not None:
        return home.resolve()
    env = os.environ.get("AGENTWATCH_HOME")
    return Path(env).resolve() if env else (Path.cwd() / ".agentwatch").resolve()


def fail(message: str, code: int = EXIT_RUNTIME) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def prometheus_url(spec: Spec, given: str | None) -> str:
    """--prometheus, else the local stack's Prometheus."""
    return given or f"http://127.0.0.1:{spec.ports.prometheus}"


def home_secrets(home: Path | None = None) -> Secrets | None:
    """$AGENTWATCH_SECRETS, else the home's secrets; None when there are none; exit 1 when
    the file is unreadable or readable by others."""
    try:
        return find_secrets(resolve_home(home))
    except SecretsError as exc:
        fail(str(exc))


def client_auth(home: Path | None = None) -> Auth | None:
    """The service account of the home's secrets, for a Prometheus (or exporter) that
    `agentwatch up` started with authentication; None when there are no secrets; exit 1 when
    the file is unreadable or readable by others."""
    try:
        return home_service_account(resolve_home(home))
    except SecretsError as exc:
        fail(str(exc))


def serving_authenticator(spec: Spec, home: Path | None = None) -> Authenticator | None:
    """What a long-running command's endpoints check requests with; exit 2 when they would
    listen beyond loopback without secrets; a warning when they serve open on loopback."""
    try:
        authenticator = endpoint_authenticator(spec, home)
    except SecretsError as exc:
        fail(str(exc), EXIT_BAD_INPUT)
    if authenticator is None and spec.security.auth:
        err_console.print(f"[yellow]warning:[/] {NO_SECRETS_WARNING}", highlight=False)
    return authenticator


def check_window(window: str) -> None:
    """Exit 2 unless --window is a Prometheus duration."""
    try:
        duration_seconds(window)
    except ValueError as exc:
        fail(f"--window: {exc}", EXIT_BAD_INPUT)


def stop_on_signals() -> threading.Event:
    """An event that SIGTERM and SIGINT (Ctrl-C) set: a long-running command waits on it."""
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    return stop


def config_file(given: Path | None) -> Path | None:
    """--config, else $AGENTWATCH_CONFIG, else None: the seed defaults."""
    if given is not None:
        return given
    named = os.environ.get(CONFIG_ENV)
    return Path(named) if named else None


def load_config(path: Path | None) -> Spec:
    """The spec of ``config_file(path)``, or exit 2 with every problem named by file and field."""
    try:
        return load_spec(config_file(path))
    except SpecError as exc:
        fail_bad_file(exc)


def fail_bad_file(exc: SpecError) -> NoReturn:
    """Exit 2 naming each problem by file and field, one line each: a path is never wrapped
    mid-name (soft wrap), and a field such as ``labels['a b']`` is never read as markup."""
    for field, problem in exc.problems:
        err_console.print(
            f"[bold red]error:[/] {escape(exc.source)}: [bold]{escape(field or '(top level)')}[/]: "
            f"{escape(problem)}",
            highlight=False,
            soft_wrap=True,
        )
    raise typer.Exit(EXIT_BAD_INPUT) from None


def tracing_line(tracing: Tracing) -> str:
    """What the simulated system does with its spans, in one line for start-up output."""
    if not tracing.enabled:
        return "tracing: off (tracing.enabled is false)"
    line = (
        f"tracing: about {tracing.budget_spans_per_second:g} spans/s sampled, the last "
        "traces kept in memory (`agentwatch traces`)"
    )
    if tracing.otlp_endpoint is None:
        return line + "; not exported (set tracing.otlp_endpoint to send them to a collector)"
    return line + f" and sent over OTLP {tracing.otlp_protocol} to {tracing.otlp_endpoint}"
