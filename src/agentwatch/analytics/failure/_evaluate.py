"""Event-level evaluation of a score (0-100) against the failures of scenario runs.

Definitions (docs/analytics/failure-prediction.md repeats them):
- a target failure is an OOM kill inside the scored part of a run;
- it is detected when the score exceeds the threshold at some scored row in [f - H, f);
  its lead time is f minus the first such row;
- an alarm is a maximal run of consecutive scored rows of one agent with score > threshold;
  it is true when that agent has a target failure in (start, end + H], else false;
- precision = true alarms / alarms, recall = detected failures / target failures.
Crash faults are counted apart: they are not targets, and an alarm followed only by a crash
is false.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ._dataset import HORIZON_SECONDS, ScenarioData

__all__ = ["THRESHOLD", "EventMetrics", "evaluate_scores"]

THRESHOLD = 80.0  # the AgentFailurePredicted threshold (spec thresholds.failure_prediction_max)


@dataclass(frozen=True, slots=True)
class EventMetrics:
    name: str
    failures: int
    detected: int
    alarms: int
    true_alarms: int
    lead_minutes: tuple[float, ...]
    crashes: int
    crashes_warned: int

    @property
    def precision(self) -> float:
        return self.true_alarms / self.alarms if self.alarms else float("nan")

    @property
    def recall(self) -> float:
        return self.detected / self.failures if self.failures else float("nan")

    @property
    def median_lead_minutes(self) -> float:
        return float(np.median(self.lead_minutes)) if self.lead_minutes else float("nan")


def _runs(flags: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(first, last) row of each maximal run of True."""
    padded = np.concatenate([[False], flags, [False]]).astype(np.int8)
    edges = np.diff(padded)
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) - 1
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def evaluate_scores(
    name: str,
    datasets: Sequence[ScenarioData],
    scores: Sequence[NDArray[np.float64]],
    *,
    threshold: float = THRESHOLD,
    horizon: float = HORIZON_SECONDS,
) -> EventMetrics:
    """Event-level metrics of ``scores`` ((times, agents) per dataset) over ``datasets``."""
    failures = detected = alarms = true_alarms = crashes = crashes_warned = 0
    leads: list[float] = []
    for data, score in zip(datasets, scores, strict=True):
        times = data.times
        alarm = data.scored & (score > threshold)
        oom: dict[int, list[float]] = {}
        for failure in data.failures:
            if failure.oom:
                oom.setdefault(failure.agent, []).append(failure.at)
            if failure.at > data.scored_until:
                continue
            before = alarm[(times >= failure.at - horizon) & (times < failure.at), failure.agent]
            window = times[(times >= failure.at - horizon) & (times < failure.at)]
            if failure.oom:
                failures += 1
                if before.any():
                    detected += 1
                    leads.append((failure.at - window[np.argmax(before)]) / 60.0)
            else:
                crashes += 1
                crashes_warned += int(before.any())
        for agent in range(alarm.shape[1]):
            for first, last in _runs(alarm[:, agent]):
                alarms += 1
                start, end = times[first], times[last] + horizon
                true_alarms += any(start < f <= end for f in oom.get(agent, ()))
    return EventMetrics(
        name, failures, detected, alarms, true_alarms, tuple(leads), crashes, crashes_warned
    )
