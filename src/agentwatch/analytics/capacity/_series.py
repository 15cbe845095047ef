"""Regular series from what Prometheus returned: one value per step, gaps and junk handled.

Prometheus leaves a step out when the expression had no value there (a scrape failed, the
stack was down), and a ratio can be NaN (0/0) or Inf (x/0). A forecast needs a regular grid,
so: NaN and Inf count as missing; short gaps are interpolated linearly; after a long gap only
the stretch since it is used, because bridging hours of nothing would invent data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "MAX_GAP_STEPS",
    "History",
    "NoForecastError",
    "NotEnoughDataError",
    "block_mean",
    "regularise",
]

# Gaps of up to this many missing steps are interpolated (15 min at 5 min, 3 h at 1 h).
MAX_GAP_STEPS = 3


class NoForecastError(ValueError):
    """Why a series has no forecast; the message is fit to show as is."""


class NotEnoughDataError(NoForecastError):
    """The series cannot support a forecast; the message says why ("not enough data: ...")."""

    def __init__(self, why: str) -> None:
        super().__init__(f"not enough data: {why}")


@dataclass(frozen=True, slots=True)
class History:
    """A regular series: ``values[i]`` is the value at ``start + i * step`` (unix seconds)."""

    start: float
    step: float
    values: NDArray[np.float64]
    notes: tuple[str, ...] = ()

    @property
    def timestamps(self) -> NDArray[np.float64]:
        return self.start + self.step * np.arange(len(self.values), dtype=np.float64)

    @property
    def end(self) -> float:
        return self.start + self.step * (len(self.values) - 1)

    @property
    def duration(self) -> float:
        return self.step * len(self.values)


def _runs(missing: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """[start, stop) index ranges of consecutive True values."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], missing.astype(np.int8), [0]))))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def regularise(
    timestamps: NDArray[np.float64],
    values: NDArray[np.float64],
    step: float,
    *,
    max_gap_steps: int = MAX_GAP_STEPS,
) -> History:
    """The samples on a grid of ``step`` seconds; NotEnoughDataError if nothing usable remains."""
    if len(timestamps) != len(values):
        raise ValueError("timestamps and values differ in length")
    finite = np.isfinite(values)
    notes: list[str] = []
    bad = int((~finite & ~np.isnan(values)).sum())
    if bad:
        notes.append(f"{bad} infinite values treated as missing")
    if not finite.any():
        raise NotEnoughDataError("no finite values in the range")
    t0 = float(timestamps[finite][0])
    index = np.rint((timestamps - t0) / step).astype(np.int64)
    keep = finite & (index >= 0)
    grid = np.full(int(index[keep].max()) + 1, np.nan)
    grid[index[keep]] = values[keep]
    missing = np.isnan(grid)
    runs = _runs(missing)
    long = [(a, b) for a, b in runs if b - a > max_gap_steps]
    if long:
        cut = long[-1][1]
        notes.append(
            f"gap of {(long[-1][1] - long[-1][0]) * step / 60:g} min at "
            f"{t0 + long[-1][0] * step:.0f}: using only the {len(grid) - cut} steps after it"
        )
        grid = grid[cut:]
        t0 += cut * step
        missing = np.isnan(grid)
        runs = _runs(missing)
    if runs:
        known = np.flatnonzero(~missing)
        grid[missing] = np.interp(np.flatnonzero(missing), known, grid[known])
        notes.append(f"{int(missing.sum())} missing steps in {len(runs)} short gaps interpolated")
    return History(t0, step, grid, tuple(notes))


def block_mean(values: NDArray[np.float64], factor: int) -> NDArray[np.float64]:
    """Means of consecutive blocks of ``factor`` values (a partial first block is dropped, so
    the last block ends at the last value); NaN-aware, NaN when a block has no values."""
    if factor < 1:
        raise ValueError("factor must be at least 1")
    usable = len(values) - len(values) % factor
    blocks = values[len(values) - usable :].reshape(-1, factor)
    with np.errstate(invalid="ignore"):
        counts = np.isfinite(blocks).sum(axis=1)
        sums = np.where(np.isfinite(blocks), blocks, 0.0).sum(axis=1)
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
