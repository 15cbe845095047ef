"""agentwatch slo import / report through the CLI; the report's table with a fake Prometheus."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import yaml
from rich.console import Console
from typer.testing import CliRunner

from agentwatch.analytics.slo_status import SloStatus, read_status
from agentwatch.cli import app
from agentwatch.cli._slo import status_table
from agentwatch.spec import Slo, SloSli
from tests.unit.tools import run

FIXTURES = Path(__file__).parents[2] / "fixtures" / "slo"
runner = CliRunner()


def _import(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["slo", "import", *args])
    return result.exit_code, result.output


def test_import_writes_rules_promtool_accepts(tmp_path: Path, promtool: Path) -> None:
    files = [
        FIXTURES / "sloth-getting-started.yml",
        FIXTURES / "sloth-raw-home-wifi.yml",
        FIXTURES / "openslo-v1-slos.yaml",
    ]
    code, output = _import(*map(str, files), "--out", str(tmp_path))
    assert code == 0, output
    rules = yaml.safe_load((tmp_path / "slos.yml").read_text())
    alerts = {r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r}
    assert alerts == {
        "MyServiceHighErrorRate",
        "WifiClientSatisfaction",
        "SLOFooSloErrorBudgetBurn",
    }
    recorded = {
        (r["record"], r["labels"].get("sloth_window"))
        for g in rules["groups"]
        for r in g["rules"]
        if r.get("labels", {}).get("sloth_slo") == "requests-availability" and "record" in r
    }
    assert ("slo:sli_error:ratio_rate30d", "30d") in recorded
    check = run(promtool, "check", "rules", str(tmp_path / "slos.yml"))
    assert check.returncode == 0, check.stdout + check.stderr


def test_unknown_format_is_exit_2_naming_the_file(tmp_path: Path) -> None:
    other = tmp_path / "rules.yml"
    other.write_text("groups: []\n")
    out = tmp_path / "out"
    code, output = _import(str(other), "--out", str(out))
    assert code == 2
    assert "rules.yml" in output
    assert "not a supported SLO file" in output
    assert not out.exists()


def test_rejected_openslo_file_is_exit_2_with_the_field(tmp_path: Path) -> None:
    code, output = _import(str(FIXTURES / "openslo-web-availability.yaml"), "--out", str(tmp_path))
    assert code == 2
    assert "budgetingMethod" in output


# `slo import` finds promtool on PATH itself; the fixture puts the test in the tool tier and
# fails it, naming the package, when promtool is missing.
@pytest.mark.usefixtures("promtool")
def test_broken_promql_is_exit_2_and_writes_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "version: prometheus/v1\nservice: s\nslos:\n  - name: a\n    objective: 99\n"
        "    sli:\n      raw:\n        error_ratio_query: 'sum(rate(x[{{.window}}])'\n"
    )
    out = tmp_path / "out"
    code, output = _import(str(broken), "--out", str(out))
    assert code == 2
    assert "broken.yml" in output
    assert "parse error" in output
    assert not out.exists()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_report_unreachable_prometheus_is_exit_1_naming_the_url() -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    result = runner.invoke(app, ["slo", "report", "--prometheus", url])
    assert result.exit_code == 1
    assert url in result.output


_SLO = Slo(name="checkout", objective=99.9, sli=SloSli(error_ratio_query="x[{{.window}}]"))


class _FakePrometheus:
    """Answers from a table keyed by the metric name at the start of each query."""

    def __init__(self, values: dict[str, float]) -> None:
        self.values = values
        self.queries: list[str] = []

    def value(self, promql: str) -> float | None:
        self.queries.append(promql)
        return self.values.get(promql.split("{", 1)[0])


def _render(statuses: list[SloStatus]) -> str:
    console = Console(width=250, record=True, color_system=None)
    console.print(status_table(statuses))
    return console.export_text()


def test_report_table_values_and_missing_series() -> None:
    fake = _FakePrometheus(
        {
            "slo:sli_error:ratio_rate30d": 0.0004,
            "slo:period_error_budget_remaining:ratio": 0.6,
            "slo:current_burn_rate:ratio": 2.5,
            "slo:sli_error:ratio_rate1h": 0.5,
        }
    )
    status = read_status(fake, _SLO)
    # Every query selects the SLO by the labels the rules write.
    assert all('sloth_id="agentwatch-checkout", sloth_slo="checkout"' in q for q in fake.queries)
    assert status.budget_minutes == pytest.approx(43.2)
    text = _render([status])
    assert "99.960% over 30d" in text
    assert "60.0% (25.9 of 43.2 min)" in text
    assert "2.50x" in text
    assert "0.50x" in text  # 1h, from the fake's answer to the ratio query
    assert text.count("no data") == 3  # 6h, 1d, 3d


def test_report_table_with_no_data_at_all() -> None:
    text = _render([read_status(_FakePrometheus({}), _SLO)])
    assert text.count("no data") == 7
