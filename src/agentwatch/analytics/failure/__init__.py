"""Failure prediction: a scikit-learn model over windowed features of each agent's signals.

Trained on labelled runs of the simulated system's fault scenarios; the trained model ships in
this package (``model.joblib`` + ``model.json``) and ``agentwatch analytics train`` rebuilds it.
docs/analytics/failure-prediction.md describes the signals, labels, model and its evaluation.
"""

from typing import TYPE_CHECKING

from agentwatch._lazy import lazy_exports

# Imported when first used (agentwatch._lazy): the CLI needs only the defaults of
# `agentwatch analytics train`, without scikit-learn and pandas.
if TYPE_CHECKING:
    from ._dataset import HORIZON_SECONDS, ScenarioData, build_datasets, label_rows, prepare
    from ._defaults import (
        DEFAULT_MINUTES,
        DEFAULT_TEST_SCENARIOS,
        DEFAULT_TRAIN_SCENARIOS,
        MODEL_DIR,
    )
    from ._evaluate import THRESHOLD, EventMetrics, evaluate_scores
    from ._features import FEATURE_NAMES, window_features
    from ._model import FailureModel, ModelError, load_model, save_model
    from ._pipeline import (
        BASELINES,
        Progress,
        TrainReport,
        evaluate_model,
        held_out_metrics,
        train_model,
    )
    from ._sample import Failure, ScenarioRun, run_scenario
    from ._scenarios import HELD_OUT_TYPES, Scenario, Split, make_scenarios
    from ._serve import (
        AGENT_SIGNAL_QUERIES,
        LOOKBACK_SECONDS,
        RangeQuerier,
        raw_signals,
        score_agents,
    )
    from ._signals import STEP_SECONDS, Raw, RawSignals, SignalFrame, signal_frame
    from ._train import CANDIDATES, CrossValidation, cross_validate, fit, scores
else:
    __getattr__, __dir__ = lazy_exports(__name__)

__all__ = [
    "AGENT_SIGNAL_QUERIES",
    "BASELINES",
    "CANDIDATES",
    "DEFAULT_MINUTES",
    "DEFAULT_TEST_SCENARIOS",
    "DEFAULT_TRAIN_SCENARIOS",
    "FEATURE_NAMES",
    "HELD_OUT_TYPES",
    "HORIZON_SECONDS",
    "LOOKBACK_SECONDS",
    "MODEL_DIR",
    "STEP_SECONDS",
    "THRESHOLD",
    "CrossValidation",
    "EventMetrics",
    "Failure",
    "FailureModel",
    "ModelError",
    "Progress",
    "RangeQuerier",
    "Raw",
    "RawSignals",
    "Scenario",
    "ScenarioData",
    "ScenarioRun",
    "SignalFrame",
    "Split",
    "TrainReport",
    "build_datasets",
    "cross_validate",
    "evaluate_model",
    "evaluate_scores",
    "fit",
    "held_out_metrics",
    "label_rows",
    "load_model",
    "make_scenarios",
    "prepare",
    "raw_signals",
    "run_scenario",
    "save_model",
    "score_agents",
    "scores",
    "signal_frame",
    "train_model",
    "window_features",
]
