from pathlib import Path

import pytest

from agentwatch.spec import DEFAULT_AGENT_TYPES, Spec, SpecError, duration_seconds, load_spec


def test_defaults_are_the_seed_values() -> None:
    spec = load_spec(None)
    assert len(spec.agent_types) == 28 == len(set(DEFAULT_AGENT_TYPES))
    assert spec.listen_address == "127.0.0.1"
    assert (spec.ports.prometheus, spec.ports.alertmanager) == (9090, 9093)
    assert (spec.ports.agent_exporter, spec.ports.transport_exporter) == (8000, 8001)
    assert (spec.ports.framework_exporter, spec.ports.analytics_exporter) == (8002, 8003)
    assert (spec.ports.voice_exporter, spec.ports.otlp_http, spec.ports.console) == (
        8010,
        4318,
        8080,
    )
    assert spec.scrape.transport.interval == "1s"
    assert spec.scrape.transport.timeout == "800ms"
    assert spec.scrape.interval == spec.scrape.evaluation_interval == "15s"
    assert spec.scrape.framework.interval == "10s"
    t = spec.thresholds
    assert t.framework_quality_score_min == 90
    assert t.agent_response_time_max_ms == 2000
    assert t.transport_throughput_min_mps == 4_000_000
    assert t.failure_prediction_max == 80
    assert t.availability_min == 0.999
    assert t.memory_usage_max_ratio == 0.95
    assert t.latency_p99_max_seconds == 0.1
    assert t.agent_health_min == 50
    assert t.queue_depth_max == 1000
    # Seed 004: adaptive sampling between 0.1% and 100%; the collector samples 1%.
    tracing = spec.tracing
    assert (tracing.min_sampling_ratio, tracing.max_sampling_ratio) == (0.001, 1.0)
    assert tracing.collector_sampling_percentage == 1.0
    assert tracing.otlp_endpoint is None


def _load(tmp_path: Path, text: str) -> Spec:
    path = tmp_path / "agentwatch.yaml"
    path.write_text(text)
    return load_spec(path)


def test_a_valid_file_overrides_defaults(tmp_path: Path) -> None:
    spec = _load(tmp_path, "version: 1\nports:\n  prometheus: 19090\nagent_types: [a, b]\n")
    assert spec.ports.prometheus == 19090
    assert spec.agent_types == ("a", "b")
    assert spec.ports.alertmanager == 9093


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        ("bogus: 1\n", "bogus", "unknown key"),
        ("ports:\n  prometheus: nine\n", "ports.prometheus", "valid integer"),
        ("ports:\n  prometheus: 70000\n", "ports.prometheus", "less than or equal to 65535"),
        ("ports:\n  console: 9090\n", "ports", "port 9090 is given to both prometheus and console"),
        (
            "scrape:\n  transport:\n    interval: 1s\n    timeout: 2s\n",
            "scrape.transport",
            "longer",
        ),
        ("scrape:\n  interval: fast\n", "scrape.interval", "expected a duration"),
        ("cardinality:\n  agents: 0\n", "cardinality.agents", "greater than or equal to 1"),
        ("cardinality:\n  agent: 10\n", "cardinality.agent", "unknown key"),
        ("cardinality:\n  workflows: many\n", "cardinality.workflows", "integer"),
        (
            "cardinality:\n  agents: 50\n",
            "(top level)",
            "56 agents (28 agent types x simulation.agents_per_type 2), more than "
            "cardinality.agents (50)",
        ),
        ("cardinality:\n  agent_types: 27\n", "(top level)", "raise cardinality.agent_types"),
        ("version: 2\n", "version", "1"),
        ("agent_types: [a, a]\n", "(top level)", "more than once: a"),
        ("agent_types: [Bad-Name]\n", "agent_types[0]", "pattern"),
        ("thresholds:\n  availability_min: 1.5\n", "thresholds.availability_min", "less than 1"),
        ("- just\n- a list\n", "(top level)", "expected a mapping"),
        ("ports: [\n", "line", "not valid YAML"),
        ("tracing:\n  otlp_endpoint: collector:4317\n", "tracing.otlp_endpoint", "http://"),
        ("tracing:\n  otlp_protocol: thrift\n", "tracing.otlp_protocol", "'grpc'"),
        ("tracing:\n  budget_spans_per_second: 0\n", "tracing.budget_spans_per_second", "0"),
        (
            "tracing:\n  min_sampling_ratio: 0.5\n  max_sampling_ratio: 0.1\n",
            "tracing",
            "min_sampling_ratio (0.5) is above max_sampling_ratio (0.1)",
        ),
        ("tracing:\n  slow_span: soon\n", "tracing.slow_span", "expected a duration"),
        (
            "storage:\n  remote_write:\n    - {name: vm, url: 'vm:8428/api/v1/write'}\n",
            "storage.remote_write[0].url",
            "http://",
        ),
        (
            "storage:\n  remote_write:\n    - {url: 'http://vm:8428/api/v1/write'}\n",
            "storage.remote_write[0].name",
            "required",
        ),
        (
            # A literal password has no field to go in: the credential lives in a file.
            "storage:\n  remote_write:\n    - name: vm\n      url: http://vm:8428/api/v1/write\n"
            "      basic_auth: {username: w, password: hunter2}\n",
            "storage.remote_write[0].basic_auth.password",
            "unknown key",
        ),
        (
            "storage:\n  remote_write:\n    - name: vm\n      url: http://vm:8428/api/v1/write\n"
            "      basic_auth: {username: w, password_file: /p}\n"
            "      bearer_token_file: /t\n",
            "storage.remote_write[0]",
            "not both",
        ),
        (
            "storage:\n  remote_write:\n    - name: vm\n      url: http://vm:8428/api/v1/write\n"
            "      headers: {Authorization: Basic x}\n",
            "storage.remote_write[0]",
            "set by Prometheus itself",
        ),
        (
            "storage:\n  remote_write:\n    - {name: vm, url: 'http://a/api/v1/write'}\n"
            "    - {name: vm, url: 'http://b/api/v1/write'}\n",
            "storage.remote_write",
            "'vm' is given twice",
        ),
        ("scrape:\n  shards: 0\n", "scrape.shards", "greater than or equal to 1"),
        ("scrape:\n  shards: two\n", "scrape.shards", "integer"),
        (
            "ports:\n  alertmanager_2_gossip: 9093\n",
            "ports",
            "port 9093 is given to both alertmanager and alertmanager_2_gossip",
        ),
        ("ha:\n  enabled: maybe\n", "ha.enabled", "valid boolean"),
        ("ha:\n  peer_timeout: soon\n", "ha.peer_timeout", "expected a duration"),
    ],
)
def test_bad_files_name_file_field_and_expectation(
    tmp_path: Path, text: str, field: str, message: str
) -> None:
    with pytest.raises(SpecError) as caught:
        _load(tmp_path, text)
    error = caught.value
    assert error.source.endswith("agentwatch.yaml")
    rendered = str(error)
    assert field in rendered or field == "(top level)", rendered
    assert message in rendered, rendered


def test_missing_file_is_a_spec_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="cannot read the file"):
        load_spec(tmp_path / "absent.yaml")


@pytest.mark.parametrize(
    ("text", "seconds"), [("800ms", 0.8), ("15s", 15), ("5m", 300), ("7d", 604800), ("1w", 604800)]
)
def test_durations(text: str, seconds: float) -> None:
    assert duration_seconds(text) == pytest.approx(seconds)


def test_empty_file_means_defaults(tmp_path: Path) -> None:
    assert _load(tmp_path, "") == Spec()
