"""Where the shipped model lives and how large a training run is by default: what the CLI
needs to declare its options without loading scikit-learn and pandas."""

from __future__ import annotations

from pathlib import Path

__all__ = ["DEFAULT_MINUTES", "DEFAULT_TEST_SCENARIOS", "DEFAULT_TRAIN_SCENARIOS", "MODEL_DIR"]

DEFAULT_TRAIN_SCENARIOS = 24
DEFAULT_TEST_SCENARIOS = 12
DEFAULT_MINUTES = 70.0
# model.joblib and model.json ship beside this module.
MODEL_DIR = Path(__file__).parent
