"""The whole job: simulate labelled scenarios, choose and fit a model, grade it on held-out
scenarios next to simple baselines."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._dataset import HORIZON_SECONDS, ScenarioData, build_datasets
from ._defaults import DEFAULT_MINUTES, DEFAULT_TEST_SCENARIOS, DEFAULT_TRAIN_SCENARIOS
from ._evaluate import THRESHOLD, EventMetrics, evaluate_scores
from ._features import FEATURE_NAMES
from ._model import FailureModel
from ._scenarios import Scenario, Split, make_scenarios
from ._train import CrossValidation, cross_validate, fit, rows, scores

__all__ = [
    "BASELINES",
    "DEFAULT_MINUTES",
    "DEFAULT_TEST_SCENARIOS",
    "DEFAULT_TRAIN_SCENARIOS",
    "Progress",
    "TrainReport",
    "evaluate_model",
    "held_out_metrics",
    "train_model",
]

MEMORY_BASELINE_RATIO = 0.9
HEALTH_BASELINE_MIN = 50.0  # spec thresholds.agent_health_min

# (stage, scenarios done, scenarios in the stage)
Progress = Callable[[str, int, int], None]


def _memory_baseline(data: ScenarioData) -> NDArray[np.float64]:
    return np.where(data.memory_ratio > MEMORY_BASELINE_RATIO, 100.0, 0.0)


def _health_baseline(data: ScenarioData) -> NDArray[np.float64]:
    return np.where(data.health < HEALTH_BASELINE_MIN, 100.0, 0.0)


_TTL = FEATURE_NAMES.index("memory_ttl_15m")


def _trend_baseline(data: ScenarioData) -> NDArray[np.float64]:
    # What predict_linear(agent_memory_bytes[15m], 900) > limit says: the 15-minute
    # least-squares trend reaches the limit within the horizon.
    ttl = data.features[..., _TTL]
    return np.where(ttl < HORIZON_SECONDS / 60, 100.0, 0.0)


# Alarms a user could set without a model, scored as 100 when they hold.
BASELINES: dict[str, Callable[[ScenarioData], NDArray[np.float64]]] = {
    f"baseline: memory > {MEMORY_BASELINE_RATIO:g}": _memory_baseline,
    f"baseline: health < {HEALTH_BASELINE_MIN:g}": _health_baseline,
    "baseline: 15m memory trend hits limit in 15m": _trend_baseline,
}


def held_out_metrics(model: FailureModel, datasets: Sequence[ScenarioData]) -> list[EventMetrics]:
    """The model's metrics, then each baseline's, on the same datasets."""
    results = [evaluate_scores(f"model: {model.name}", datasets, scores(model, datasets))]
    for name, baseline in BASELINES.items():
        results.append(evaluate_scores(name, datasets, [baseline(d) for d in datasets]))
    return results


def _simulate(
    split: Split, count: int, minutes: float, workers: int, progress: Progress | None
) -> list[ScenarioData]:
    scenarios: list[Scenario] = make_scenarios(split, count, minutes=minutes)
    done = 0
    stage = f"simulating {split.value} scenarios"
    if progress is not None:
        progress(stage, 0, len(scenarios))

    def tick(_: ScenarioData) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(stage, done, len(scenarios))

    return build_datasets(scenarios, workers=workers, progress=tick)


@dataclass(frozen=True, slots=True)
class TrainReport:
    model: FailureModel
    cross_validation: list[CrossValidation]
    held_out: list[EventMetrics]
    train_rows: int
    train_positives: int
    seconds: float


def _summary(metrics: EventMetrics) -> dict[str, Any]:
    summary = asdict(metrics)
    summary.pop("lead_minutes")
    figures = {
        "precision": metrics.precision,
        "recall": metrics.recall,
        "median_lead_minutes": metrics.median_lead_minutes,
    }
    # JSON has no NaN: a figure with nothing to measure (no alarms, no detection) is null.
    return summary | {k: None if math.isnan(v) else v for k, v in figures.items()}


def train_model(
    *,
    train_scenarios: int = DEFAULT_TRAIN_SCENARIOS,
    test_scenarios: int = DEFAULT_TEST_SCENARIOS,
    minutes: float = DEFAULT_MINUTES,
    workers: int = 1,
    progress: Progress | None = None,
) -> TrainReport:
    """Simulate, choose a candidate by scenario cross-validation, fit it on all training
    scenarios and grade it on held-out ones; the model's metadata records all of it."""
    began = time.monotonic()
    train = _simulate(Split.TRAIN, train_scenarios, minutes, workers, progress)
    if progress is not None:
        progress("cross-validating candidates", 0, 1)
    validation = cross_validate(train)
    best = max(validation, key=lambda v: v.f1)  # max keeps the first of equals: the simpler
    if progress is not None:
        progress("cross-validating candidates", 1, 1)
        progress("fitting the chosen model", 0, 1)
    model = fit(train, best.candidate)
    if progress is not None:
        progress("fitting the chosen model", 1, 1)
    test = _simulate(Split.TEST, test_scenarios, minutes, workers, progress)
    held_out = held_out_metrics(model, test)
    _, labels = rows(train)
    report = TrainReport(
        model,
        validation,
        held_out,
        len(labels),
        int(labels.sum()),
        time.monotonic() - began,
    )
    model.metadata = {
        "threshold": THRESHOLD,
        "horizon_seconds": HORIZON_SECONDS,
        "train_scenarios": train_scenarios,
        "test_scenarios": test_scenarios,
        "scenario_minutes": minutes,
        "train_rows": report.train_rows,
        "train_positives": report.train_positives,
        "cross_validation": {v.candidate: _summary(v.metrics) | {"f1": v.f1} for v in validation},
        "held_out": [_summary(m) for m in held_out],
    }
    return report


def evaluate_model(
    model: FailureModel,
    *,
    test_scenarios: int = DEFAULT_TEST_SCENARIOS,
    minutes: float = DEFAULT_MINUTES,
    workers: int = 1,
    progress: Progress | None = None,
) -> list[EventMetrics]:
    """``model`` and the baselines on freshly simulated held-out scenarios."""
    test = _simulate(Split.TEST, test_scenarios, minutes, workers, progress)
    return held_out_metrics(model, test)
