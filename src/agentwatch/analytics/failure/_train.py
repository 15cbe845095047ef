"""Training: candidate classifiers, model choice by cross-validation over scenarios, the fit.

Cross-validation folds split by scenario, never by row: rows of one run are strongly
correlated (one leak gives dozens of near-identical rows), so a row split would grade the
model on the runs it learnt from. The candidate with the best event-level F1 at the alert
threshold wins (the alert is what users see), ties going to the simpler model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from ._dataset import HORIZON_SECONDS, ScenarioData
from ._evaluate import EventMetrics, evaluate_scores
from ._model import FailureModel

__all__ = ["CANDIDATES", "CrossValidation", "cross_validate", "fit", "rows"]


def _boosting() -> Any:
    # Fixed iterations (no early stopping on a random row split) keep training deterministic
    # and the file small; NaN (an empty window) is handled natively.
    return HistGradientBoostingClassifier(
        max_iter=200,
        learning_rate=0.05,
        max_leaf_nodes=31,
        min_samples_leaf=50,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=0,
    )


def _logistic() -> Any:
    return make_pipeline(
        SimpleImputer(strategy="median", keep_empty_features=True),
        StandardScaler(),
        LogisticRegression(max_iter=2000, C=1.0),
    )


# Simplest first: a tie goes to the earlier one.
CANDIDATES: dict[str, Callable[[], Any]] = {
    "logistic_regression": _logistic,
    "hist_gradient_boosting": _boosting,
}


def rows(datasets: Sequence[ScenarioData]) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Scored rows of every dataset: (features, labels)."""
    features = [d.features[d.scored] for d in datasets]
    labels = [d.labels[d.scored] for d in datasets]
    return np.concatenate(features), np.concatenate(labels)


def fit(datasets: Sequence[ScenarioData], candidate: str) -> FailureModel:
    features, labels = rows(datasets)
    if labels.all() or not labels.any():
        raise ValueError(
            "the training scenarios need both failing and healthy rows; "
            "give more or longer scenarios"
        )
    estimator = CANDIDATES[candidate]()
    # One thread: OpenMP threads spin-waiting on a shared, busy machine made a boosting fit
    # take 7x longer than on one thread (89 s against 13 s for 200k rows, measured).
    with threadpool_limits(limits=1):
        estimator.fit(features, labels)
    return FailureModel(estimator, candidate, HORIZON_SECONDS)


def scores(model: FailureModel, datasets: Sequence[ScenarioData]) -> list[NDArray[np.float64]]:
    """The model's score for every (time, agent) of each dataset; 0 where not scored."""
    result = []
    for data in datasets:
        score = np.zeros(data.scored.shape)
        score[data.scored] = model.score(data.features[data.scored])
        result.append(score)
    return result


@dataclass(frozen=True, slots=True)
class CrossValidation:
    candidate: str
    metrics: EventMetrics

    @property
    def f1(self) -> float:
        p, r = self.metrics.precision, self.metrics.recall
        if not (p + r > 0):  # also NaN
            return 0.0
        return 2 * p * r / (p + r)


def cross_validate(datasets: Sequence[ScenarioData], *, folds: int = 3) -> list[CrossValidation]:
    """Each candidate's event-level metrics pooled over ``folds`` scenario folds."""
    folds = max(2, min(folds, len(datasets)))
    fold_of = np.arange(len(datasets)) % folds
    results = []
    for candidate in CANDIDATES:
        held: list[ScenarioData] = []
        held_scores: list[NDArray[np.float64]] = []
        for fold in range(folds):
            train = [d for d, f in zip(datasets, fold_of, strict=True) if f != fold]
            test = [d for d, f in zip(datasets, fold_of, strict=True) if f == fold]
            model = fit(train, candidate)
            held += test
            held_scores += scores(model, test)
        results.append(CrossValidation(candidate, evaluate_scores(candidate, held, held_scores)))
    return results
