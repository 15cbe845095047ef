"""Streaming anomaly detection: a score in [0, 1] per point, 0.5 or more is anomalous.

``StreamingDetector`` scores one series from its past only; ``ANOMALY_SERIES`` and
``score_latest`` are what the analytics service serves as ``anomaly_score{series}``;
``python -m agentwatch.analytics.anomaly.evaluate`` measures precision and recall.
"""

from typing import TYPE_CHECKING

from agentwatch._lazy import lazy_exports

# Imported when first used (agentwatch._lazy): the CLI needs only DetectorConfig's defaults.
if TYPE_CHECKING:
    from ._config import DetectorConfig
    from ._csv import SeriesFileError, read_series, write_scores
    from ._detector import WARMUP_SCORE, StreamingDetector
    from ._serving import ANOMALY_SERIES, MIN_SPREAD, RangeQuerier, score_latest, series_config
else:
    __getattr__, __dir__ = lazy_exports(__name__)

__all__ = [
    "ANOMALY_SERIES",
    "MIN_SPREAD",
    "WARMUP_SCORE",
    "DetectorConfig",
    "RangeQuerier",
    "SeriesFileError",
    "StreamingDetector",
    "read_series",
    "score_latest",
    "series_config",
    "write_scores",
]
