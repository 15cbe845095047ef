"""The trained model as it ships: a joblib file of our own plus a JSON sidecar that says what
built it, so a model from another scikit-learn is refused with a clear message, not loaded into
undefined behaviour.

Only the file inside this package (or one that ``agentwatch analytics train --out`` wrote) is
ever loaded: joblib runs code from the file it loads, so never point it at a file you did not
build yourself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from numpy.typing import NDArray
from threadpoolctl import threadpool_limits

from ._defaults import MODEL_DIR
from ._features import FEATURE_NAMES

__all__ = [
    "FORMAT_VERSION",
    "MODEL_DIR",
    "FailureModel",
    "ModelError",
    "load_model",
    "save_model",
]

FORMAT_VERSION = 1
MODEL_FILE = "model.joblib"
META_FILE = "model.json"
RETRAIN = "run `agentwatch analytics train` to build one with the scikit-learn installed here"


class ModelError(RuntimeError):
    """The model cannot be used (missing, or built by an incompatible version)."""


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


@dataclass
class FailureModel:
    """A classifier over FEATURE_NAMES; ``score`` is its probability of failure times 100."""

    estimator: Any
    name: str
    horizon_seconds: float
    metadata: dict[str, Any] = field(default_factory=dict)

    def score(self, features: NDArray[np.float64]) -> NDArray[np.float64]:
        """Scores 0-100 for rows of features (..., len(FEATURE_NAMES))."""
        shape = features.shape[:-1]
        rows = features.reshape(-1, len(FEATURE_NAMES))
        if not len(rows):
            return np.zeros(shape)
        # One thread: batches are small, and OpenMP threads spinning on a busy machine cost
        # far more than they save.
        with threadpool_limits(limits=1):
            probability = self.estimator.predict_proba(rows)[:, 1]
        return np.asarray(probability * 100.0, dtype=np.float64).reshape(shape)


def save_model(model: FailureModel, directory: Path) -> tuple[Path, Path]:
    """Write the model and its sidecar into ``directory``; returns both paths."""
    directory.mkdir(parents=True, exist_ok=True)
    path, meta = directory / MODEL_FILE, directory / META_FILE
    joblib.dump(model.estimator, path, compress=3)
    sidecar = {
        "format_version": FORMAT_VERSION,
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "model": model.name,
        "features": list(FEATURE_NAMES),
        "horizon_seconds": model.horizon_seconds,
        **model.metadata,
    }
    meta.write_text(json.dumps(sidecar, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path, meta


def load_model(directory: Path | None = None) -> FailureModel:
    """The model in ``directory`` (default: the one shipped with agentwatch)."""
    directory = MODEL_DIR if directory is None else directory
    path, meta = directory / MODEL_FILE, directory / META_FILE
    if not path.is_file() or not meta.is_file():
        raise ModelError(
            f"no failure-prediction model in {directory} ({MODEL_FILE}, {META_FILE}); {RETRAIN}"
        )
    try:
        sidecar = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{meta}: unreadable ({exc}); {RETRAIN}") from None
    if not isinstance(sidecar, dict):
        raise ModelError(f"{meta}: expected a JSON object; {RETRAIN}")
    built = str(sidecar.get("sklearn_version", "?"))
    if sidecar.get("format_version") != FORMAT_VERSION:
        raise ModelError(
            f"{meta}: format_version {sidecar.get('format_version')!r}, this agentwatch reads "
            f"{FORMAT_VERSION}; {RETRAIN}"
        )
    if _minor(built) != _minor(sklearn.__version__):
        raise ModelError(
            f"{path} was built with scikit-learn {built}, this is {sklearn.__version__}; {RETRAIN}"
        )
    if tuple(sidecar.get("features", ())) != FEATURE_NAMES:
        raise ModelError(f"{meta}: the model's features are not this agentwatch's; {RETRAIN}")
    estimator = joblib.load(path)
    extra = {
        k: v
        for k, v in sidecar.items()
        if k not in {"format_version", "features", "model", "horizon_seconds"}
    }
    return FailureModel(
        estimator, str(sidecar.get("model")), float(sidecar["horizon_seconds"]), extra
    )
