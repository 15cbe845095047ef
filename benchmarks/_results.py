"""One row of the results: our figure, the peer's, the target, and whether it was met."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rich.table import Table

from ._timing import Stats

__all__ = ["INFORMATIONAL", "Peer", "Result", "Target", "render_table", "to_markdown", "write_json"]


@dataclass(frozen=True, slots=True)
class Target:
    """What the figure should be; ``limit`` None means there is no target, only a figure."""

    text: str
    limit: float | None = None
    subject: Literal["ours", "ratio"] = "ratio"
    at_most: bool = True

    @classmethod
    def ratio_at_most(cls, limit: float) -> Target:
        return cls(f"ratio <= {limit:g}", limit)

    @classmethod
    def ours_at_most(cls, limit: float, unit: str, why: str = "") -> Target:
        return cls(f"<= {_amount(limit, unit)}{why}", limit, "ours")

    @classmethod
    def ours_at_least(cls, limit: float, unit: str, why: str = "") -> Target:
        return cls(f">= {_amount(limit, unit)}{why}", limit, "ours", at_most=False)

    def met(self, ours: float, ratio: float | None) -> bool | None:
        value = ours if self.subject == "ours" else ratio
        if self.limit is None or value is None:
            return None
        return value <= self.limit if self.at_most else value >= self.limit


INFORMATIONAL = Target("informational (no target)")


def _amount(value: float, unit: str) -> str:
    return f"{value:g}{unit}" if unit.startswith("%") else f"{value:g} {unit}"


@dataclass(frozen=True, slots=True)
class Peer:
    name: str
    stats: Stats


@dataclass(frozen=True, slots=True)
class Result:
    name: str
    ours: Stats
    unit: str
    target: Target
    notes: str
    peer: Peer | None = None

    @property
    def ratio(self) -> float | None:
        if self.peer is None or not self.peer.stats.median:
            return None
        return self.ours.median / self.peer.stats.median

    @property
    def met(self) -> bool | None:
        return self.target.met(self.ours.median, self.ratio)

    def to_json(self) -> dict[str, object]:
        peer = self.peer
        return {
            "name": self.name,
            "ours": _round(self.ours.median),
            "peer": None
            if peer is None
            else {"name": peer.name, "figure": _round(peer.stats.median)},
            "ratio": None if self.ratio is None else round(self.ratio, 4),
            "unit": self.unit,
            "target": self.target.text,
            "met": self.met,
            "notes": self.notes,
            # Medians above; here the range over the kept repetitions.
            "spread": {
                "runs": self.ours.runs,
                "ours": [_round(self.ours.low), _round(self.ours.high)],
                "peer": None if peer is None else [_round(peer.stats.low), _round(peer.stats.high)],
            },
        }


def _round(value: float) -> float:
    """Four significant digits: more would only report noise."""
    return float(f"{value:.4g}")


def write_json(results: Sequence[Result], path: Path) -> None:
    """Write atomically, so an interrupted run leaves the previous results intact."""
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(json.dumps([r.to_json() for r in results], indent=2) + "\n")
    os.replace(partial, path)


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def _figure(stats: Stats) -> str:
    return f"{_number(stats.median)} ±{stats.spread_pct / 2:.0f}%"


COLUMNS = ("benchmark", "ours", "peer", "ratio", "unit", "target", "met")


def _cells(r: Result, verdicts: dict[bool | None, str]) -> list[str]:
    peer = "–" if r.peer is None else f"{r.peer.name}: {_figure(r.peer.stats)}"
    ratio = "–" if r.ratio is None else f"{r.ratio:.3g}"
    return [r.name, _figure(r.ours), peer, ratio, r.unit, r.target.text, verdicts[r.met]]


def render_table(results: Sequence[Result]) -> Table:
    table = Table(title="agentwatch benchmarks: medians, ± half the range over the rounds")
    for column in COLUMNS:
        table.add_column(column, justify="right" if column in ("ours", "ratio") else "left")
    for r in results:
        table.add_row(*_cells(r, {True: "[green]yes[/]", False: "[red]NO[/]", None: "–"}))
    return table


def to_markdown(results: Sequence[Result]) -> str:
    """The same table for RESULTS.md."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|---|---:|---|---:|---|---|---|"]
    for r in results:
        cells = _cells(r, {True: "yes", False: "**no**", None: "–"})
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
