"""OpenTelemetry Collector configuration for the production compose stack (seed 004).

Pure: the spec in, a plain dict out (``agentwatch.render`` writes it). Spans arrive over OTLP
(gRPC 4317, HTTP from ``spec.ports.otlp_http``), are sampled by trace ID and exported to Jaeger,
which stores them in Elasticsearch.
"""

from __future__ import annotations

from typing import Any

from agentwatch.spec import Spec

__all__ = [
    "COLLECTOR_IMAGE",
    "JAEGER_OTLP_GRPC_PORT",
    "OTLP_GRPC_PORT",
    "TRACE_SAMPLING_PERCENTAGE",
    "collector_config",
]

# The contrib distribution: probabilistic_sampler is not in the core collector. Pinned, because
# component names change between releases (0.144 renamed the ``otlp`` exporter ``otlp_grpc``,
# keeping ``otlp`` as a deprecated alias); this config uses the names of the pinned release.
COLLECTOR_IMAGE = "otel/opentelemetry-collector-contrib:0.111.0"

# The OTLP gRPC port is fixed by the OTLP specification; the spec only configures OTLP/HTTP.
OTLP_GRPC_PORT = 4317
# Jaeger receives OTLP natively on the standard gRPC port inside the compose network.
JAEGER_OTLP_GRPC_PORT = 4317

# Seed 004: ``probabilistic_sampler: sampling_percentage: 1.0  # 1% sampling``. A percentage,
# so 1.0 keeps one trace in a hundred. The spec has no field for it yet, so it lives here.
TRACE_SAMPLING_PERCENTAGE = 1.0

# Inside its container the collector listens on every interface of the container: the compose
# file publishes these ports to the host's loopback only.
_CONTAINER_ANY = "0.0.0.0"


def collector_config(spec: Spec, *, jaeger_host: str = "jaeger") -> dict[str, Any]:
    """Receivers, processors, exporters and the traces pipeline of the collector."""
    return {
        "receivers": {
            "otlp": {
                "protocols": {
                    "grpc": {"endpoint": f"{_CONTAINER_ANY}:{OTLP_GRPC_PORT}"},
                    "http": {"endpoint": f"{_CONTAINER_ANY}:{spec.ports.otlp_http}"},
                }
            }
        },
        "processors": {
            # First in the pipeline, as the collector documents: it refuses data before the
            # process runs out of memory instead of after.
            "memory_limiter": {
                "check_interval": "1s",
                "limit_percentage": 80,
                "spike_limit_percentage": 20,
            },
            # Sampling by trace ID keeps or drops whole traces, so every kept trace is complete.
            "probabilistic_sampler": {"sampling_percentage": TRACE_SAMPLING_PERCENTAGE},
            # Last, so only the sampled spans are batched.
            "batch": {},
        },
        "exporters": {
            "otlp/jaeger": {
                "endpoint": f"{jaeger_host}:{JAEGER_OTLP_GRPC_PORT}",
                # Plain gRPC inside the compose network; Jaeger's OTLP port is not published.
                "tls": {"insecure": True},
            }
        },
        "service": {
            "pipelines": {
                "traces": {
                    "receivers": ["otlp"],
                    "processors": ["memory_limiter", "probabilistic_sampler", "batch"],
                    "exporters": ["otlp/jaeger"],
                }
            }
        },
    }
