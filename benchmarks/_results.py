"""One row of the results: our figure, the peer's, the target, and whether it was met."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, TypedDict

from ._timing import Stats

__all__ = [
    "CPU_OVERHEAD",
    "INFORMATIONAL",
    "Peer",
    "PeerFigure",
    "Result",
    "Row",
    "Spread",
    "Target",
]


def _amount(value: float, unit: str) -> str:
    return f"{value:g}{unit}" if unit.startswith("%") else f"{value:g} {unit}"


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
        # A figure that could not be measured (NaN) meets no target: both comparisons are False.
        return value <= self.limit if self.at_most else value >= self.limit


INFORMATIONAL = Target("informational (no target)")
# Seed 004's "< 2% CPU overhead", read against one core: a share of the whole machine would
# shrink as the machine grows, for the same work.
CPU_OVERHEAD = Target.ours_at_most(2, "% of one core", " (seed 004)")


@dataclass(frozen=True, slots=True)
class Peer:
    name: str
    stats: Stats


class PeerFigure(TypedDict):
    name: str
    figure: float | None


class Spread(TypedDict):
    """The range over the kept repetitions; the row's figures are the medians."""

    runs: int
    ours: list[float | None]
    peer: list[float | None] | None


class Row(TypedDict):
    """One result as results.json holds it. ``None`` for a figure: not measured."""

    module: str
    name: str
    ours: float | None
    peer: PeerFigure | None
    ratio: float | None
    unit: str
    target: str
    met: bool | None
    spread: Spread
    notes: str


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
        ratio = self.ours.median / self.peer.stats.median
        return ratio if math.isfinite(ratio) else None

    @property
    def met(self) -> bool | None:
        return self.target.met(self.ours.median, self.ratio)

    def to_json(self, module: str) -> Row:
        peer = self.peer
        return {
            "module": module,
            "name": self.name,
            "ours": _round(self.ours.median),
            "peer": None
            if peer is None
            else {"name": peer.name, "figure": _round(peer.stats.median)},
            "ratio": None if self.ratio is None else round(self.ratio, 4),
            "unit": self.unit,
            "target": self.target.text,
            "met": self.met,
            "spread": {
                "runs": self.ours.runs,
                "ours": [_round(self.ours.low), _round(self.ours.high)],
                "peer": None if peer is None else [_round(peer.stats.low), _round(peer.stats.high)],
            },
            "notes": self.notes,
        }


def _round(value: float) -> float | None:
    """Four significant digits: more would only report noise. NaN (not measured) is null,
    so results.json stays strict JSON."""
    return float(f"{value:.4g}") if math.isfinite(value) else None
