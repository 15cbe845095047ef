import re
from pathlib import Path

import pytest

from agentwatch import catalog
from agentwatch.catalog import CATALOG, MetricType, Origin
from agentwatch.generate.metrics_doc import metrics_markdown

REPO = Path(__file__).resolve().parents[3]
SEEDS = REPO.parent / "shared" / "seeds"

# Every metric the seed documents name (seed 004's code blocks and seed 000's metric lists).
SEED_004 = [
    "agent_transport_messages_total",
    "agent_transport_latency_seconds",
    "agent_transport_throughput_mps",
    "agent_transport_errors_total",
    "agent_status",
    "agent_messages_processed_total",
    "agent_processing_time_seconds",
    "agent_queue_depth",
    "agent_resource_usage",
    "agent_health_score",
    "system_active_agents",
    "capacity_utilization_ratio",
    "performance_bottlenecks",
    "failure_prediction_score",
]


def test_every_seed_004_metric_is_catalogued() -> None:
    names = {f.name for f in CATALOG}
    assert set(SEED_004) <= names


def test_every_claude_metric_in_seed_000_is_catalogued() -> None:
    text = (SEEDS / "000_d225be6be58f0067.txt").read_text()
    seed_names = set(re.findall(r"`(claude_[a-z_]+)`", text)) | set(
        re.findall(r"expr: (claude_[a-z_]+)", text)
    )
    assert len(seed_names) >= 20
    assert seed_names <= {f.name for f in CATALOG}


def test_message_flow_matrix_has_its_labels() -> None:
    flow = catalog.MESSAGE_FLOW_MATRIX_TOTAL
    assert flow.family == "message_flow_matrix"
    assert flow.labels == ("source_agent", "target_agent", "message_type")


def test_names_are_unique_and_follow_prometheus_conventions() -> None:
    names = [f.name for f in CATALOG]
    assert len(names) == len(set(names))
    for family in CATALOG:
        assert re.fullmatch(r"[a-z_][a-z0-9_]*", family.name), family.name
        if family.type is MetricType.COUNTER:
            assert family.name.endswith("_total"), family.name
        else:
            assert not family.name.endswith("_total"), family.name
        # Seed 000's claude_* names are kept exactly as the seed spells them.
        seed_spelled = family.name.startswith("claude_")
        if family.unit in ("seconds", "bytes") and not seed_spelled:
            assert family.name.removesuffix("_total").endswith(family.unit), family.name
        assert (family.buckets is not None) == (family.type is MetricType.HISTOGRAM)
        assert "le" not in family.labels


def test_by_name_names_the_unknown_metric() -> None:
    assert catalog.by_name("agent_status") is catalog.AGENT_STATUS
    with pytest.raises(KeyError, match="transport_messages_total"):
        catalog.by_name("transport_messages_total")


def test_every_family_is_produced_now() -> None:
    # Issue 6 brought the last planned ones (framework scanner, OTLP receiver, business rules).
    assert [f.name for f in CATALOG if not f.implemented] == []
    assert catalog.produced_by(Origin.FRAMEWORK_EXPORTER)
    assert catalog.produced_by(Origin.OTLP_RECEIVER)


def test_committed_metric_reference_matches_the_catalog() -> None:
    committed = (REPO / "docs" / "metrics.md").read_text()
    assert committed == metrics_markdown(), "docs/metrics.md is stale: run `make generate`"
