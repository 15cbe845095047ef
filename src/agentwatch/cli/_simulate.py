"""agentwatch simulate / fault: the built-in simulated agent system, live or as history."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from agentwatch.exit_codes import EXIT_BAD_INPUT
from agentwatch.simulate import FaultKind
from agentwatch.spec import Spec, duration_seconds

from ._app import app
from ._common import (
    ConfigOption,
    client_auth,
    console,
    fail,
    home_secrets,
    load_config,
    serving_authenticator,
    tracing_line,
)

if TYPE_CHECKING:
    from agentwatch.simulate import BackfillResult, Fault


def _duration(flag: str, text: str | None) -> float | None:
    if text is None:
        return None
    try:
        seconds = duration_seconds(text)
    except ValueError as exc:
        fail(f"{flag} {text!r}: {exc}", EXIT_BAD_INPUT)
    if seconds <= 0:
        fail(f"{flag} {text!r}: expected a positive duration", EXIT_BAD_INPUT)
    return seconds


def _faults(spec: Spec, texts: list[str]) -> list[Fault]:
    """Parsed faults whose targets exist in this spec, or exit 2 naming the flag value."""
    from agentwatch.simulate import FaultError, build_topology, parse_fault, resolve_target

    faults = []
    topology = build_topology(spec)
    for text in texts:
        try:
            fault = parse_fault(text)
            resolve_target(fault, topology)
        except FaultError as exc:
            fail(f"--fault: {exc}", EXIT_BAD_INPUT)
        faults.append(fault)
    return faults


def _human(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.3g}{unit}"
    return f"{seconds:.3g}s"


@app.command()
def simulate(
    *,
    config: ConfigOption = None,
    fault: Annotated[
        list[str] | None,
        typer.Option(
            "--fault",
            help="Inject a fault, e.g. memory_leak:agent=optimizer-0:at=60s:for=10m, "
            "crash:type=security:at=30s:for=2m, emergency_flood:at=10s:for=1m:rate=500. "
            "Repeatable.",
            show_default=False,
        ),
    ] = None,
    duration: Annotated[
        str | None,
        typer.Option("--duration", help="Stop after this much wall time (live mode)."),
    ] = None,
    history: Annotated[
        str | None,
        typer.Option(
            "--backfill",
            help="Instead of running live, simulate this much history ending now (e.g. 7d) "
            "and write it as Prometheus TSDB blocks into --tsdb.",
            show_default=False,
        ),
    ] = None,
    tsdb: Annotated[
        Path | None,
        typer.Option(
            "--tsdb", help="Prometheus data directory for --backfill.", show_default=False
        ),
    ] = None,
    step: Annotated[
        str, typer.Option("--step", help="Simulated time between history snapshots.")
    ] = "60s",
) -> None:
    """Run the built-in simulated multi-agent system and serve its exporters."""
    spec = load_config(config)
    faults = _faults(spec, fault or [])
    wall = _duration("--duration", duration)
    step_seconds = _duration("--step", step)
    assert step_seconds is not None
    if history is not None:
        length = _duration("--backfill", history)
        assert length is not None
        if tsdb is None:
            fail(
                "--backfill needs --tsdb DIR: the Prometheus data directory to write",
                EXIT_BAD_INPUT,
            )
        _backfill(spec, length, tsdb, step_seconds, faults)
        return
    if tsdb is not None:
        fail("--tsdb is only used with --backfill DURATION", EXIT_BAD_INPUT)
    _live(spec, faults, wall)


def _live(spec: Spec, faults: list[Fault], wall: float | None) -> None:
    from agentwatch.exporters import PortInUseError
    from agentwatch.simulate import LiveSimulation, otlp_metrics_url

    secrets = home_secrets()
    # The simulated developers push to the receiver with the token it asks for.
    headers = {"Authorization": f"Bearer {secrets.scrape_token}"} if secrets else None
    simulation = LiveSimulation(spec, faults, otlp_headers=headers)
    try:
        endpoints = simulation.start_servers(serving_authenticator(spec))
    except PortInUseError as exc:
        fail(str(exc.strerror))
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    sim = spec.simulation
    console.print(
        f"[bold]simulated agent system[/]: {len(spec.agent_types)} agent types × "
        f"{sim.agents_per_type} agents × {sim.workers_per_agent} workers, "
        f"{sim.request_rate:g} requests/s at the daily mean, "
        f"simulated time ×{sim.time_compression:g}",
        highlight=False,
    )
    table = Table("endpoint", "URL", box=None, highlight=False)
    for endpoint in endpoints:
        table.add_row(endpoint.name, endpoint.url)
    console.print(table)
    console.print(tracing_line(spec.tracing), highlight=False, soft_wrap=True)
    if simulation.developers is not None:
        console.print(
            f"simulated Claude Code telemetry of {simulation.developers.developers} developers "
            f"(demo data) goes to the OTLP receiver at {otlp_metrics_url(spec)}",
            highlight=False,
            soft_wrap=True,
        )
    for item in simulation.scheduled():
        console.print(
            f"fault scheduled: {escape(item.fault.describe())} "
            f"(in {_human(item.start - simulation.engine.start)} of simulated time)",
            highlight=False,
        )
    started = time.monotonic()
    try:
        simulation.run(stop, wall_seconds=wall)
    finally:
        simulation.stop_servers()
        simulation.stop_exports()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    ledger = simulation.engine.ledger
    console.print(
        f"stopped after {_human(time.monotonic() - started)}: the simulated system created "
        f"{ledger.created:,} messages, processed {ledger.processed:,}, "
        f"dropped {ledger.dropped_total:,}",
        highlight=False,
    )


def _backfill(spec: Spec, length: float, tsdb: Path, step: float, faults: list[Fault]) -> None:
    console.print(
        f"simulating {_human(length)} of history (snapshots every {_human(step)}) into "
        f"{escape(str(tsdb))}",
        highlight=False,
    )
    if console.is_terminal:
        columns = (
            TextColumn("simulated history"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("history", total=length)

            def advance(done: float, total: float) -> None:
                progress.update(task, completed=done)

            result = _run_backfill(
                spec, length=length, tsdb=tsdb, step=step, faults=faults, progress=advance
            )
    else:
        # Piped (e.g. into `agentwatch up`): a line every 5%, not a redrawn bar.
        reported = [-1]

        def report(done: float, total: float) -> None:
            percent = int(100 * done / total) // 5 * 5
            if percent > reported[0]:
                reported[0] = percent
                console.print(f"simulated history: {percent}%", highlight=False)

        result = _run_backfill(
            spec, length=length, tsdb=tsdb, step=step, faults=faults, progress=report
        )
    console.print(
        f"wrote {_human(result.end - result.start)} of simulated history: "
        f"{result.snapshots:,} snapshots, {result.samples:,} samples, "
        f"{result.messages:,} simulated messages, {len(result.blocks)} TSDB blocks in "
        f"{escape(str(tsdb))} ({result.seconds:.0f}s)",
        highlight=False,
    )


def _run_backfill(
    spec: Spec,
    *,
    length: float,
    tsdb: Path,
    step: float,
    faults: list[Fault],
    progress: Callable[[float, float], None],
) -> BackfillResult:
    from agentwatch.simulate import BackfillError, backfill

    try:
        return backfill(
            spec, duration=length, tsdb=tsdb, step=step, faults=faults, progress=progress
        )
    except BackfillError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        # SIGINT, or the SIGTERM `agentwatch up` sends: the workers are already stopped.
        fail(
            "stopped before the simulated history was complete; the 2-hour blocks already "
            f"written stay in {tsdb} (delete them to start over)"
        )


@app.command(name="fault")
def fault_command(  # noqa: PLR0917  (typer: the kind is positional, the rest options)
    kind: Annotated[
        str,
        typer.Argument(
            help=f"One of: {', '.join(k.value for k in FaultKind)}; or 'list' to show "
            "what is scheduled."
        ),
    ],
    target: Annotated[
        str | None,
        typer.Option("--target", help="An agent id (security-0) or an agent type (security)."),
    ] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="Start this much simulated time from now.")
    ] = None,
    length: Annotated[str | None, typer.Option("--for", help="How long the fault lasts.")] = None,
    rate: Annotated[
        float | None,
        typer.Option("--rate", help="Messages/s (flood), attempts/s (unauthorized), MiB/s (leak)."),
    ] = None,
    factor: Annotated[
        float | None, typer.Option("--factor", help="Slowdown: service time multiplier.")
    ] = None,
    ratio: Annotated[
        float | None, typer.Option("--ratio", help="Voice faults: share of attempts affected.")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Inject a fault into the running simulated system (agentwatch simulate / agentwatch up)."""
    from agentwatch.simulate import ControlError, FaultError, list_faults, parse_fault, send_fault

    spec = load_config(config)
    port = spec.simulation.control_port
    if kind == "list":
        try:
            answer = list_faults(port=port, auth=client_auth())
        except ControlError as exc:
            fail(str(exc))
        table = Table("fault", "agents", "state", highlight=False)
        now = float(answer["now"])
        for item in answer["faults"]:
            if item["active"]:
                state = f"active, {_human(item['end'] - now)} left"
            elif item["start"] > now:
                state = f"in {_human(item['start'] - now)}"
            else:
                state = "over"
            table.add_row(escape(item["fault"]), escape(", ".join(item["agents"]) or "-"), state)
        console.print(table)
        return
    parts = [kind]
    if target is not None:
        parts.append(f"{'type' if target in spec.agent_types else 'agent'}={target}")
    for key, value in (("at", at), ("for", length)):
        if value is not None:
            parts.append(f"{key}={value}")
    for key, number in (("rate", rate), ("factor", factor), ("ratio", ratio)):
        if number is not None:
            parts.append(f"{key}={number:g}")
    text = ":".join(parts)
    try:
        parse_fault(text)
    except FaultError as exc:
        fail(str(exc), EXIT_BAD_INPUT)
    try:
        answer = send_fault(text, port=port, auth=client_auth())
    except ControlError as exc:
        message = str(exc)
        fail(message, EXIT_BAD_INPUT if message.startswith("fault ") else 1)
    console.print(
        f"injected {escape(answer['fault'])} into the simulated system "
        f"(agents: {escape(', '.join(answer['agents']) or 'system-wide')}, "
        f"for {_human(answer['end'] - answer['start'])})",
        highlight=False,
    )
