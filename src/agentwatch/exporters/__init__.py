"""HTTP exporters: each serves prometheus_client collectors on /metrics, plus /healthz."""

from ._server import Collector, MetricsServer, PortInUseError, build_registry

__all__ = ["Collector", "MetricsServer", "PortInUseError", "build_registry"]
