"""OpenTelemetry Collector configuration for the production compose stack (seed 004).

Pure: the spec in, a plain dict out (``agentwatch.render`` writes it). Spans arrive over OTLP
(gRPC 4317, HTTP from ``spec.ports.otlp_http``) and go two ways:

- sampled by trace ID (seed 004's probabilistic sampler) and exported to Jaeger, which stores
  them in Elasticsearch. agentwatch's own spans were sampled to a budget already and carry
  ``sampling.priority``, which this sampler honours, so they all reach Jaeger;
- every span, before that sampler, into the span-metrics and service-graph connectors, whose
  metrics (request rates, errors and latencies per service and per edge between services) the
  collector serves for Prometheus on ``COLLECTOR_METRICS_PORT``. The service graph pairs each
  CLIENT span with its SERVER child, so it needs both sides of every edge.
"""

from __future__ import annotations

from typing import Any

from agentwatch.spec import Spec

__all__ = [
    "COLLECTOR_IMAGE",
    "COLLECTOR_METRICS_PORT",
    "JAEGER_OTLP_GRPC_PORT",
    "OTLP_GRPC_PORT",
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

# Where the collector's Prometheus exporter serves the connectors' metrics (inside the compose
# network only; Prometheus scrapes it there).
COLLECTOR_METRICS_PORT = 8889
# Seconds: agent hops take sub-milliseconds to seconds; a request's root span lasts as long as
# the request (up to the simulated system's 60 s message timeout).
_SPAN_BUCKETS = ["1ms", "5ms", "10ms", "25ms", "50ms", "100ms", "250ms", "500ms", "1s", "2s",
                 "5s", "10s", "30s", "60s"]  # fmt: skip
# The service graph holds a CLIENT span until its SERVER child arrives (or the reverse); a
# request's root span ends only when its result is in, so give it time.
_EDGE_WAIT = "30s"

# Inside its container the collector listens on every interface of the container: the compose
# file publishes these ports to the host's loopback only.
_CONTAINER_ANY = "0.0.0.0"


def collector_config(
    spec: Spec, *, framework_host: str, jaeger_host: str = "jaeger"
) -> dict[str, Any]:
    """Receivers, processors, connectors, exporters and pipelines of the collector.

    Kept as one literal on purpose: it is laid out as the YAML file it becomes, section by
    section, so it reads as one table, and each pipeline names components defined above it.
    """
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
            # Seed 004's 1%, by trace ID, so every kept trace is complete. A span with
            # sampling.priority (agentwatch sets it on what its own sampler kept) always passes.
            "probabilistic_sampler": {
                "sampling_percentage": spec.tracing.collector_sampling_percentage
            },
            # Last, so only the sampled spans are batched.
            "batch": {},
        },
        "connectors": {
            "spanmetrics": {
                "histogram": {"explicit": {"buckets": _SPAN_BUCKETS}},
                "dimensions": [
                    {"name": "gen_ai.operation.name"},
                    {"name": "gen_ai.agent.name"},
                    {"name": "agentwatch.message.type"},
                ],
            },
            "servicegraph": {
                "latency_histogram_buckets": _SPAN_BUCKETS,
                "store": {"ttl": _EDGE_WAIT, "max_items": 10000},
            },
        },
        "exporters": {
            "otlp/jaeger": {
                "endpoint": f"{jaeger_host}:{JAEGER_OTLP_GRPC_PORT}",
                # Plain gRPC inside the compose network; Jaeger's OTLP port is not published.
                "tls": {"insecure": True},
            },
            "prometheus": {"endpoint": f"{_CONTAINER_ANY}:{COLLECTOR_METRICS_PORT}"},
            # Agents' metrics (Claude Code's, GenAI clients') go on to agentwatch's OTLP
            # receiver, which serves them to Prometheus under predictable names (docs/otlp.md).
            "otlphttp/agentwatch": {
                "metrics_endpoint": f"http://{framework_host}:{spec.ports.otlp_http}/v1/metrics",
                "compression": "none",
            },
        },
        "service": {
            "pipelines": {
                "traces": {
                    "receivers": ["otlp"],
                    "processors": ["memory_limiter", "probabilistic_sampler", "batch"],
                    "exporters": ["otlp/jaeger"],
                },
                # Every span, before sampling: the connectors see both sides of every edge.
                "traces/connectors": {
                    "receivers": ["otlp"],
                    "processors": ["memory_limiter", "batch"],
                    "exporters": ["spanmetrics", "servicegraph"],
                },
                "metrics": {
                    "receivers": ["otlp"],
                    "processors": ["memory_limiter", "batch"],
                    "exporters": ["otlphttp/agentwatch"],
                },
                "metrics/connectors": {
                    "receivers": ["spanmetrics", "servicegraph"],
                    "processors": ["memory_limiter", "batch"],
                    "exporters": ["prometheus"],
                },
            }
        },
    }
