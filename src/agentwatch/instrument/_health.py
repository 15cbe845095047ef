"""The agent health score, 0-100, from what the agent is really doing.

Starts from the seed's original deductions (cpu, memory, queue, error rate, heartbeat age),
rescaled so each deduction grows smoothly from its threshold to its full weight.
docs/metrics.md repeats this formula; keep the two together.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["HealthInputs", "health_score"]

CPU_THRESHOLD, CPU_WEIGHT = 0.8, 30.0
MEMORY_THRESHOLD, MEMORY_WEIGHT = 0.8, 30.0
QUEUE_THRESHOLD, QUEUE_FULL, QUEUE_WEIGHT = 100.0, 1000.0, 20.0
ERROR_THRESHOLD, ERROR_FULL, ERROR_WEIGHT = 0.01, 0.10, 30.0
HEARTBEAT_MAX_AGE_SECONDS, HEARTBEAT_WEIGHT = 30.0, 50.0


@dataclass(frozen=True, slots=True)
class HealthInputs:
    failed: bool
    cpu_ratio: float
    memory_ratio: float
    queue_depth: float
    error_ratio: float
    heartbeat_age_seconds: float


def _ramp(value: float, start: float, full: float, weight: float) -> float:
    """0 up to ``start``, ``weight`` from ``full`` on, linear between."""
    if value <= start:
        return 0.0
    return weight * min(1.0, (value - start) / (full - start))


def health_score(state: HealthInputs) -> float:
    if state.failed:
        return 0.0
    score = 100.0
    score -= _ramp(state.cpu_ratio, CPU_THRESHOLD, 1.0, CPU_WEIGHT)
    score -= _ramp(state.memory_ratio, MEMORY_THRESHOLD, 1.0, MEMORY_WEIGHT)
    score -= _ramp(state.queue_depth, QUEUE_THRESHOLD, QUEUE_FULL, QUEUE_WEIGHT)
    score -= _ramp(state.error_ratio, ERROR_THRESHOLD, ERROR_FULL, ERROR_WEIGHT)
    if state.heartbeat_age_seconds > HEARTBEAT_MAX_AGE_SECONDS:
        score -= HEARTBEAT_WEIGHT
    return max(0.0, min(100.0, score))
