"""Benchmark: capacity forecasts for 300 series of 15 days at a 1-minute resolution.

Each series is a daily wave with a weekend dip and noise, at 1-minute resolution, as a
Prometheus range query at step 60 s would return it. The production path is timed: block means
down to 5 minutes (last 3 days: 1h and 6h horizons) and to 1 hour (all 15 days: 1d and 1w),
then a rolling-origin backtest of the candidates and a refit of the winner per series
(agentwatch.analytics.capacity.forecast_histories, one process). One run: it takes minutes.
Prophet, when importable, forecasts a subset of the same series at the same hourly step, 1w
horizon and 80% interval, next to our hourly path on the same subset.
When dask, distributed and fugue[dask] are importable (``pip install 'agentwatch[dask]'``), the
production path runs on a subset both in process and on a Dask LocalCluster of 2 single-threaded
worker processes on 127.0.0.1 (statsforecast's fugue/Dask backend), side by side; both after a
warm-up pass on 2 series, the cluster's start-up timed apart. A comparison whose peer is not
installed still has its row, which says so; nothing stands in for the missing peer.
"""

from __future__ import annotations

import importlib.util
import logging
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from agentwatch.analytics.capacity import (
    COARSE,
    FINE,
    History,
    NoForecastError,
    Resolution,
    block_mean,
    forecast_histories,
)
from agentwatch.analytics.capacity._distributed import (
    FitBackend,
    LocalBackend,
    dask_backend,
    use_backend,
)

from ._benchmark import Benchmark
from ._results import INFORMATIONAL, Peer, Result
from ._timing import Stats

__all__ = ["BENCHMARK", "FULL", "SMOKE", "Size", "run"]


@dataclass(frozen=True, slots=True)
class Size:
    series: int
    prophet_subset: int
    dask_subset: int
    warm_up: int  # series of the warm-up pass before each Dask-or-not run


FULL = Size(series=300, prophet_subset=10, dask_subset=20, warm_up=2)
SMOKE = Size(series=2, prophet_subset=1, dask_subset=2, warm_up=1)

DAYS = 15
MINUTE = 60.0
DASK_WORKERS = 2
DASK_PACKAGES = ("dask", "distributed", "fugue_dask")
END = 1_767_225_600.0  # 2026-01-01 00:00 UTC, a fixed grid
NOT_MEASURED = Stats.single(float("nan"))


def _series(index: int) -> np.ndarray:
    rng = np.random.default_rng(index)
    t = END - MINUTE * np.arange(DAYS * 1440)[::-1]
    daily = np.sin(2 * np.pi * ((t % 86_400) / 3600 - 8) / 24)
    weekend = ((t - 2 * 86_400) % (7 * 86_400)) < 2 * 86_400
    level = rng.uniform(10, 1000)
    values = level * (1 + 0.5 * daily) * np.where(weekend, 0.8, 1.0)
    return values * (1 + rng.normal(0, 0.05, len(t)))


def _history(raw: np.ndarray, step: float, days: float) -> History:
    factor = int(step / MINUTE)
    values = block_mean(raw[-int(days * 1440) :], factor)
    return History(END - step * (len(values) - 1), step, values)


def _ours(raws: list[np.ndarray], resolutions: tuple[Resolution, ...] = (FINE, COARSE)) -> float:
    began = time.perf_counter()
    for resolution in resolutions:
        days = min(DAYS, resolution.lookback / 86_400)
        histories = {f"s{i}": _history(raw, resolution.step, days) for i, raw in enumerate(raws)}
        forecasts = forecast_histories(histories, resolution)
        # Correctness, not timing: every series gets a forecast, not a reason why not.
        failed = {k: v for k, v in forecasts.items() if isinstance(v, NoForecastError)}
        assert not failed, f"no forecast: {failed}"
    return time.perf_counter() - began


def _missing(*packages: str) -> list[str]:
    return [name for name in packages if importlib.util.find_spec(name) is None]


def _prophet(raws: list[np.ndarray]) -> float:
    from prophet import Prophet  # noqa: PLC0415 (optional: the bench extra)

    # cmdstanpy logs two INFO lines per fit.
    logging.getLogger("cmdstanpy").setLevel(logging.WARNING)

    began = time.perf_counter()
    for raw in raws:
        history = _history(raw, COARSE.step, DAYS)
        frame = pd.DataFrame(
            {"ds": pd.to_datetime(history.timestamps, unit="s"), "y": history.values}
        )
        model = Prophet(interval_width=0.8).fit(frame)
        model.predict(model.make_future_dataframe(periods=168, freq="h"))
    return time.perf_counter() - began


def _prophet_row(raws: list[np.ndarray]) -> Result:
    note = (
        f"the same {len(raws)} series at the 1h step, 1w horizon, 80% interval; ours "
        "includes its 3-origin backtest of 3 candidates, Prophet is one fit; one run"
    )
    peer = None
    if missing := _missing("prophet"):
        note += f"; NO COMPARISON: {', '.join(missing)} is not installed (the bench extra)"
    else:
        peer = Peer("Prophet", Stats.single(_prophet(raws)))
    return Result(
        f"1w forecast, {len(raws)} series",
        Stats.single(_ours(raws, (COARSE,))),
        "s",
        INFORMATIONAL,
        note,
        peer,
    )


def _on(backend: FitBackend, raws: list[np.ndarray], warm_up: int) -> float:
    """The production path on ``backend``, after a warm-up pass (worker processes import and
    JIT-compile on their first fit) on a few series."""
    with use_backend(backend):
        _ours(raws[:warm_up])
        return _ours(raws)


def _dask_row(raws: list[np.ndarray], warm_up: int) -> Result:
    name = f"capacity forecast on Dask ({DASK_WORKERS} workers), {len(raws)} series"
    if missing := _missing(*DASK_PACKAGES):
        return Result(
            name,
            NOT_MEASURED,
            "s",
            INFORMATIONAL,
            f"NOT RUN: {', '.join(missing)} not installed (pip install 'agentwatch[dask]')",
        )
    local = _on(LocalBackend(), raws, warm_up)
    began = time.perf_counter()
    with dask_backend(workers=DASK_WORKERS) as backend:
        start_up = time.perf_counter() - began
        on_dask = _on(backend, raws, warm_up)
    note = (
        f"the same {len(raws)} series, production path (5m and 1h steps, backtest + refit); "
        f"ours = Dask LocalCluster of {DASK_WORKERS} single-threaded worker processes on "
        f"127.0.0.1, peer = in process (n_jobs=1); cluster start-up {start_up:.1f} s not "
        "included; one run"
    )
    return Result(
        name,
        Stats.single(on_dask),
        "s",
        INFORMATIONAL,
        note,
        Peer("in process", Stats.single(local)),
    )


def run(size: Size = FULL) -> list[Result]:
    raws = [_series(i) for i in range(size.series)]
    note = (
        f"{size.series} series x {DAYS} d at 1 min; 5m step (3 d) for 1h/6h and 1h step "
        f"({DAYS} d) for 1d/1w; backtest + refit; one process, one run"
    )
    return [
        Result(
            f"capacity forecast, {size.series} series",
            Stats.single(_ours(raws)),
            "s",
            INFORMATIONAL,
            note,
        ),
        _prophet_row(raws[: size.prophet_subset]),
        _dask_row(raws[: size.dask_subset], size.warm_up),
    ]


BENCHMARK = Benchmark(run, FULL, SMOKE)
