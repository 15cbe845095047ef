"""Queueing maths on hand-checked numbers."""

from __future__ import annotations

import numpy as np
import pytest

from agentwatch.analytics._results import Priority, ScalingAction
from agentwatch.analytics.capacity import Outlook, TypeLoad, recommend_nodes, recommend_type
from agentwatch.analytics.capacity._bottlenecks import predict_bottlenecks


def _load(rate: float = 10.0) -> TypeLoad:
    # 4 instances x 2 workers, 0.5 s per message: c = 8, cμ = 16 msg/s.
    return TypeLoad("planner", rate, 0.5, 2.0, 4, queue=20.0)


def _growth(factors: list[float]) -> Outlook:
    ahead = 3600.0 * np.arange(1, len(factors) + 1, dtype=np.float64)
    return Outlook(1.0, ahead, np.array(factors))


def test_utilisation_and_littles_law() -> None:
    load = _load()
    assert load.servers == 8
    assert load.utilisation == pytest.approx(10 * 0.5 / 8)  # 0.625
    assert load.queue_time == pytest.approx(20 / 10)  # W = L / λ = 2 s
    # 14 msg/s x 0.5 s / (2 workers x 0.7) = 5 instances exactly.
    assert load.instances_for(14.0) == 5
    assert load.instances_for(14.1) == 6


def test_forecast_growth_drives_scale_up_with_timing() -> None:
    # Load 1.0, 1.05, 1.2 x now: ρ = 0.625, 0.656, 0.75 -> crosses 0.7 in 3 h (MEDIUM).
    rec = recommend_type(_load(), _growth([1.0, 1.05, 1.2]))
    assert rec.action is ScalingAction.SCALE_UP
    assert rec.current == 4
    # Peak λ = 12 msg/s: 12 x 0.5 / (2 x 0.7) = 4.29 -> 5 instances.
    assert rec.target == 5
    assert (rec.priority, rec.timeline) == (Priority.MEDIUM, "within 6h")
    assert "0.62 now" in rec.reason
    assert "W = L/λ = 2.00 s" in rec.reason


def test_already_over_target_is_immediate_and_low_load_scales_down() -> None:
    hot = recommend_type(_load(12.0), _growth([1.0]))  # ρ = 0.75 now
    assert (hot.priority, hot.timeline) == (Priority.HIGH, "immediate")
    cold = recommend_type(_load(2.0), _growth([1.0, 1.1]))  # 2.2 x 0.5 / 1.4 -> 1 instance
    assert cold.action is ScalingAction.SCALE_DOWN
    assert cold.target == 1


def test_compute_nodes_sized_by_the_binding_resource() -> None:
    cpu = Outlook(0.6, np.array([3600.0]), np.array([0.84]))
    memory = Outlook(0.3, np.array([3600.0]), np.array([0.35]))
    rec = recommend_nodes(24, {"cpu": cpu, "memory": memory}, {"cpu": "CPU"})
    assert rec is not None
    # 24 x 0.84 / 0.7 = 28.8 -> 29 nodes; CPU crosses 0.7 within 1 h: HIGH.
    assert (rec.current, rec.target) == (24, 29)
    assert rec.priority is Priority.HIGH
    assert rec.reason.startswith("CPU utilization at 60.0%")


def test_bottleneck_is_the_first_to_saturate() -> None:
    cpu = Outlook(0.5, np.array([3600.0, 7200.0]), np.array([0.8, 0.95]))
    found = predict_bottlenecks({"cpu": cpu}, {"cpu": 0.9}, {"planner": _load()}, None)
    assert found.severity["cpu"] == pytest.approx(0.95 / 0.9)
    assert found.saturation_in["cpu"] == 7200.0
    assert found.severity["agent:planner"] == pytest.approx(0.625)
    assert found.first() == ("cpu", 7200.0)
