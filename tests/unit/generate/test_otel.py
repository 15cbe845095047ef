"""The OpenTelemetry Collector config: the seed's OTLP ports and 1% sampling, spans to Jaeger,
span metrics and the service graph from every span for Prometheus."""

from __future__ import annotations

from agentwatch.generate.otel import COLLECTOR_IMAGE, COLLECTOR_METRICS_PORT, collector_config
from agentwatch.spec import Spec, parse_spec


def test_receivers_are_the_seeds_otlp_ports() -> None:
    assert collector_config(Spec(), framework_host="agentwatch-framework")["receivers"] == {
        "otlp": {
            "protocols": {
                "grpc": {"endpoint": "0.0.0.0:4317"},
                "http": {"endpoint": "0.0.0.0:4318"},
            }
        }
    }


def test_sampling_is_the_seeds_one_percent_and_follows_the_spec() -> None:
    # Seed 004: "sampling_percentage: 1.0  # 1% sampling" (a percentage, not a ratio).
    processors = collector_config(Spec(), framework_host="agentwatch-framework")["processors"]
    assert processors["probabilistic_sampler"] == {"sampling_percentage": 1.0}
    custom = parse_spec({"tracing": {"collector_sampling_percentage": 25}})
    assert collector_config(custom, framework_host="agentwatch-framework")["processors"][
        "probabilistic_sampler"
    ] == {"sampling_percentage": 25}


def test_pipelines_sample_for_jaeger_and_feed_the_connectors_every_span() -> None:
    pipelines = collector_config(Spec(), framework_host="agentwatch-framework")["service"][
        "pipelines"
    ]
    assert pipelines["traces"] == {
        "receivers": ["otlp"],
        "processors": ["memory_limiter", "probabilistic_sampler", "batch"],
        "exporters": ["otlp/jaeger"],
    }
    # The service graph pairs CLIENT and SERVER spans, so it must see them before sampling.
    assert pipelines["traces/connectors"]["receivers"] == ["otlp"]
    assert "probabilistic_sampler" not in pipelines["traces/connectors"]["processors"]
    assert pipelines["traces/connectors"]["exporters"] == ["spanmetrics", "servicegraph"]
    assert pipelines["metrics/connectors"]["receivers"] == ["spanmetrics", "servicegraph"]
    assert pipelines["metrics/connectors"]["exporters"] == ["prometheus"]


def test_memory_limiter_comes_first_and_batch_last() -> None:
    for pipeline in collector_config(Spec(), framework_host="agentwatch-framework")["service"][
        "pipelines"
    ].values():
        assert pipeline["processors"][0] == "memory_limiter"
        assert pipeline["processors"][-1] == "batch"


def test_exporters_reach_jaeger_and_serve_prometheus() -> None:
    exporters = collector_config(Spec(), framework_host="agentwatch-framework")["exporters"]
    assert exporters["otlp/jaeger"] == {"endpoint": "jaeger:4317", "tls": {"insecure": True}}
    assert exporters["prometheus"] == {"endpoint": f"0.0.0.0:{COLLECTOR_METRICS_PORT}"}


def test_span_metrics_are_by_agent_and_operation() -> None:
    spanmetrics = collector_config(Spec(), framework_host="agentwatch-framework")["connectors"][
        "spanmetrics"
    ]
    names = [d["name"] for d in spanmetrics["dimensions"]]
    assert names == ["gen_ai.operation.name", "gen_ai.agent.name", "agentwatch.message.type"]


def test_http_port_follows_the_spec() -> None:
    config = collector_config(
        parse_spec({"ports": {"otlp_http": 14318}}), framework_host="agentwatch-framework"
    )
    assert config["receivers"]["otlp"]["protocols"]["http"] == {"endpoint": "0.0.0.0:14318"}


def test_every_pipeline_component_is_declared() -> None:
    config = collector_config(Spec(), framework_host="agentwatch-framework")
    declared = {
        kind: set(config[kind]) | set(config["connectors"])
        for kind in ("receivers", "processors", "exporters")
    }
    for pipeline in config["service"]["pipelines"].values():
        for kind in ("receivers", "processors", "exporters"):
            for name in pipeline[kind]:
                assert name in declared[kind], (kind, name)


def test_the_image_is_the_contrib_distribution() -> None:
    # probabilistic_sampler and both connectors are only in the contrib distribution.
    assert COLLECTOR_IMAGE.startswith("otel/opentelemetry-collector-contrib:")


def test_agents_metrics_go_on_to_the_framework_exporters_receiver() -> None:
    config = collector_config(Spec(), framework_host="agentwatch-framework")
    assert config["service"]["pipelines"]["metrics"] == {
        "receivers": ["otlp"],
        "processors": ["memory_limiter", "batch"],
        "exporters": ["otlphttp/agentwatch"],
    }
    exporter = config["exporters"]["otlphttp/agentwatch"]
    assert exporter["metrics_endpoint"] == "http://agentwatch-framework:4318/v1/metrics"
