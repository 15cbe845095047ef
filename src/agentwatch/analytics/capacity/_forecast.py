"""Forecasts with statsforecast, each series' model chosen by a rolling-origin backtest.

Two resolutions keep it fast: the 1h and 6h horizons are forecast from the last 3 days at a
5-minute step, the 1d and 1w horizons from up to 35 days at a 1-hour step. At each resolution
the candidates (MSTL with daily, and weekly when there is enough history, seasonality and an
AutoETS trend; a non-seasonal AutoETS; a seasonal naive forecast) are backtested over
``N_WINDOWS`` origins; the one with the lowest mean MASE is refitted on the whole series.
Prometheus' ``predict_linear`` and the seasonal naive forecast are scored on the same origins
and reported next to it.

A horizon is forecast only when the series is at least twice as long as the horizon; shorter
series get the horizon omitted with the reason, never a made-up value.

The fits run on a ``FitBackend`` (see ``_distributed``): statsforecast in this process by
default, or on a Dask cluster. Everything else (candidates, origins, scores, choice) is
computed here, identically for both.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from statsforecast.models import MSTL, AutoETS, SeasonalNaive

from ._distributed import ClusterError, FitBackend, current_backend
from ._linear import predict_linear_path
from ._resolutions import (
    COARSE,
    DAY,
    FINE,
    HOUR,
    MIN_TRAIN_STEPS,
    N_WINDOWS,
    RESOLUTIONS,
    WEEK,
    Resolution,
)
from ._series import History, NoForecastError, NotEnoughDataError

__all__ = [
    "COARSE",
    "FINE",
    "LEVEL",
    "N_WINDOWS",
    "PREDICT_LINEAR",
    "RESOLUTIONS",
    "Backtest",
    "Forecast",
    "ModelFailedError",
    "Resolution",
    "forecast_histories",
]

# Prediction interval (percent) whose ends are the lower and upper bounds.
LEVEL = 80
PREDICT_LINEAR = "predict_linear"
SEASONAL_NAIVE = "SeasonalNaive"
MSTL_NAME = "MSTL"
ETS_NAME = "AutoETS"


class ModelFailedError(NoForecastError):
    """statsforecast could not fit the series (the message carries its error)."""


@dataclass(frozen=True, slots=True)
class Backtest:
    """Mean MASE over the origins, per candidate and per baseline, on the same series."""

    origins: int
    horizon_steps: int
    naive_season: int  # the m of the seasonal naive forecast and of the MASE scale
    mase: Mapping[str, float]
    mae: Mapping[str, float]
    chosen: str

    @property
    def chosen_mase(self) -> float:
        return self.mase[self.chosen]

    @property
    def predict_linear_mase(self) -> float:
        return self.mase[PREDICT_LINEAR]

    @property
    def seasonal_naive_mase(self) -> float:
        return self.mase[SEASONAL_NAIVE]


@dataclass(frozen=True, slots=True)
class Forecast:
    """The chosen model's path from one step after the history's end, with its interval."""

    key: str
    resolution: Resolution
    history: History
    model: str
    seasons: tuple[int, ...]
    mean: NDArray[np.float64]
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
    backtest: Backtest
    points: Mapping[str, tuple[float, float, float]]  # horizon -> (lower, mean, upper)
    omitted: Mapping[str, str] = field(default_factory=dict)  # horizon -> why

    @property
    def timestamps(self) -> NDArray[np.float64]:
        step = self.history.step
        return self.history.end + step * np.arange(1, len(self.mean) + 1, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class _Job:
    key: str
    history: History
    horizon_steps: int  # the longest supported horizon
    backtest_steps: int
    seasons: tuple[int, ...]
    naive_season: int
    omitted: dict[str, str]


def _steps(seconds: float, step: float) -> int:
    return max(1, round(seconds / step))


def _job(key: str, history: History, resolution: Resolution) -> _Job:
    step = resolution.step
    n = len(history.values)
    supported = [(label, h) for label, h in resolution.horizons if history.duration >= 2 * h]
    omitted = {
        label: f"not enough data: {history.duration / HOUR:.1f} h of history, "
        f"a {label} forecast needs at least {2 * h / HOUR:g} h"
        for label, h in resolution.horizons
        if history.duration < 2 * h
    }
    if not supported:
        raise NotEnoughDataError(
            f"{history.duration / HOUR:.1f} h of history at a {resolution.name} step; "
            f"the shortest horizon here ({resolution.horizons[0][0]}) needs "
            f"{2 * resolution.horizons[0][1] / HOUR:g} h"
        )
    horizon_steps = _steps(supported[-1][1], step)
    backtest_steps = _steps(min(resolution.backtest_horizon, supported[-1][1]), step)
    stride = max(1, backtest_steps // 2)
    min_train = n - backtest_steps - (N_WINDOWS - 1) * stride
    if min_train < MIN_TRAIN_STEPS:
        raise NotEnoughDataError(
            f"{n} points at a {resolution.name} step leave {max(min_train, 0)} for fitting "
            f"at the first of {N_WINDOWS} backtest origins; at least {MIN_TRAIN_STEPS} needed"
        )
    # A seasonal component needs two full cycles at every backtest origin.
    seasons = tuple(
        m for m in (_steps(DAY, step), _steps(WEEK, step)) if m > 1 and min_train >= 2 * m
    )
    naive_season = _steps(DAY, step) if min_train >= _steps(DAY, step) + 1 else 1
    return _Job(key, history, horizon_steps, backtest_steps, seasons, naive_season, omitted)


def _candidates(job: _Job) -> list[object]:
    models: list[object] = []
    if job.seasons:
        models.append(
            MSTL(
                season_length=list(job.seasons),
                trend_forecaster=AutoETS(model="ZZN"),
                alias=MSTL_NAME,
            )
        )
    models.append(AutoETS(model="ZZN", alias=ETS_NAME))
    models.append(SeasonalNaive(season_length=job.naive_season, alias=SEASONAL_NAIVE))
    return models


def _frame(jobs: list[_Job]) -> pd.DataFrame:
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "unique_id": job.key,
                    "ds": np.arange(len(job.history.values), dtype=np.int64),
                    "y": job.history.values,
                }
            )
            for job in jobs
        ],
        ignore_index=True,
    )


def _mase_scale(train: NDArray[np.float64], m: int) -> float:
    """Mean absolute error of the in-sample seasonal naive forecast (Hyndman & Koehler)."""
    return float(np.mean(np.abs(train[m:] - train[:-m])))


def _mase(errors: NDArray[np.float64], scale: float) -> float:
    mae = float(np.mean(np.abs(errors)))
    if scale > 0:
        return mae / scale
    # A constant training stretch has no scale: perfect stays 0, anything else is infinite.
    return 0.0 if mae == 0 else math.inf


def _backtest(job: _Job, cv: pd.DataFrame, names: list[str]) -> Backtest:
    y = job.history.values
    step = job.history.step
    scores: dict[str, list[float]] = {name: [] for name in [*names, PREDICT_LINEAR]}
    errors: dict[str, list[float]] = {name: [] for name in scores}
    cutoffs = sorted(int(c) for c in cv["cutoff"].unique())
    for cutoff in cutoffs:
        rows = cv[cv["cutoff"] == cutoff].sort_values("ds")
        # The actual values from the history itself (ds is the index into it): a distributed
        # backend returns cv["y"] as float32.
        actual = y[rows["ds"].to_numpy(dtype=np.int64)]
        train = y[: cutoff + 1]
        scale = _mase_scale(train, job.naive_season)
        predicted = {name: rows[name].to_numpy(dtype=np.float64) for name in names}
        # predict_linear over a trailing window as long as the backtest horizon.
        predicted[PREDICT_LINEAR] = predict_linear_path(
            train, step, job.backtest_steps, len(actual)
        )
        for name, values in predicted.items():
            scores[name].append(_mase(values - actual, scale))
            errors[name].append(float(np.mean(np.abs(values - actual))))
    mase = {name: float(np.mean(values)) for name, values in scores.items()}
    mae = {name: float(np.mean(values)) for name, values in errors.items()}
    # MAE breaks ties, as when a flat training stretch makes every MASE infinite.
    chosen = min(names, key=lambda name: (mase[name], mae[name], names.index(name)))
    return Backtest(len(cutoffs), job.backtest_steps, job.naive_season, mase, mae, chosen)


def _run_batch(jobs: list[_Job], backend: FitBackend) -> dict[str, tuple[Backtest, pd.DataFrame]]:
    """Backtest the candidates on each series, then refit the winner and forecast."""
    models = _candidates(jobs[0])
    names = [str(getattr(m, "alias")) for m in models]  # noqa: B009  (statsforecast sets it)
    df = _frame(jobs)
    by_key = {job.key: job for job in jobs}
    backtest_steps = jobs[0].backtest_steps
    cv = backend.cross_validation(
        models, df, h=backtest_steps, step_size=max(1, backtest_steps // 2), n_windows=N_WINDOWS
    )
    backtests = {
        key: _backtest(by_key[str(key)], group, names)
        for key, group in cv.groupby("unique_id", observed=True)
    }
    results: dict[str, tuple[Backtest, pd.DataFrame]] = {}
    for chosen in names:
        keys = [k for k, b in backtests.items() if b.chosen == chosen]
        if not keys:
            continue
        model = models[names.index(chosen)]
        subset = df[df["unique_id"].isin(keys)]
        predicted = backend.forecast([model], subset, h=jobs[0].horizon_steps, level=LEVEL)
        for key, rows in predicted.groupby("unique_id", observed=True):
            results[str(key)] = (backtests[str(key)], rows.sort_values("ds"))
    return results


def _fit(
    jobs: list[_Job], backend: FitBackend
) -> dict[str, tuple[Backtest, pd.DataFrame] | NoForecastError]:
    """The batch in one go; if statsforecast fails on it, each series alone, so one bad
    series costs only its own forecast. A failing cluster is no series' fault: it propagates."""
    # Exception, not narrower: statsforecast passes on whatever numpy or numba raise.
    try:
        results = _run_batch(jobs, backend)
        return {job.key: results[job.key] for job in jobs}
    except ClusterError:
        raise
    except Exception as exc:
        if len(jobs) == 1:
            return {jobs[0].key: _failed(exc)}
    out: dict[str, tuple[Backtest, pd.DataFrame] | NoForecastError] = {}
    for job in jobs:
        try:
            out[job.key] = _run_batch([job], backend)[job.key]
        except ClusterError:
            raise
        except Exception as exc:
            out[job.key] = _failed(exc)
    return out


def _failed(exc: Exception) -> ModelFailedError:
    return ModelFailedError(f"model fitting failed: {type(exc).__name__}: {exc}")


def _constant(job: _Job) -> tuple[Backtest, pd.DataFrame]:
    """A series that never changed: its forecast is its value, with an empty interval."""
    value = float(job.history.values[-1])
    zero = {SEASONAL_NAIVE: 0.0, PREDICT_LINEAR: 0.0, "constant": 0.0}
    backtest = Backtest(0, job.backtest_steps, job.naive_season, zero, zero, "constant")
    path = np.full(job.horizon_steps, value)
    frame = pd.DataFrame(
        {"constant": path, f"constant-lo-{LEVEL}": path, f"constant-hi-{LEVEL}": path}
    )
    return backtest, frame


def _assemble(
    job: _Job, resolution: Resolution, backtest: Backtest, rows: pd.DataFrame
) -> Forecast:
    name = backtest.chosen
    # Every resource here is a rate, count or ratio: a negative forecast or bound is the model
    # extrapolating past zero, so it is cut at zero.
    mean, lower, upper = (
        np.maximum(rows[column].to_numpy(dtype=np.float64), 0.0)
        for column in (name, f"{name}-lo-{LEVEL}", f"{name}-hi-{LEVEL}")
    )
    points = {}
    for label, seconds in resolution.horizons:
        if label in job.omitted:
            continue
        index = _steps(seconds, resolution.step) - 1
        points[label] = (float(lower[index]), float(mean[index]), float(upper[index]))
    return Forecast(
        key=job.key,
        resolution=resolution,
        history=job.history,
        model=name,
        seasons=job.seasons,
        mean=mean,
        lower=lower,
        upper=upper,
        backtest=backtest,
        points=points,
        omitted=dict(job.omitted),
    )


def forecast_histories(
    histories: Mapping[str, History | NoForecastError],
    resolution: Resolution,
    *,
    progress: Callable[[int], None] | None = None,
    n_jobs: int = 1,
    backend: FitBackend | None = None,
) -> dict[str, Forecast | NoForecastError]:
    """A forecast per series at ``resolution`` (whose step the histories must have), or the
    reason there is none. ``progress`` is called with the number of series just finished.
    The fits run on ``backend``; by default on the one set by ``use_backend``, else in this
    process with ``n_jobs`` workers. ClusterError propagates."""
    if backend is None:
        backend = current_backend(n_jobs)
    out: dict[str, Forecast | NoForecastError] = {}
    batches: dict[tuple[object, ...], list[_Job]] = {}
    for key, history in histories.items():
        if isinstance(history, NoForecastError):
            out[key] = history
            continue
        if history.step != resolution.step:
            raise ValueError(f"{key}: step {history.step} s, expected {resolution.step} s")
        try:
            job = _job(key, history, resolution)
        except NotEnoughDataError as exc:
            out[key] = exc
            continue
        if np.ptp(history.values) == 0:
            out[key] = _assemble(job, resolution, *_constant(job))
            continue
        shape = (job.seasons, job.naive_season, job.backtest_steps, job.horizon_steps)
        batches.setdefault(shape, []).append(job)
    if progress is not None and out:
        progress(len(out))
    for jobs in batches.values():
        fitted = _fit(jobs, backend)
        for job in jobs:
            result = fitted[job.key]
            out[job.key] = (
                result
                if isinstance(result, NoForecastError)
                else _assemble(job, resolution, *result)
            )
        if progress is not None:
            progress(len(jobs))
    return {key: out[key] for key in histories}
