"""Grafana provisioning for the production compose stack: data sources and the dashboard provider.

Pure: the spec in, plain dicts out (``agentwatch.render`` writes them). Data source UIDs are
stable, so dashboards can name their data source by UID instead of by a name a user may change.
"""

from __future__ import annotations

from typing import Any

from agentwatch.catalog import EXEMPLAR_TRACE_ID
from agentwatch.spec import Spec

__all__ = [
    "ALERTMANAGER_DATASOURCE_UID",
    "DASHBOARDS_PATH",
    "JAEGER_DATASOURCE_UID",
    "JAEGER_UI_PORT",
    "PROMETHEUS_DATASOURCE_UID",
    "dashboard_providers",
    "datasources",
]

PROMETHEUS_DATASOURCE_UID = "prometheus"
JAEGER_DATASOURCE_UID = "jaeger"
ALERTMANAGER_DATASOURCE_UID = "alertmanager"

# Jaeger's query service (UI and HTTP API) port, which Grafana's Jaeger data source reads.
JAEGER_UI_PORT = 16686

# Where the compose file mounts the generated dashboards JSON inside the Grafana container.
DASHBOARDS_PATH = "/var/lib/grafana/dashboards"


def datasources(
    spec: Spec,
    *,
    prometheus_host: str = "prometheus",
    alertmanager_host: str = "alertmanager",
    jaeger_host: str = "jaeger",
) -> dict[str, Any]:
    """Prometheus (the default), Jaeger and Alertmanager, reached by compose service name."""
    return {
        "apiVersion": 1,
        "datasources": [
            {
                "name": "Prometheus",
                "uid": PROMETHEUS_DATASOURCE_UID,
                "type": "prometheus",
                "access": "proxy",
                "url": f"http://{prometheus_host}:{spec.ports.prometheus}",
                "isDefault": True,
                "editable": False,
                "jsonData": {
                    # POST: long PromQL (the SLO expressions) does not fit a URL.
                    "httpMethod": "POST",
                    # An exemplar's trace id opens that trace in the Jaeger data source.
                    "exemplarTraceIdDestinations": [
                        {"name": EXEMPLAR_TRACE_ID, "datasourceUid": JAEGER_DATASOURCE_UID}
                    ],
                },
            },
            {
                "name": "Jaeger",
                "uid": JAEGER_DATASOURCE_UID,
                "type": "jaeger",
                "access": "proxy",
                "url": f"http://{jaeger_host}:{JAEGER_UI_PORT}",
                "editable": False,
            },
            {
                "name": "Alertmanager",
                "uid": ALERTMANAGER_DATASOURCE_UID,
                "type": "alertmanager",
                "access": "proxy",
                "url": f"http://{alertmanager_host}:{spec.ports.alertmanager}",
                "editable": False,
                # Alerts are Prometheus's; Grafana only shows and silences them.
                "jsonData": {"implementation": "prometheus", "handleGrafanaManagedAlerts": False},
            },
        ],
    }


def dashboard_providers() -> dict[str, Any]:
    """One file provider for the generated dashboards, which are code: not editable in the UI."""
    return {
        "apiVersion": 1,
        "providers": [
            {
                "name": "agentwatch",
                "orgId": 1,
                "folder": "agentwatch",
                "type": "file",
                "disableDeletion": True,
                "allowUiUpdates": False,
                "updateIntervalSeconds": 30,
                "options": {"path": DASHBOARDS_PATH, "foldersFromFilesStructure": False},
            }
        ],
    }
