"""The Prometheus API client against two real Prometheus-compatible servers.

Both hold the same samples, written before the server answers queries: Prometheus reads
blocks that promtool built from an OpenMetrics file, VictoriaMetrics takes them through its
import API. The same assertions then hold for both: known values at known times, a refused
query quoting the server's message, and a stopped server reported as unreachable.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from agentwatch.clients.prometheus import MAX_POINTS_PER_SERIES, PrometheusAPI, PrometheusError

from .support import Server, prometheus_on_samples, start_victoria_metrics, wait_until

METRIC = "promapi_probe"
STEP = 60
COUNT = 30
# Whole minutes, an hour ago: inside every retention, older than VictoriaMetrics' 30 s
# search.latencyOffset, and on the grid of every step used below.
T0 = (int(time.time()) // 3600 - 1) * 3600
TIMES = [T0 + i * STEP for i in range(COUNT)]
# Binary fractions, so every value survives text and float round trips exactly.
VALUES = {
    "a": [0.5 + 2 * i for i in range(COUNT)],
    "b": [-1.25 * i for i in range(COUNT)],
}


def _prometheus(directory: Path, *, with_samples: bool) -> Server:
    lines = [f"# TYPE {METRIC} gauge"]
    for series, values in VALUES.items():
        lines += [
            f'{METRIC}{{series="{series}"}} {v} {t}' for t, v in zip(TIMES, values, strict=True)
        ]
    return prometheus_on_samples(directory, lines if with_samples else None)


def _victoria_metrics(directory: Path, *, with_samples: bool) -> Server:
    backend = start_victoria_metrics(directory)
    url = backend.url
    if with_samples:
        lines = [
            f'{METRIC}{{series="{series}"}} {v} {t * 1000}'
            for series, values in VALUES.items()
            for t, v in zip(TIMES, values, strict=True)
        ]
        imported = httpx.post(f"{url}/api/v1/import/prometheus", content="\n".join(lines) + "\n")
        assert imported.status_code == 204, imported.text
        httpx.get(f"{url}/internal/force_flush").raise_for_status()

        # Even flushed, imported series become searchable a moment later (seen under load in
        # a parallel run: the first query found nothing); wait for both, at the last time.
        def searchable() -> bool:
            found = httpx.get(
                f"{url}/api/v1/query", params={"query": METRIC, "time": TIMES[-1]}, timeout=5
            )
            return len(found.json()["data"]["result"]) == len(VALUES)

        wait_until(searchable, "VictoriaMetrics to find the imported series", 30)
    return backend


STARTERS: dict[str, Callable[..., Server]] = {
    "prometheus": _prometheus,
    "victoria-metrics": _victoria_metrics,
}


@pytest.fixture(scope="module", params=sorted(STARTERS))
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    started = STARTERS[request.param](tmp_path_factory.mktemp(request.param), with_samples=True)
    try:
        yield started
    finally:
        started.stop()


def _client(
    backend: Server, sleeps: list[float] | None = None, max_points: int = MAX_POINTS_PER_SERIES
) -> PrometheusAPI:
    record = sleeps if sleeps is not None else []
    return PrometheusAPI(backend.url, sleep=record.append, max_points=max_points)


def test_an_instant_query_returns_the_known_values(backend: Server) -> None:
    with _client(backend) as api:
        for i in (0, 7, COUNT - 1):
            samples = api.query(METRIC, at=TIMES[i])
            got = {s.labels["series"]: s.value for s in samples}
            assert got == {"a": VALUES["a"][i], "b": VALUES["b"][i]}, backend.name
            assert all(s.labels["__name__"] == METRIC for s in samples)
        # Between two samples both APIs answer with the latest one before the time asked for.
        (between,) = api.query(f'{METRIC}{{series="a"}} * 2', at=TIMES[3] + 25)
        assert between.value == 2 * VALUES["a"][3]
        (infinite,) = api.query(f'{METRIC}{{series="b"}} / 0', at=TIMES[5])
        assert infinite.value == -np.inf
        assert api.last_warnings == ()


def test_a_range_query_returns_the_known_values_at_the_known_steps(backend: Server) -> None:
    with _client(backend) as api:
        series = {
            s.labels["series"]: s
            for s in api.query_range(METRIC, start=TIMES[0], end=TIMES[-1], step=STEP)
        }
        # Within the span of the samples a Prometheus-compatible API has no freedom. Outside
        # it they differ: Prometheus repeats the last sample for its 5 min look-back,
        # VictoriaMetrics for about one sample interval; so no assertion looks past TIMES[-1].
        assert sorted(series) == ["a", "b"]
        for name, values in VALUES.items():
            np.testing.assert_array_equal(series[name].timestamps, TIMES)
            np.testing.assert_array_equal(series[name].values, values)
        # A coarser grid that falls between samples sees the latest sample before each step.
        (a,) = api.query_range(
            f'{METRIC}{{series="a"}}', start=TIMES[0] + 30, end=TIMES[-1], step=2 * STEP
        )
        np.testing.assert_array_equal(a.timestamps, [t + 30 for t in TIMES[::2]])
        np.testing.assert_array_equal(a.values, VALUES["a"][::2])


def test_a_range_split_in_parts_equals_the_range_in_one_piece(backend: Server) -> None:
    with _client(backend) as whole, _client(backend, max_points=7) as parts:
        one = whole.query_range(METRIC, start=TIMES[0], end=TIMES[-1], step=STEP)
        split = parts.query_range(METRIC, start=TIMES[0], end=TIMES[-1], step=STEP)
    assert [s.labels for s in one] == [s.labels for s in split]
    for a, b in zip(one, split, strict=True):
        np.testing.assert_array_equal(a.timestamps, b.timestamps)
        np.testing.assert_array_equal(a.values, b.values)


def test_a_bad_query_quotes_the_backend_and_is_not_retried(backend: Server) -> None:
    # VictoriaMetrics names the evaluation time in its message: ask both at the same time.
    raw = httpx.get(f"{backend.url}/api/v1/query", params={"query": "sum(", "time": str(T0)})
    own = raw.json()["error"]
    sleeps: list[float] = []
    with _client(backend, sleeps) as api, pytest.raises(PrometheusError) as caught:
        api.query("sum(", at=T0)
    message = str(caught.value)
    assert own in message
    assert backend.url in message
    assert "'sum('" in message
    assert not caught.value.unreachable
    assert sleeps == []


@pytest.mark.parametrize("name", sorted(STARTERS))
def test_a_stopped_backend_is_unreachable_after_the_retries(name: str, tmp_path: Path) -> None:
    backend = STARTERS[name](tmp_path, with_samples=False)
    try:
        with _client(backend) as api:
            assert api.query("vector(1)")[0].value == 1.0
    finally:
        backend.stop()
    sleeps: list[float] = []
    with _client(backend, sleeps) as api, pytest.raises(PrometheusError) as caught:
        api.query("vector(1)")
    assert caught.value.unreachable
    assert f"cannot reach Prometheus at {backend.url}" in str(caught.value)
    assert "3 attempts" in str(caught.value)
    assert sleeps == [0.2, 0.4]
