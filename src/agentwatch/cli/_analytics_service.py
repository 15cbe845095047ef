"""agentwatch analytics serve / run: the analytics service on its schedule, or once on demand."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from agentwatch.exit_codes import EXIT_BAD_INPUT, EXIT_RUNTIME
from agentwatch.spec import Spec

from ._analytics import analytics_app
from ._common import (
    ConfigOption,
    PrometheusOption,
    client_auth,
    console,
    fail,
    load_config,
    serving_authenticator,
    stop_on_signals,
)

if TYPE_CHECKING:
    from agentwatch.clients.prometheus import PrometheusAPI


def _api(spec: Spec, url: str | None) -> PrometheusAPI:
    from agentwatch.clients.prometheus import PrometheusAPI, PrometheusError

    try:
        return PrometheusAPI(url or f"http://127.0.0.1:{spec.ports.prometheus}", auth=client_auth())
    except PrometheusError as exc:
        fail(f"--prometheus: {exc}", EXIT_BAD_INPUT)


@analytics_app.command()
def serve(config: ConfigOption = None, prometheus: PrometheusOption = None) -> None:
    """Run the analytics engine on its schedule and serve the results on its exporter.

    Failure prediction and anomaly scores every analytics.interval, capacity planning every
    analytics.capacity_interval (agentwatch.yaml).
    """
    from agentwatch.analytics.collector import AnalyticsCollector
    from agentwatch.analytics.parts import default_parts
    from agentwatch.analytics.ranking import RANK_PATH, ranking_route
    from agentwatch.analytics.service import AnalyticsService
    from agentwatch.exporters import MetricsServer, PortInUseError

    spec = load_config(config)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    # One line per query every few seconds would bury what the service itself says.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with _api(spec, prometheus) as api:
        service = AnalyticsService(default_parts(api, spec))
        server = MetricsServer(
            AnalyticsCollector(service.snapshot, service.health),
            host=spec.listen_address,
            port=spec.ports.analytics_exporter,
            name="analytics exporter",
            routes={RANK_PATH: ranking_route(api.url, auth=client_auth())},
            authenticator=serving_authenticator(spec),
        )
        try:
            server.start()
        except PortInUseError as exc:
            fail(str(exc))
        stop = stop_on_signals()
        console.print(
            f"analytics exporter on {server.url}/metrics (agent ranking: {server.url}{RANK_PATH}),"
            f" reading {api.url}"
        )
        try:
            service.serve(stop)
        finally:
            server.stop()


@analytics_app.command()
def run(config: ConfigOption = None, prometheus: PrometheusOption = None) -> None:
    """Run every part of the analytics engine once against Prometheus and print the results."""
    from agentwatch.analytics.parts import default_parts
    from agentwatch.analytics.service import AnalyticsService

    spec = load_config(config)
    with _api(spec, prometheus) as api:
        service = AnalyticsService(default_parts(api, spec))
        with console.status("running analytics ..."):
            ok = {part.name: service.run_part(part) for part in service.parts}
    health, results = service.health(), service.snapshot()
    table = Table("part", "outcome", "seconds", "results")
    found = {
        "failure": f"{len(results.failure_scores)} agents scored, "
        f"{sum(s.score > spec.thresholds.failure_prediction_max for s in results.failure_scores)}"
        " above the alert threshold",
        "anomaly": ", ".join(f"{k} {v:.2f}" for k, v in sorted(results.anomaly_scores.items())),
        "capacity": f"{len(results.forecasts)} forecast points, "
        f"{len(results.recommendations)} recommendations",
    }
    for name, succeeded in ok.items():
        part = health[name]
        table.add_row(
            name,
            "ok" if succeeded else f"[red]failed[/]: {escape(part.last_error or '')}",
            f"{part.last_duration:.1f}" if part.last_duration is not None else "-",
            found[name] if succeeded else "",
        )
    console.print(table)
    if not any(ok.values()):
        raise typer.Exit(EXIT_RUNTIME)
