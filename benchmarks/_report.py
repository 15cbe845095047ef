"""The results file of a run, and what is rendered from it: the console table and the section
of RESULTS.md between the markers, which ``python -m benchmarks --write-markdown`` rewrites.

RESULTS.md quotes no figure by hand: its tables are this module's rendering of results.json,
and tests/unit/benchmarks holds the two equal.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from itertools import groupby
from pathlib import Path
from typing import TypedDict, cast

from rich.markup import escape
from rich.table import Table

from ._results import Row

__all__ = [
    "BEGIN",
    "END",
    "Failure",
    "Machine",
    "RunFile",
    "generated_section",
    "load",
    "render_markdown",
    "render_table",
    "replace_generated",
    "save",
]

BEGIN = "<!-- results:begin -->"
END = "<!-- results:end -->"


class Machine(TypedDict):
    cpus: int | None
    cpu_model: str
    python: str


class Failure(TypedDict):
    module: str
    traceback: str


class RunFile(TypedDict):
    """results.json: what ran, where, from which commit, and the rows."""

    date: str  # ISO 8601, UTC
    commit: str | None  # None: not known (not a git checkout, or a run from before it was kept)
    dirty: bool | None  # uncommitted changes in the tree when the run started
    machine: Machine
    versions: dict[str, str | None]  # None: not installed
    command: str
    smoke: bool
    seconds: float
    # Seconds each module that ran took, failed ones included (None: not recorded).
    modules: dict[str, float | None]
    failed: list[Failure]
    results: list[Row]


def load(path: Path) -> RunFile:
    return cast(RunFile, json.loads(path.read_text(encoding="utf-8")))


def save(run: RunFile, path: Path) -> None:
    """Write atomically: an interrupted run leaves the previous file whole."""
    partial = path.with_name(path.name + ".tmp")
    # allow_nan=False: a NaN would make the file JSON that strict readers refuse.
    text = json.dumps(run, indent=2, ensure_ascii=False, allow_nan=False)
    partial.write_text(text + "\n", encoding="utf-8")
    os.replace(partial, path)


# -- cells, shared by the console table and the Markdown ---------------------------------------

COLUMNS = ("benchmark", "ours", "peer", "ratio", "unit", "target", "met")


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def _figure(value: float | None, span: Sequence[float | None] | None, runs: int) -> str:
    """The median, with ± half the range in percent; a single measurement has no ±."""
    if value is None:
        return "not measured"
    low, high = span if span is not None else (None, None)
    if runs < 2 or low is None or high is None or not value:
        return _number(value)
    return f"{_number(value)} ±{50.0 * (high - low) / abs(value):.0f}%"


def _cells(row: Row, verdicts: dict[bool | None, str]) -> list[str]:
    spread, peer = row["spread"], row["peer"]
    peer_cell = (
        "–"
        if peer is None
        else f"{peer['name']}: {_figure(peer['figure'], spread['peer'], spread['runs'])}"
    )
    return [
        row["name"],
        _figure(row["ours"], spread["ours"], spread["runs"]),
        peer_cell,
        "–" if row["ratio"] is None else f"{row['ratio']:.4g}",
        row["unit"],
        row["target"],
        verdicts[row["met"]],
    ]


def render_table(rows: Iterable[Row]) -> Table:
    table = Table(title="agentwatch benchmarks: medians, ± half the range over the rounds")
    for column in COLUMNS:
        table.add_column(column, justify="right" if column in ("ours", "ratio") else "left")
    verdicts = {True: "[green]yes[/]", False: "[red]NO[/]", None: "–"}
    for row in rows:
        *text, verdict = _cells(row, verdicts)
        # Names and figures are text, not Rich markup; only the verdict is styled.
        table.add_row(*(escape(cell) for cell in text), verdict)
    return table


# -- RESULTS.md ------------------------------------------------------------------------------


def _markdown_cell(text: str) -> str:
    return text.replace("|", "\\|")


def _markdown_table(rows: Sequence[Row]) -> list[str]:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|---|---:|---|---:|---|---|---|"]
    for row in rows:
        cells = _cells(row, {True: "yes", False: "**no**", None: "–"})
        lines.append("| " + " | ".join(_markdown_cell(cell) for cell in cells) + " |")
    return lines


def _notes(rows: Sequence[Row]) -> list[str]:
    lines = []
    for row in rows:
        against = "" if row["peer"] is None else f", against {row['peer']['name']}"
        lines.append(f"- *{row['name']}{against}*: {row['notes']}")
    return lines


def _header(run: RunFile) -> list[str]:
    commit = "commit not recorded" if run["commit"] is None else f"commit `{run['commit'][:12]}`"
    if run["dirty"]:
        commit += " with uncommitted changes"
    machine = run["machine"]
    cpus = "? CPUs" if machine["cpus"] is None else f"{machine['cpus']} CPUs"
    installed = [f"{name} {v}" for name, v in run["versions"].items() if v is not None]
    missing = [name for name, v in run["versions"].items() if v is None]
    versions = ", ".join(installed) + (f"; not installed: {', '.join(missing)}" if missing else "")
    kind = "**smoke run (tiny sizes; its figures mean nothing)**, " if run["smoke"] else ""
    return [
        f"Run of {run['date']}, {commit}: {kind}`{run['command']}`, {run['seconds']:.0f} s in all.",
        f"Machine: {cpus}, {machine['cpu_model']}, Python {machine['python']}.",
        f"Versions: {versions}.",
        "Figures are medians; ± is half the range over the kept repetitions (a figure without"
        " one is a single measurement); ratio is ours / peer; met is – where there is no target.",
    ]


def _status(run: RunFile, modules: Sequence[str]) -> list[str]:
    failed = [f["module"] for f in run["failed"]]
    missing = [name for name in modules if name not in run["modules"]]
    lines = [
        "Modules that failed: "
        + (", ".join(failed) + " (tracebacks in results.json)" if failed else "none")
        + "."
    ]
    if missing:
        lines.append(f"Modules not in this run: {', '.join(missing)}.")
    return lines


def render_markdown(run: RunFile, modules: Sequence[str]) -> str:
    """The generated section, markers included; ``modules`` are all the runner knows, so the
    section says which of them this run left out."""
    lines = [
        BEGIN,
        "<!-- Generated from results.json by `python -m benchmarks --write-markdown`: "
        "do not edit by hand. -->",
        "",
        *_header(run),
        "",
        *_status(run, modules),
    ]
    for module, grouped in groupby(run["results"], key=lambda row: row["module"]):
        rows = list(grouped)
        seconds = run["modules"].get(module)
        took = "" if seconds is None else f" ({seconds:.0f} s)"
        lines += ["", f"### {module}{took}", "", *_markdown_table(rows), "", *_notes(rows)]
    lines.append(END)
    return "\n".join(lines) + "\n"


def _bounds(text: str) -> tuple[int, int]:
    begin, end = text.find(BEGIN), text.find(END)
    if begin < 0 or end < begin:
        raise ValueError(f"no {BEGIN} ... {END} section")
    return begin, end + len(END) + 1  # the line break after the end marker belongs to it


def generated_section(text: str) -> str:
    begin, end = _bounds(text)
    return text[begin:end]


def replace_generated(text: str, section: str) -> str:
    begin, end = _bounds(text)
    return text[:begin] + section + text[end:]
