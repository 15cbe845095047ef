"""Where the statsforecast fits run: in this process, or on a Dask cluster.

The Dask backend is statsforecast's own distributed path: a Dask DataFrame handed to
``StatsForecast.forecast`` / ``cross_validation`` inside a fugue Dask engine context, which
partitions by series and runs statsforecast's fitting code on the workers. Nothing of our own
is shipped to the workers: the candidates, backtest origins and model choice are decided here,
the same way for both backends.

dask, distributed and fugue's Dask engine are optional (``pip install 'agentwatch[dask]'``); they
are imported only when a Dask backend is asked for, through importlib so that type checking
does not depend on whether they are installed.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Final, Protocol

import numpy as np
import pandas as pd
from statsforecast import StatsForecast

from ._dask_options import CONNECT_TIMEOUT, INSTALL_HINT

__all__ = [
    "CONNECT_TIMEOUT",
    "INSTALL_HINT",
    "ClusterError",
    "DaskBackend",
    "DaskUnavailableError",
    "FitBackend",
    "LocalBackend",
    "SchedulerUnreachableError",
    "current_backend",
    "dask_backend",
    "use_backend",
]

_MODULES: Final = (
    "dask",
    "dask.dataframe",
    "distributed",
    "distributed.comm.addressing",
    "fugue.api",
    "fugue_dask",
)
# Columns statsforecast returns besides the models' ones.
_INTEGER_COLUMNS: Final = ("ds", "cutoff")
_ID: Final = "unique_id"


class DaskUnavailableError(ImportError):
    """dask, distributed or fugue's Dask engine is not installed."""


class SchedulerUnreachableError(ConnectionError):
    """The Dask scheduler at the given address did not answer."""


class ClusterError(RuntimeError):
    """The cluster failed while fitting (lost connection, killed worker): not the model's
    fault, so it is raised rather than turned into a per-series "model fitting failed"."""


class FitBackend(Protocol):
    """Runs statsforecast on a frame of series (columns unique_id, ds, y) and returns the
    same frame statsforecast returns in process, as pandas with numpy dtypes."""

    def cross_validation(
        self, models: list[object], df: pd.DataFrame, *, h: int, step_size: int, n_windows: int
    ) -> pd.DataFrame: ...

    def forecast(
        self, models: list[object], df: pd.DataFrame, *, h: int, level: int
    ) -> pd.DataFrame: ...


@dataclass(frozen=True, slots=True)
class LocalBackend:
    """statsforecast in this process, with ``n_jobs`` joblib workers."""

    n_jobs: int = 1

    def cross_validation(
        self, models: list[object], df: pd.DataFrame, *, h: int, step_size: int, n_windows: int
    ) -> pd.DataFrame:
        result: pd.DataFrame = StatsForecast(
            models=models, freq=1, n_jobs=self.n_jobs
        ).cross_validation(df=df, h=h, step_size=step_size, n_windows=n_windows)
        return result

    def forecast(
        self, models: list[object], df: pd.DataFrame, *, h: int, level: int
    ) -> pd.DataFrame:
        result: pd.DataFrame = StatsForecast(models=models, freq=1, n_jobs=self.n_jobs).forecast(
            df=df, h=h, level=[level]
        )
        return result


def _import_dask() -> dict[str, ModuleType]:
    try:
        return {name: importlib.import_module(name) for name in _MODULES}
    except ImportError as exc:
        raise DaskUnavailableError(
            f"the Dask backend needs dask, distributed and fugue[dask] ({exc}); "
            f"install them with: {INSTALL_HINT}"
        ) from exc


def _quiet() -> None:
    """pandas deprecation noise from dask's groupby-apply, not ours to fix. Run on a local
    cluster's workers too: their stderr is this terminal."""
    warnings.filterwarnings("ignore", category=FutureWarning, module=r"dask\.")


def _numpy_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    """fugue returns nullable dtypes and float32 model columns; back to what statsforecast
    returns in process (int64 steps, float64 values, str ids)."""
    columns: dict[str, object] = {}
    for name in frame.columns:
        column = frame[name]
        if name == _ID:
            columns[name] = column.astype(str).to_numpy(dtype=object)
        elif name in _INTEGER_COLUMNS:
            columns[name] = column.to_numpy(dtype=np.int64)
        else:
            columns[name] = column.to_numpy(dtype=np.float64, na_value=np.nan)
    return pd.DataFrame(columns)


class DaskBackend:
    """statsforecast on the Dask cluster behind ``client`` (a ``distributed.Client``)."""

    def __init__(self, client: Any, address: str) -> None:
        self._modules = _import_dask()
        self._client = client
        self.address = address
        self._engine = self._modules["fugue_dask"].DaskExecutionEngine(dask_client=client)

    @property
    def client(self) -> Any:
        """The ``distributed.Client`` the fits are submitted through."""
        return self._client

    @property
    def workers(self) -> int:
        return len(self._client.scheduler_info().get("workers", {}))

    def _run(self, df: pd.DataFrame, call: Callable[[Any], Any]) -> pd.DataFrame:
        dd = self._modules["dask.dataframe"]
        dask = self._modules["dask"]
        distributed = self._modules["distributed"]
        lost = (OSError, TimeoutError, distributed.KilledWorker)
        # One partition per worker to start with; fugue then groups the rows by series.
        frame = dd.from_pandas(df, npartitions=max(1, min(self.workers, df[_ID].nunique())))
        try:
            # as_current: fugue computes with plain .compute(), which must reach this cluster
            # without making our client the process-wide default. The task-based shuffle is
            # enough for these few rows and keeps the p2p shuffle's log lines out of the CLI.
            with (
                self._client.as_current(),
                self._modules["fugue.api"].engine_context(self._engine),
                dask.config.set({"dataframe.shuffle.method": "tasks"}),
                warnings.catch_warnings(),
            ):
                _quiet()
                result = call(frame).compute()
        except lost as exc:
            raise ClusterError(
                f"Dask cluster at {self.address} failed: {type(exc).__name__}: {exc}"
            ) from exc
        return _numpy_dtypes(result)

    def cross_validation(
        self, models: list[object], df: pd.DataFrame, *, h: int, step_size: int, n_windows: int
    ) -> pd.DataFrame:
        return self._run(
            df,
            lambda frame: StatsForecast(models=models, freq=1).cross_validation(
                df=frame, h=h, step_size=step_size, n_windows=n_windows
            ),
        )

    def forecast(
        self, models: list[object], df: pd.DataFrame, *, h: int, level: int
    ) -> pd.DataFrame:
        return self._run(
            df,
            lambda frame: StatsForecast(models=models, freq=1).forecast(
                df=frame, h=h, level=[level]
            ),
        )


@contextmanager
def dask_backend(
    address: str | None = None,
    *,
    workers: int = 2,
    processes: bool = True,
    timeout: float = CONNECT_TIMEOUT,
) -> Iterator[DaskBackend]:
    """A Dask backend on the scheduler at ``address`` (``tcp://host:8786``), or, when
    ``address`` is None, on a LocalCluster of ``workers`` single-threaded workers bound to
    127.0.0.1 (``processes=False``: threads in this process). Closed (and the local cluster
    shut down) on exit."""
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    modules = _import_dask()
    distributed = modules["distributed"]
    if address is not None:
        # ValueError for an address distributed cannot parse, before a Client exists: a Client
        # that failed on one blocks for 20 s in its finaliser.
        addressing = modules["distributed.comm.addressing"]
        addressing.get_address_host_port(addressing.normalize_address(address))
    cluster: Any = None
    try:
        if address is None:
            try:
                cluster = distributed.LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=processes,
                    protocol="tcp",
                    host="127.0.0.1",
                    dashboard_address=None,
                )
            except (OSError, RuntimeError) as exc:
                raise ClusterError(f"could not start a local Dask cluster: {exc}") from exc
            address = str(cluster.scheduler_address)
            client = distributed.Client(cluster, set_as_default=False)
        else:
            try:
                client = distributed.Client(address, timeout=timeout, set_as_default=False)
            except (OSError, TimeoutError) as exc:
                raise SchedulerUnreachableError(
                    f"cannot reach the Dask scheduler at {address} within {timeout:g} s: {exc}"
                ) from exc
        try:
            if cluster is not None and processes:
                client.run(_quiet)
            yield DaskBackend(client, address)
        finally:
            client.close()
    finally:
        if cluster is not None:
            cluster.close()


_current: ContextVar[FitBackend | None] = ContextVar("agentwatch_fit_backend", default=None)


@contextmanager
def use_backend(backend: FitBackend) -> Iterator[FitBackend]:
    """Within the block, forecasts not given a backend explicitly fit on ``backend`` (so a
    caller of ``plan_capacity`` can choose where its fits run)."""
    token = _current.set(backend)
    try:
        yield backend
    finally:
        _current.reset(token)


def current_backend(n_jobs: int = 1) -> FitBackend:
    """The backend set by ``use_backend``, else statsforecast in this process."""
    backend = _current.get()
    return LocalBackend(n_jobs) if backend is None else backend
