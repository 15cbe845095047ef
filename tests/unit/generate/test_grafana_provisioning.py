"""Grafana provisioning: data sources by service name with stable UIDs, one file provider."""

from __future__ import annotations

from agentwatch.generate.grafana_provisioning import dashboard_providers, datasources
from agentwatch.spec import Spec, parse_spec


def test_datasources_are_exact() -> None:
    assert datasources(Spec()) == {
        "apiVersion": 1,
        "datasources": [
            {
                "name": "Prometheus",
                "uid": "prometheus",
                "type": "prometheus",
                "access": "proxy",
                "url": "http://prometheus:9090",
                "isDefault": True,
                "editable": False,
                "jsonData": {
                    "httpMethod": "POST",
                    # Exemplar trace ids open their trace in Jaeger.
                    "exemplarTraceIdDestinations": [
                        {"name": "trace_id", "datasourceUid": "jaeger"}
                    ],
                },
            },
            {
                "name": "Jaeger",
                "uid": "jaeger",
                "type": "jaeger",
                "access": "proxy",
                "url": "http://jaeger:16686",
                "editable": False,
            },
            {
                "name": "Alertmanager",
                "uid": "alertmanager",
                "type": "alertmanager",
                "access": "proxy",
                "url": "http://alertmanager:9093",
                "editable": False,
                "jsonData": {"implementation": "prometheus", "handleGrafanaManagedAlerts": False},
            },
        ],
    }


def test_datasource_ports_follow_the_spec() -> None:
    spec = parse_spec({"ports": {"prometheus": 19090, "alertmanager": 19093}})
    urls = [source["url"] for source in datasources(spec)["datasources"]]
    assert urls == ["http://prometheus:19090", "http://jaeger:16686", "http://alertmanager:19093"]


def test_exactly_one_default_datasource() -> None:
    assert [s["name"] for s in datasources(Spec())["datasources"] if s.get("isDefault")] == [
        "Prometheus"
    ]


def test_dashboard_provider_reads_the_mounted_dashboards() -> None:
    assert dashboard_providers() == {
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
                "options": {
                    "path": "/var/lib/grafana/dashboards",
                    "foldersFromFilesStructure": False,
                },
            }
        ],
    }
