"""Capacity planning: forecasts per resource, backtested against predict_linear and a
seasonal naive forecast; scaling recommendations from the forecasts and a queueing view of
each agent type; bottleneck prediction; an HTML report. ``plan_capacity`` runs it all."""

from typing import TYPE_CHECKING

from agentwatch._lazy import lazy_exports

# Imported when first used (agentwatch._lazy): the CLI needs only the Dask options, and the
# analytics service never loads the HTML report's matplotlib.
if TYPE_CHECKING:
    from agentwatch.analytics.capacity_queries import RESOURCE_QUERIES, RESOURCES, TYPE_QUERIES

    from ._bottlenecks import AGENT_PREFIX, Bottlenecks, predict_bottlenecks
    from ._dask_options import CONNECT_TIMEOUT, INSTALL_HINT
    from ._distributed import (
        ClusterError,
        DaskBackend,
        DaskUnavailableError,
        SchedulerUnreachableError,
        dask_backend,
        use_backend,
    )
    from ._forecast import LEVEL, Backtest, Forecast, ModelFailedError, forecast_histories
    from ._linear import predict_linear, predict_linear_path
    from ._outlook import Outlook, outlook
    from ._plan import CPU_SATURATION, CapacityPlan, Progress, ResourcePlan, plan_capacity
    from ._queueing import (
        COMPUTE_NODES,
        TARGET_UTILISATION,
        TypeLoad,
        fetch_loads,
        recommend_nodes,
        recommend_type,
    )
    from ._report import render_report
    from ._resolutions import (
        COARSE,
        FINE,
        FIRST_FORECAST_HISTORY,
        RESOLUTIONS,
        Resolution,
        history_needed,
    )
    from ._resources import PromQuerier, fetch_history
    from ._series import History, NoForecastError, NotEnoughDataError, block_mean, regularise
    from ._text import format_recommendation, format_recommendations
else:
    __getattr__, __dir__ = lazy_exports(__name__)

__all__ = [
    "AGENT_PREFIX",
    "COARSE",
    "COMPUTE_NODES",
    "CONNECT_TIMEOUT",
    "CPU_SATURATION",
    "FINE",
    "FIRST_FORECAST_HISTORY",
    "INSTALL_HINT",
    "LEVEL",
    "RESOLUTIONS",
    "RESOURCES",
    "RESOURCE_QUERIES",
    "TARGET_UTILISATION",
    "TYPE_QUERIES",
    "Backtest",
    "Bottlenecks",
    "CapacityPlan",
    "ClusterError",
    "DaskBackend",
    "DaskUnavailableError",
    "Forecast",
    "History",
    "ModelFailedError",
    "NoForecastError",
    "NotEnoughDataError",
    "Outlook",
    "Progress",
    "PromQuerier",
    "Resolution",
    "ResourcePlan",
    "SchedulerUnreachableError",
    "TypeLoad",
    "block_mean",
    "dask_backend",
    "fetch_history",
    "fetch_loads",
    "forecast_histories",
    "format_recommendation",
    "format_recommendations",
    "history_needed",
    "outlook",
    "plan_capacity",
    "predict_bottlenecks",
    "predict_linear",
    "predict_linear_path",
    "recommend_nodes",
    "recommend_type",
    "regularise",
    "render_report",
    "use_backend",
]
