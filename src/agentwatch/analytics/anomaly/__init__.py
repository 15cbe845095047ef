"""Streaming anomaly detection: a score in [0, 1] per point, 0.5 or more is anomalous.

``StreamingDetector`` scores one series from its past only; ``ANOMALY_SERIES`` and
``score_latest`` are what the analytics service serves as ``anomaly_score{series}``;
``python -m agentwatch.analytics.anomaly.evaluate`` measures precision and recall.
"""

from ._detector import WARMUP_SCORE, DetectorConfig, StreamingDetector
from ._serving import ANOMALY_SERIES, MIN_SPREAD, RangeQuerier, score_latest, series_config

__all__ = [
    "ANOMALY_SERIES",
    "MIN_SPREAD",
    "WARMUP_SCORE",
    "DetectorConfig",
    "RangeQuerier",
    "StreamingDetector",
    "score_latest",
    "series_config",
]
