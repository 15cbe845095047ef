"""agentwatch slo report against a real Prometheus that evaluates the generated SLO rules.

An in-process exporter serves two counters that grow with time, errors at 1% of requests, so
with a 98% objective every burn rate is 0.5x and half the error budget is left; a second SLO
over a metric nobody serves shows "no data" in every cell.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, Metric
from rich.console import Console
from typer.testing import CliRunner

from agentwatch.cli import app
from agentwatch.generate.slo import slo_rule_file
from agentwatch.render import write_yaml
from agentwatch.spec import load_spec

from .support import free_ports, wait_until

_START = time.monotonic()


class _Requests:
    """100 requests a second, 1 of them failing, as counters computed at scrape time."""

    def collect(self) -> Iterable[Metric]:
        elapsed = time.monotonic() - _START + 1
        family = CounterMetricFamily("demo_requests", "Requests served.", labels=["code"])
        family.add_metric(["200"], 99 * elapsed)
        family.add_metric(["500"], 1 * elapsed)
        yield family


_SPEC = """\
ports:
  prometheus: {prometheus}
slos:
  - name: demo
    objective: 98
    sli:
      error_query: sum(rate(demo_requests_total{{code="500"}}[{{{{.window}}}}]))
      total_query: sum(rate(demo_requests_total[{{{{.window}}}}]))
  - name: ghost
    objective: 99.9
    sli:
      error_ratio_query: sum(rate(ghost_errors_total[{{{{.window}}}}]))
"""


@pytest.fixture
def prometheus(tmp_path: Path, prometheus_binary: Path) -> Iterator[tuple[Path, str]]:
    prom_port, exporter_port = free_ports(2)
    registry = CollectorRegistry()
    registry.register(_Requests())
    server, thread = start_http_server(exporter_port, "127.0.0.1", registry)
    config = tmp_path / "agentwatch.yaml"
    config.write_text(_SPEC.format(prometheus=prom_port))
    write_yaml(tmp_path / "slos.yml", slo_rule_file(load_spec(config)))
    write_yaml(
        tmp_path / "prometheus.yml",
        {
            # Fast scrapes and evaluations: the 5m rates need two samples, the period ratio a
            # recorded 5m ratio, all within a few seconds.
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": ["slos.yml"],
            "scrape_configs": [
                {
                    "job_name": "demo",
                    "static_configs": [{"targets": [f"127.0.0.1:{exporter_port}"]}],
                }
            ],
        },
    )
    url = f"http://127.0.0.1:{prom_port}"
    log = (tmp_path / "prometheus.log").open("w")
    process = subprocess.Popen(
        [
            prometheus_binary,
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{prom_port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until(lambda: httpx.get(f"{url}/-/ready").status_code == 200, "Prometheus ready", 30)
        yield config, url
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()
        server.shutdown()
        thread.join(timeout=5)


def _recorded(url: str, query: str) -> bool:
    body = httpx.get(f"{url}/api/v1/query", params={"query": query}).json()
    return bool(body["data"]["result"])


def test_report_reads_the_recorded_slo_series(
    prometheus: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config, url = prometheus
    wait_until(
        lambda: (
            _recorded(url, 'slo:period_error_budget_remaining:ratio{sloth_slo="demo"}')
            and _recorded(url, 'slo:sli_error:ratio_rate3d{sloth_slo="demo"}')
        ),
        "the SLO rules to record the demo SLO",
        45,
    )
    wide = Console(width=250, color_system=None, record=True)
    monkeypatch.setattr("agentwatch.cli._slo.console", wide)
    result = CliRunner().invoke(app, ["slo", "report", "--config", str(config)])
    assert result.exit_code == 0, result.output
    lines = wide.export_text().splitlines()
    (demo,) = [line for line in lines if " demo " in line]
    (ghost,) = [line for line in lines if " ghost " in line]
    assert "99.000% over 30d" in demo
    # Budget 2% of 30 days = 864 minutes; burning at 0.5x leaves half of it.
    assert "50.0% (432.0 of 864.0 min)" in demo
    assert demo.count("0.50x") == 5  # 5m, 1h, 6h, 1d, 3d
    assert "no data" not in demo
    assert ghost.count("no data") == 7
