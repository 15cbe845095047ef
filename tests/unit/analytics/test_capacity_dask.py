"""Forecasting on a Dask cluster gives what forecasting in process gives; its failures are
clear messages with the documented exit codes.

The cluster is a real ``distributed.LocalCluster`` (2 single-threaded workers, bound to
127.0.0.1, threads in this process so it starts in a fraction of a second), driven through
statsforecast's own fugue/Dask path. Needs ``pip install 'agentwatch[dask]'``: without it the
tests fail, they do not skip.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.typing import NDArray
from typer.testing import CliRunner

from agentwatch.analytics.capacity import (
    COARSE,
    Forecast,
    History,
    NoForecastError,
    NotEnoughDataError,
    forecast_histories,
)
from agentwatch.analytics.capacity._distributed import (
    INSTALL_HINT,
    ClusterError,
    DaskBackend,
    DaskUnavailableError,
    LocalBackend,
    SchedulerUnreachableError,
    current_backend,
    dask_backend,
    use_backend,
)
from agentwatch.cli import app
from tests.integration.support import free_ports

DAY = 86_400.0
HOUR = 3600.0
NOW = 1_700_000_000.0 // HOUR * HOUR
DAYS = 5
# float32: statsforecast's fugue path returns the model columns as float32.
RTOL = 1e-5

runner = CliRunner()


def _require_dask() -> dict[str, Any]:
    try:
        return {
            name: importlib.import_module(name)
            for name in ("dask", "distributed", "fugue_dask", "fugue.api")
        }
    except ImportError as exc:
        pytest.fail(f"the Dask backend tests need {INSTALL_HINT} ({exc})")


@pytest.fixture(scope="module")
def cluster() -> Iterator[DaskBackend]:
    _require_dask()
    with dask_backend(workers=2, processes=False) as backend:
        yield backend


def _history(values: NDArray[np.float64]) -> History:
    return History(NOW - HOUR * (len(values) - 1), HOUR, values)


def _histories() -> dict[str, History]:
    """Six series the fitting path treats differently, at the 1h step: daily waves, a noisy
    trend, a random walk, a constant (no fit) and one too short to forecast."""
    n = DAYS * 24
    t = np.arange(n, dtype=np.float64)
    daily = np.sin(2 * np.pi * t / 24)
    out = {}
    for i in range(2):
        rng = np.random.default_rng(i)
        out[f"wave{i}"] = _history(100 + 40 * daily + rng.normal(0, 3, n))
    rng = np.random.default_rng(7)
    out["trend"] = _history(50 + 0.8 * t + rng.normal(0, 4, n))
    out["walk"] = _history(200 + np.cumsum(rng.normal(0, 5, n)))
    out["constant"] = _history(np.full(n, 56.0))
    out["short"] = _history(100 + 40 * daily[:30])
    return out


def _same(local: Forecast | NoForecastError, remote: Forecast | NoForecastError) -> None:
    if not isinstance(local, Forecast):
        assert type(remote) is type(local)
        assert str(remote) == str(local)
        return
    assert isinstance(remote, Forecast)
    assert remote.model == local.model
    assert remote.seasons == local.seasons
    b, c = local.backtest, remote.backtest
    assert (c.origins, c.horizon_steps, c.naive_season, c.chosen) == (
        b.origins,
        b.horizon_steps,
        b.naive_season,
        b.chosen,
    )
    assert c.mase.keys() == b.mase.keys()
    for name in b.mase:
        assert c.mase[name] == pytest.approx(b.mase[name], rel=RTOL), name
        assert c.mae[name] == pytest.approx(b.mae[name], rel=RTOL), name
    for ours, theirs in ((local.mean, remote.mean), (local.lower, remote.lower)):
        np.testing.assert_allclose(theirs, ours, rtol=RTOL)
    np.testing.assert_allclose(remote.upper, local.upper, rtol=RTOL)
    assert remote.points.keys() == local.points.keys()
    for label, point in local.points.items():
        assert remote.points[label] == pytest.approx(point, rel=RTOL)
    assert remote.omitted == local.omitted


def test_dask_gives_the_same_forecasts_as_in_process(cluster: DaskBackend) -> None:
    distributed = _require_dask()["distributed"]
    histories = _histories()
    local = forecast_histories(histories, COARSE)
    # The route the CLI takes: plan_capacity's forecasts pick up the backend from the context.
    with distributed.get_task_stream(cluster.client) as stream, use_backend(cluster):
        remote = forecast_histories(histories, COARSE)
    assert isinstance(current_backend(), LocalBackend)
    assert len(stream.data) > 0  # the fits really ran on the cluster's workers
    assert remote.keys() == local.keys()
    for key in histories:
        _same(local[key], remote[key])
    # The set covers more than one chosen model (so the per-model refit is compared too),
    # a series fitted by no model and a series without a forecast.
    chosen = {f.model for f in local.values() if isinstance(f, Forecast)}
    assert len(chosen - {"constant"}) >= 2, chosen
    assert "constant" in chosen
    assert isinstance(local["short"], NotEnoughDataError)


def test_dask_backend_returns_what_statsforecast_returns_in_process(
    cluster: DaskBackend,
) -> None:
    n = DAYS * 24
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "unique_id": np.repeat(["a", "b"], n),
            "ds": np.tile(np.arange(n, dtype=np.int64), 2),
            "y": 10 + rng.normal(0, 1, 2 * n),
        }
    )
    statsforecast_models = importlib.import_module("statsforecast.models")
    models: list[object] = [statsforecast_models.AutoETS(model="ZZN", alias="AutoETS")]
    local = LocalBackend().forecast(models, frame, h=24, level=80)
    remote = cluster.forecast(models, frame, h=24, level=80)
    key = ["unique_id", "ds"]
    local = local.sort_values(key).reset_index(drop=True)
    remote = remote.sort_values(key).reset_index(drop=True)
    assert list(remote.columns) == list(local.columns)
    assert dict(remote.dtypes) == dict(local.dtypes)
    pd.testing.assert_frame_equal(remote, local, rtol=RTOL)


class _LostCluster:
    def cross_validation(
        self, models: list[object], df: pd.DataFrame, *, h: int, step_size: int, n_windows: int
    ) -> pd.DataFrame:
        raise ClusterError("Dask cluster at tcp://127.0.0.1:1 failed: CommClosedError")

    def forecast(
        self, models: list[object], df: pd.DataFrame, *, h: int, level: int
    ) -> pd.DataFrame:
        raise AssertionError("not reached")


def test_a_failing_cluster_is_raised_not_blamed_on_the_series() -> None:
    with pytest.raises(ClusterError, match="CommClosedError"):
        forecast_histories(_histories(), COARSE, backend=_LostCluster())


def test_unreachable_scheduler_names_the_address() -> None:
    _require_dask()
    (port,) = free_ports(1)  # nothing listens there
    address = f"tcp://127.0.0.1:{port}"
    with (
        pytest.raises(SchedulerUnreachableError, match=address),
        dask_backend(address, timeout=1.0),
    ):
        pass


def test_cli_unreachable_scheduler_is_exit_1_with_the_address() -> None:
    _require_dask()
    (port,) = free_ports(1)
    address = f"tcp://127.0.0.1:{port}"
    result = runner.invoke(app, ["capacity", "--dask", address, "--dask-timeout", "1"])
    assert result.exit_code == 1, result.output
    assert f"cannot reach the Dask scheduler at {address}" in result.output


def test_cli_unparsable_address_is_exit_2() -> None:
    _require_dask()
    result = runner.invoke(app, ["capacity", "--dask", "bad://x"])
    assert result.exit_code == 2, result.output
    assert "--dask bad://x" in result.output
    assert "unknown address scheme" in result.output


def test_cli_workers_with_a_remote_scheduler_is_exit_2() -> None:
    result = runner.invoke(
        app, ["capacity", "--dask", "tcp://127.0.0.1:8786", "--dask-workers", "3"]
    )
    assert result.exit_code == 2, result.output
    assert "--dask-workers applies to --dask local only" in result.output


def test_missing_packages_say_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    # None in sys.modules makes the import fail as if fugue's Dask engine were not installed.
    monkeypatch.setitem(sys.modules, "fugue_dask", None)
    with (
        pytest.raises(DaskUnavailableError, match=r"pip install 'agentwatch\[dask\]'"),
        dask_backend(),
    ):
        pass
    result = runner.invoke(app, ["capacity", "--dask", "local"])
    assert result.exit_code == 2, result.output
    assert INSTALL_HINT in result.output
