from pathlib import Path

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.metrics_core import Metric

from agentwatch.generate.prometheus import prometheus_config
from agentwatch.simulate import OpenMetricsSpool, exporter_labels
from agentwatch.spec import Spec


def _snapshot(value: float) -> list[Metric]:
    counter = CounterMetricFamily("requests", "Requests.\nTwo lines", labels=["path"])
    counter.add_metric(["/a"], value)
    counter.add_metric(['/"b"'], 2 * value)
    gauge = GaugeMetricFamily("depth", "Depth.")
    gauge.add_metric([], value / 2)
    histogram = HistogramMetricFamily("latency_seconds", "Latency.")
    histogram.add_metric([], [("0.1", value), ("+Inf", value)], sum_value=value / 10)
    return [counter, gauge, histogram]


def test_each_family_is_contiguous_across_snapshots(tmp_path: Path) -> None:
    target = tmp_path / "out.om"
    with OpenMetricsSpool(tmp_path) as spool:
        spool.add(_snapshot(1), 100.0, {"job": "agents"})
        spool.add(_snapshot(2), 160.0, {"job": "agents"})
        assert spool.write(target) == 2 * 7
    lines = target.read_text().splitlines()
    assert lines[-1] == "# EOF"
    assert lines[:2] == ["# HELP requests Requests.\\nTwo lines", "# TYPE requests counter"]
    assert lines[2:6] == [
        'requests_total{job="agents",path="/a"} 1.0 100.000',
        'requests_total{job="agents",path="/\\"b\\""} 2.0 100.000',
        'requests_total{job="agents",path="/a"} 2.0 160.000',
        'requests_total{job="agents",path="/\\"b\\""} 4.0 160.000',
    ]
    families = [line.split()[2] for line in lines if line.startswith("# TYPE")]
    assert families == ["requests", "depth", "latency_seconds"]
    histogram = lines[lines.index("# TYPE latency_seconds histogram") + 1 :]
    assert histogram[:4] == [
        'latency_seconds_bucket{job="agents",le="0.1"} 1.0 100.000',
        'latency_seconds_bucket{job="agents",le="+Inf"} 1.0 100.000',
        'latency_seconds_count{job="agents"} 1.0 100.000',
        'latency_seconds_sum{job="agents"} 0.1 100.000',
    ]


def test_the_spool_starts_empty_after_each_write(tmp_path: Path) -> None:
    with OpenMetricsSpool(tmp_path) as spool:
        spool.add(_snapshot(1), 100.0)
        spool.write(tmp_path / "first.om")
        spool.add(_snapshot(3), 200.0)
        assert spool.write(tmp_path / "second.om") == 7
    second = (tmp_path / "second.om").read_text()
    assert " 100.000" not in second
    assert 'requests_total{path="/a"} 3.0 200.000' in second


def test_history_carries_the_labels_live_scrapes_get() -> None:
    spec = Spec()
    config = prometheus_config(spec, rule_files=[], demo=True)
    scraped = {
        job["job_name"]: job["static_configs"][0]["targets"][0] for job in config["scrape_configs"]
    }
    for labels in exporter_labels(spec).values():
        assert scraped[labels["job"]] == labels["instance"]
