"""Window-based (event-level) precision, recall and detection delay.

- A labelled window ``[start, end]`` is extended by ``tolerance`` seconds after its end:
  the series are rates over up to 5 minutes, and a system needs a moment to recover, so the
  fault still shows that long after it stopped.
- An event is detected when any series scores at or above the threshold at a point inside
  its extended window; its delay is the time from the window's start to the first such point.
- A false alarm is a maximal run of consecutive points at or above the threshold, in one
  series, that touches no extended window.
- Recall = detected events / events; precision = detected events / (detected events + false
  alarms). Counting events rather than alarm runs keeps one fault that trips five series
  from counting five times.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["EventOutcome", "Labelled", "Outcome", "alarm_runs", "judge"]


@dataclass(frozen=True, slots=True)
class Labelled:
    """One labelled event: what it was and when (unix seconds, or any increasing unit)."""

    label: str
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class EventOutcome:
    event: Labelled
    delay: float | None  # None: missed
    series: tuple[str, ...]  # the series that flagged it
    # Longest time one series stayed at or above the threshold (last - first point of an
    # alarm run touching the window): an alert with ``for: D`` fires only if this is >= D.
    held: float = 0.0

    @property
    def detected(self) -> bool:
        return self.delay is not None


@dataclass(frozen=True, slots=True)
class Outcome:
    events: tuple[EventOutcome, ...]
    false_alarms: Mapping[str, int]  # series -> runs outside every window

    @property
    def detected(self) -> int:
        return sum(e.detected for e in self.events)

    @property
    def false_alarm_count(self) -> int:
        return sum(self.false_alarms.values())


def alarm_runs(flags: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(first, last) index of each maximal run of True."""
    padded = np.concatenate(([False], flags, [False])).astype(np.int8)
    edges = np.diff(padded)
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) - 1
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def judge(
    timestamps: NDArray[np.float64],
    scores: Mapping[str, NDArray[np.float64]],
    events: Sequence[Labelled],
    *,
    threshold: float,
    tolerance: float,
) -> Outcome:
    """Compare the alarms in ``scores`` (series -> score per timestamp) with ``events``."""
    inside = np.zeros(len(timestamps), dtype=bool)
    for event in events:
        inside |= (timestamps >= event.start) & (timestamps <= event.end + tolerance)
    outcomes = []
    for event in events:
        window = (timestamps >= event.start) & (timestamps <= event.end + tolerance)
        first: float | None = None
        flagged = []
        held = 0.0
        for name, score in scores.items():
            alarm = np.nan_to_num(score, nan=0.0) >= threshold
            hits = np.flatnonzero(window & alarm)
            if not len(hits):
                continue
            flagged.append(name)
            at = float(timestamps[hits[0]]) - event.start
            first = at if first is None else min(first, at)
            for a, b in alarm_runs(alarm):
                if window[a : b + 1].any():
                    held = max(held, float(timestamps[b] - timestamps[a]))
        outcomes.append(EventOutcome(event, first, tuple(flagged), held))
    false_alarms = {
        name: sum(
            1
            for a, b in alarm_runs(np.nan_to_num(score, nan=0.0) >= threshold)
            if not inside[a : b + 1].any()
        )
        for name, score in scores.items()
    }
    return Outcome(tuple(outcomes), false_alarms)
