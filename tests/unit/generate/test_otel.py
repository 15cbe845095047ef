"""The OpenTelemetry Collector config: the seed's OTLP ports and 1% sampling, spans to Jaeger."""

from __future__ import annotations

from agentwatch.generate.otel import (
    COLLECTOR_IMAGE,
    TRACE_SAMPLING_PERCENTAGE,
    collector_config,
)
from agentwatch.spec import Spec, parse_spec


def test_collector_config_is_exact() -> None:
    assert collector_config(Spec()) == {
        "receivers": {
            "otlp": {
                "protocols": {
                    "grpc": {"endpoint": "0.0.0.0:4317"},
                    "http": {"endpoint": "0.0.0.0:4318"},
                }
            }
        },
        "processors": {
            "memory_limiter": {
                "check_interval": "1s",
                "limit_percentage": 80,
                "spike_limit_percentage": 20,
            },
            "probabilistic_sampler": {"sampling_percentage": 1.0},
            "batch": {},
        },
        "exporters": {"otlp/jaeger": {"endpoint": "jaeger:4317", "tls": {"insecure": True}}},
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


def test_sampling_is_the_seeds_one_percent() -> None:
    # Seed 004: "sampling_percentage: 1.0  # 1% sampling" (a percentage, not a ratio).
    assert TRACE_SAMPLING_PERCENTAGE == 1.0


def test_http_port_follows_the_spec() -> None:
    config = collector_config(parse_spec({"ports": {"otlp_http": 14318}}))
    assert config["receivers"]["otlp"]["protocols"]["http"] == {"endpoint": "0.0.0.0:14318"}


def test_every_pipeline_component_is_declared() -> None:
    config = collector_config(Spec())
    for pipeline in config["service"]["pipelines"].values():
        for kind in ("receivers", "processors", "exporters"):
            for name in pipeline[kind]:
                assert name in config[kind], (kind, name)


def test_the_image_is_the_contrib_distribution() -> None:
    # probabilistic_sampler is only in the contrib distribution.
    assert COLLECTOR_IMAGE.startswith("otel/opentelemetry-collector-contrib:")
