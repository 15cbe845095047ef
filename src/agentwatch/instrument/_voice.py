"""Voice pipeline instrumentation: biometric authentication, audio capture, recognition."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator

import numpy as np
from numpy.typing import NDArray
from prometheus_client.metrics_core import Metric

from agentwatch import catalog as c
from agentwatch.catalog import LATENCY_BUCKETS
from agentwatch.catalog.prometheus import counter, histogram
from agentwatch.security import Pseudonymizer
from agentwatch.spec import CardinalityLimits

from ._cardinality import OVERFLOW, SeriesLimit, overflow_family
from ._histogram import Histogram
from ._privacy import default_pseudonymizer, hash_labels

__all__ = ["RECOGNITION_OUTCOMES", "VoiceMonitor"]

# A false positive is a phrase accepted although nobody said it; the system that knows the
# ground truth (the simulator, or a labelled test set) is the one to report it.
RECOGNITION_OUTCOMES = ("correct", "rejected", "false_positive")


class VoiceMonitor:
    """``pseudonymizer`` hashes the values of its label names on every family served (see
    ``AgentFleet``); default: the spec's default names under a per-process key.
    ``cardinality`` caps the anomaly kinds and stages (docs/cardinality.md); results and
    outcomes are closed sets."""

    def __init__(
        self,
        *,
        pseudonymizer: Pseudonymizer | None = None,
        cardinality: CardinalityLimits | None = None,
    ) -> None:
        self.pseudonymizer = pseudonymizer or default_pseudonymizer()
        limits = cardinality or CardinalityLimits()
        self._anomalies_limit = SeriesLimit(
            limits.voice_anomaly_kinds,
            (c.VOICE_AUDIO_CAPTURE_ANOMALIES_TOTAL,),
            "voice_anomaly_kinds",
        )
        self._stages_limit = SeriesLimit(
            limits.voice_stages, (c.VOICE_PROCESSING_TIME_SECONDS,), "voice_stages"
        )
        self._lock = threading.Lock()
        self._auth: Counter[str] = Counter()
        self._anomalies: Counter[str] = Counter()
        self._recognitions: Counter[str] = Counter()
        self._stages: dict[str, Histogram] = {}

    def record_auth(self, *, success: bool, count: int = 1) -> None:
        with self._lock:
            self._auth["success" if success else "failure"] += count

    def record_capture_anomaly(self, kind: str, count: int = 1) -> None:
        with self._lock:
            anomalies = self._anomalies
            if kind not in anomalies:
                kind = self._anomalies_limit.place(kind, OVERFLOW)
            anomalies[kind] += count

    def record_recognition(self, outcome: str, count: int = 1) -> None:
        if outcome not in RECOGNITION_OUTCOMES:
            raise ValueError(
                f"outcome must be one of {', '.join(RECOGNITION_OUTCOMES)}, got {outcome!r}"
            )
        with self._lock:
            self._recognitions[outcome] += count

    def observe_stage(self, stage: str, seconds: float) -> None:
        with self._lock:
            self._stage(stage).observe(seconds)

    def observe_stage_many(self, stage: str, seconds: NDArray[np.float64]) -> None:
        with self._lock:
            self._stage(stage).observe_many(seconds)

    def _stage(self, stage: str) -> Histogram:
        histogram = self._stages.get(stage)
        if histogram is None:
            stage = self._stages_limit.place(stage, OVERFLOW)
            histogram = self._stages.get(stage)
            if histogram is None:
                histogram = self._stages[stage] = Histogram(LATENCY_BUCKETS)
        return histogram

    def collector(self) -> VoiceCollector:
        return VoiceCollector(self)


class VoiceCollector:
    def __init__(self, monitor: VoiceMonitor) -> None:
        self._monitor = monitor

    def collect(self) -> Iterator[Metric]:
        return hash_labels(self._families(), self._monitor.pseudonymizer)

    def _families(self) -> Iterator[Metric]:
        m = self._monitor
        with m._lock:
            auth = sorted(m._auth.items())
            anomalies = sorted(m._anomalies.items())
            recognitions = sorted(m._recognitions.items())
            stages = [(name, *h.snapshot()) for name, h in sorted(m._stages.items())]
        for family, values in (
            (c.VOICE_BIOMETRIC_AUTH_TOTAL, auth),
            (c.VOICE_AUDIO_CAPTURE_ANOMALIES_TOTAL, anomalies),
            (c.VOICE_RECOGNITION_TOTAL, recognitions),
        ):
            metric = counter(family)
            for label, count in values:
                metric.add_metric([label], count)
            yield metric
        timing = histogram(c.VOICE_PROCESSING_TIME_SECONDS)
        for stage, buckets, total in stages:
            timing.add_metric([stage], buckets, total)
        yield timing
        yield overflow_family((m._anomalies_limit, m._stages_limit))
