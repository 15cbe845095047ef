"""agentwatch up / down / status: the local Prometheus + Alertmanager stack."""

from __future__ import annotations

import shlex
from typing import Annotated, NoReturn

import typer
from rich.markup import escape
from rich.table import Table

from agentwatch.exit_codes import EXIT_BAD_INPUT, EXIT_RUNTIME
from agentwatch.spec import Spec, duration_seconds
from agentwatch.stack import (
    StackError,
    StackHome,
    StackStatus,
    plan_stack,
    run_supervisor_process,
    stack_status,
    stop_stack,
    up_stack,
)

from ._app import app
from ._common import (
    ConfigOption,
    HomeOption,
    config_file,
    console,
    err_console,
    fail,
    load_config,
    resolve_home,
    tracing_line,
)


def _fail(exc: StackError) -> NoReturn:
    # Like ``fail``, but never re-wrapped: these messages carry log lines and commands to copy.
    err_console.print(f"[bold red]error:[/] {escape(exc.message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(exc.exit_code)


def _status_table(status: StackStatus) -> Table:
    table = Table("component", "URL", "pid", "status", highlight=False)
    for endpoint in status.endpoints:
        if endpoint.healthy:
            state = "[green]healthy[/]"
        else:
            state = f"[red]{escape(endpoint.problem or 'unhealthy')}[/]"
        if endpoint.cluster:
            state += f" [dim]({escape(endpoint.cluster)})[/]"
        if endpoint.restarts:
            state += f" (restarted {endpoint.restarts}x)"
        table.add_row(escape(endpoint.label), escape(endpoint.url), str(endpoint.pid), state)
    return table


def _home_arg(home: StackHome) -> str:
    return f"--home {shlex.quote(str(home.root))}"


def _show_running(home: StackHome, spec: Spec, *, detached: bool, demo: bool) -> None:
    console.print(_status_table(stack_status(home)))
    if demo:
        console.print(escape(objectives_line(spec)), highlight=False, soft_wrap=True)
        console.print(escape(tracing_line(spec.tracing)), highlight=False, soft_wrap=True)
    if spec.security.auth:
        console.print(
            f"Console users and the service account: {escape(str(home.secrets.secrets_json))}"
            " (mode 0600; docs/security.md)",
            highlight=False,
            soft_wrap=True,
        )
    console.print(f"Logs: {escape(str(home.logs_dir))}/", highlight=False, soft_wrap=True)
    how = "" if detached else "Ctrl-C, or "
    console.print(
        f"Stop it with {how}`agentwatch down {escape(_home_arg(home))}`.",
        highlight=False,
        soft_wrap=True,
    )


def objectives_line(spec: Spec) -> str:
    """What the simulated system carries and the throughput floor it is held to."""
    from agentwatch.simulate import simulated_load  # numpy: only where the demo runs

    load = simulated_load(spec)
    floor = spec.thresholds.transport_throughput_min_mps
    how = (
        "set in the spec"
        if floor != load.throughput_floor
        else f"half of its quietest load, {load.quietest_messages_per_second:,.0f} msg/s"
    )
    return (
        f"objectives: the simulated system sends about {load.mean_messages_per_second:,.0f} "
        f"messages/s on average; its throughput floor is {floor:,.0f} messages/s ({how}; "
        "a system of your own keeps the spec's thresholds, docs/simulation.md)"
    )


def _check_history(history: str) -> None:
    try:
        duration_seconds(history)
    except ValueError as exc:
        fail(f"--history: {exc}", EXIT_BAD_INPUT)


@app.command()
def up(
    *,
    home: HomeOption = None,
    config: ConfigOption = None,
    detach: Annotated[
        bool,
        typer.Option("--detach", help="Run in the background; return once everything is healthy."),
    ] = False,
    no_demo: Annotated[
        bool,
        typer.Option("--no-demo", help="Do not start (or scrape) the built-in simulated agents."),
    ] = False,
    ha: Annotated[
        bool,
        typer.Option(
            "--ha",
            help="Two clustered Alertmanagers (ha.enabled in the spec; docs/ha.md).",
        ),
    ] = False,
    history: Annotated[
        str | None,
        typer.Option(
            "--history",
            help="Backfill this much simulated history (e.g. 7d) before Prometheus starts.",
            show_default=False,
        ),
    ] = None,
    foreground_supervisor: Annotated[
        bool, typer.Option("--foreground-supervisor", hidden=True)
    ] = False,
    ready_fd: Annotated[int | None, typer.Option("--ready-fd", hidden=True)] = None,
    lock_fd: Annotated[int | None, typer.Option("--lock-fd", hidden=True)] = None,
) -> None:
    """Start Prometheus, Alertmanager and the simulated agent system on this machine.

    Data, logs and pid files live in the home directory.
    Every server listens on the spec's listen_address (127.0.0.1 by default).

    Exit codes:
    0 the stack is up (in the foreground: it was stopped cleanly);
    1 runtime failure (binary missing, already running here, a component failed to start);
    2 bad configuration (config file or --history invalid, a port already in use).
    """
    spec = load_config(config)
    if ha:
        spec = spec.model_copy(update={"ha": spec.ha.model_copy(update={"enabled": True})})
    if not no_demo:
        from agentwatch.simulate import with_simulated_objectives

        spec = with_simulated_objectives(spec)
    given = config_file(config)
    config_path = given.resolve() if given is not None else None
    stack_home = StackHome(resolve_home(home))
    if history is not None:
        _check_history(history)
    try:
        plan = plan_stack(spec, stack_home, config_path=config_path, demo=not no_demo)
        if foreground_supervisor:
            # The detached supervisor that `up --detach` starts; not for people to call.
            if ready_fd is None or lock_fd is None:
                fail("--foreground-supervisor needs --ready-fd and --lock-fd", EXIT_BAD_INPUT)
            raise typer.Exit(run_supervisor_process(plan, lock_fd=lock_fd, ready_fd=ready_fd))
        up_stack(
            plan,
            detach=detach,
            history=history,
            on_progress=lambda line: console.print(
                f"[dim]{escape(line)}[/]", highlight=False, soft_wrap=True
            ),
            on_ready=lambda: _show_running(stack_home, spec, detached=detach, demo=not no_demo),
        )
    except StackError as exc:
        _fail(exc)
    if not detach:
        console.print(
            f"Stopped. Data is kept in {escape(str(stack_home.root))}.",
            highlight=False,
            soft_wrap=True,
        )


@app.command()
def status(home: HomeOption = None) -> None:
    """Show each component's health. Exit 0 when every one is healthy, 1 otherwise."""
    stack_home = StackHome(resolve_home(home))
    current = stack_status(stack_home)
    where = escape(str(stack_home.root))
    if current.nothing_running:
        console.print(
            f"Nothing is running in {where}. "
            f"Start the stack with `agentwatch up {escape(_home_arg(stack_home))}`.",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_RUNTIME)
    if current.endpoints:
        console.print(_status_table(current))
    if current.supervisor_pid is None:
        console.print(
            f"[red]No supervisor holds {where}[/]: these processes were left behind. "
            f"Stop them with `agentwatch down {escape(_home_arg(stack_home))}`.",
            highlight=False,
            soft_wrap=True,
        )
    elif current.phase != "running":
        pid = current.supervisor_pid or "unknown"
        console.print(f"The stack is {current.phase or 'starting'} (supervisor pid {pid}).")
    else:
        console.print(
            f"Supervisor pid {current.supervisor_pid}, home {where}",
            highlight=False,
            soft_wrap=True,
        )
    if current.home_space is not None:
        console.print(
            f"Home filesystem: {escape(current.home_space.describe())}",
            highlight=False,
            soft_wrap=True,
        )
    raise typer.Exit(0 if current.healthy else EXIT_RUNTIME)


@app.command()
def down(home: HomeOption = None) -> None:
    """Stop everything `agentwatch up` started in this home. Data is kept; idempotent."""
    stack_home = StackHome(resolve_home(home))
    where = escape(str(stack_home.root))
    report = stop_stack(stack_home)
    if report.nothing_running:
        console.print(f"Nothing is running in {where}.", highlight=False, soft_wrap=True)
        return
    for what, pid, outcome in report.processes:
        console.print(f"{outcome} {escape(what)} (pid {pid})", highlight=False, soft_wrap=True)
    console.print(f"Data is kept in {where}.", highlight=False, soft_wrap=True)
