"""agentwatch backup / restore: a TSDB snapshot plus the home's configuration and state in one
archive, and back (docs/backup.md)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from agentwatch.stack import StackError, StackHome
from agentwatch.stack.backup import (
    BackupProgress,
    ProgressCallback,
    create_backup,
    restore_backup,
    running_prometheus_url,
)

from ._app import app
from ._common import (
    HomeOption,
    PrometheusOption,
    client_auth,
    console,
    err_console,
    resolve_home,
)

_DEFAULT_PROMETHEUS = "http://127.0.0.1:9090"
_PHASES = {
    "snapshot": "snapshot",
    "archive": "archiving",
    "verify": "verifying",
    "restore": "restoring",
    "done": "done",
}


def _fail(exc: StackError) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {escape(exc.message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(exc.exit_code)


@contextmanager
def _progress() -> Iterator[ProgressCallback]:
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[files]}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        task: TaskID | None = None

        def update(progress: BackupProgress) -> None:
            nonlocal task
            if progress.phase == "snapshot":
                console.print("Taking a TSDB snapshot through Prometheus' admin API...")
                return
            files = f"{progress.files_done}/{progress.files_total} files"
            description = _PHASES.get(progress.phase, progress.phase)
            if task is None:
                task = bar.add_task(description, total=progress.bytes_total or 1, files=files)
            bar.update(
                task,
                description=description,
                completed=progress.bytes_done,
                total=progress.bytes_total or 1,
                files=files,
            )

        yield update


def _size(count: int) -> str:
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.1f} {unit}" if unit != "B" else f"{count} B"
        value /= 1024
    return f"{count} B"  # pragma: no cover


@app.command()
def backup(
    *,
    home: HomeOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="The archive to write. Default: HOME/backups/agentwatch-<UTC timestamp>.tar.gz",
            show_default=False,
        ),
    ] = None,
    prometheus: PrometheusOption = None,
) -> None:
    """Snapshot the running stack's Prometheus and archive it with the home's configuration,
    rules and state (mode 0600). Secret values are not archived: back up
    HOME/secrets/secrets.json yourself.

    Exit codes: 0 written; 1 Prometheus unreachable or refused; 2 bad arguments.
    """
    stack_home = StackHome(resolve_home(home))
    url = prometheus or running_prometheus_url(stack_home) or _DEFAULT_PROMETHEUS
    auth = client_auth(home)
    try:
        with _progress() as update:
            archive = create_backup(stack_home, url, auth, out, update)
    except StackError as exc:
        _fail(exc)
    console.print(
        f"Backup written: {escape(str(archive))} ({_size(archive.stat().st_size)}, mode 0600).",
        highlight=False,
        soft_wrap=True,
    )
    console.print(
        "Not in the archive: the secret values (HOME/secrets). Keep a copy of "
        f"{escape(str(stack_home.secrets.secrets_json))} somewhere safe; the manifest records "
        "only its sha256 and the account names and roles.",
        highlight=False,
        soft_wrap=True,
    )


@app.command()
def restore(
    archive: Annotated[Path, typer.Argument(help="An archive written by `agentwatch backup`.")],
    *,
    home: HomeOption = None,
) -> None:
    """Bring a backup back into the home. The home's stack must be stopped (`agentwatch down`).

    Every member is checked (names, no links, sha256 against the manifest) before anything is
    replaced; the replaced data is kept aside until the restore succeeded.

    Exit codes: 0 restored; 1 the stack is running, or the restore failed (nothing changed);
    2 the archive is invalid (the message names the member).
    """
    stack_home = StackHome(resolve_home(home))
    try:
        with _progress() as update:
            report = restore_backup(stack_home, archive, update)
    except StackError as exc:
        _fail(exc)
    console.print(
        f"Restored snapshot {escape(report.snapshot)} (taken {escape(report.created)}): "
        f"{report.files} files, {_size(report.bytes)}, into {escape(str(stack_home.root))} "
        f"({escape(', '.join(report.parts))}).",
        highlight=False,
        soft_wrap=True,
    )
    if report.secrets_match is False:
        err_console.print(
            "[yellow]warning:[/] this home's secrets are not the ones the backup was taken with "
            "(secrets.json sha256 differs): pseudonymised label values will not match new ones, "
            "and console users have other passwords. Restore your saved secrets.json to keep them.",
            highlight=False,
            soft_wrap=True,
        )
    console.print(
        f"Start the stack with `agentwatch up --home {escape(str(stack_home.root))}`.",
        highlight=False,
        soft_wrap=True,
    )
