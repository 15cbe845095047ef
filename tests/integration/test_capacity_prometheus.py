"""predict_linear in numpy against a real Prometheus answering ``predict_linear`` on the same
samples (promtool builds the blocks from an OpenMetrics file before Prometheus starts)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np
import pytest

from agentwatch.analytics.capacity import predict_linear
from agentwatch.clients.prometheus import PrometheusAPI

from .support import prometheus_on_samples

METRIC = "capacity_probe"
STEP = 15
COUNT = 240
T0 = (int(time.time()) // 3600 - 2) * 3600
TIMES = np.array([T0 + i * STEP for i in range(COUNT)], dtype=np.float64)
# A trend, a wave and deterministic noise: a line does not fit it exactly.
VALUES = 50 + 0.01 * (TIMES - T0) + 5 * np.sin((TIMES - T0) / 300) + np.cos(np.arange(COUNT) * 7)


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    lines = [f"# TYPE {METRIC} gauge"]
    lines += [f"{METRIC} {float(v)!r} {int(t)}" for t, v in zip(TIMES, VALUES, strict=True)]
    server = prometheus_on_samples(tmp_path_factory.mktemp("capacity-prometheus"), lines)
    try:
        yield server.url
    finally:
        server.stop()


@pytest.mark.parametrize(("offset", "window", "ahead"), [(1807, 600, 3600), (3007, 1800, 600)])
def test_numpy_predict_linear_equals_prometheus(
    prometheus: str, offset: int, window: int, ahead: int
) -> None:
    # Evaluation times off the sample grid, so no sample sits on the window's edge.
    at = float(T0 + offset)
    with PrometheusAPI(prometheus) as api:
        (sample,) = api.query(f"predict_linear({METRIC}[{window}s], {ahead})", at=at)
    inside = np.greater(TIMES, at - window) & np.less_equal(TIMES, at)
    expected = predict_linear(TIMES[inside], VALUES[inside], at, ahead)
    assert inside.sum() >= window // STEP - 1
    assert sample.value == pytest.approx(expected, rel=1e-9)
