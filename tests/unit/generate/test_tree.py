"""The monitoring tree: committed copy in step with the generators, written whole or not at all,
and judged by the real promtool and amtool."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from agentwatch.cli import app
from agentwatch.generate.runbooks import runbooks_markdown
from agentwatch.generate.tree import RULE_TESTS_DIR, RULES_DIR, monitoring_tree
from agentwatch.render import serialise, write_tree
from agentwatch.spec import Spec

REPO = Path(__file__).resolve().parents[3]
runner = CliRunner()
# `agentwatch check` finds promtool, amtool and docker-compose on PATH itself and runs each on
# the files of a generated tree; the fixtures put the tests that get that far in the tool tier
# and fail them, naming the package, when a tool is missing.
uses_the_tools = pytest.mark.usefixtures("promtool", "amtool", "docker_compose")


def _files(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): path.read_text()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_committed_monitoring_tree_matches_the_generators() -> None:
    expected = {path: serialise(path, content) for path, content in monitoring_tree(Spec()).items()}
    committed = _files(REPO / "monitoring")
    assert sorted(committed) == sorted(expected), "run `make generate`"
    for path, text in expected.items():
        assert committed[path] == text, f"monitoring/{path} is stale: run `make generate`"


def test_tree_has_the_seed_layout() -> None:
    tree = monitoring_tree(Spec())
    assert "prometheus/prometheus.yml" in tree
    assert "alerts/alertmanager.yml" in tree
    assert any(p.startswith(f"{RULES_DIR}/") and p.count("/") == 2 for p in tree)
    assert any(p.startswith(f"{RULE_TESTS_DIR}/") for p in tree)


def test_an_unwritable_tree_leaves_the_directory_untouched(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with pytest.raises(ValueError, match=r"no serialiser for b\.bin"):
        write_tree(target, {"a.yml": {"x": 1}, "b.bin": object()})
    assert not (target / "a.yml").exists()
    assert [p.name for p in tmp_path.iterdir()] == []


@uses_the_tools
def test_generate_then_check_passes_with_the_real_tools(tmp_path: Path) -> None:
    generated = runner.invoke(app, ["generate", "--out", str(tmp_path)])
    assert generated.exit_code == 0, generated.output
    checked = runner.invoke(app, ["check", str(tmp_path)])
    assert checked.exit_code == 0, checked.output
    for what in (
        "Prometheus config",
        "rule files",
        "rule tests",
        "Alertmanager config",
        "compose file",
    ):
        assert what in checked.output


@uses_the_tools
def test_check_names_the_broken_file_and_the_tools_complaint(tmp_path: Path) -> None:
    assert runner.invoke(app, ["generate", "--out", str(tmp_path)]).exit_code == 0
    broken = tmp_path / RULES_DIR / "broken.yml"
    broken.write_text("groups:\n- name: x\n  rules:\n  - alert: Bad\n    expr: rate(up[5m]\n")
    checked = runner.invoke(app, ["check", str(tmp_path)], env={"COLUMNS": "200"})
    assert checked.exit_code == 1
    assert "broken.yml" in checked.output
    assert "unclosed left parenthesis" in checked.output


def test_check_refuses_a_directory_without_a_tree(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 2
    assert "nothing to check" in result.output
    assert runner.invoke(app, ["check", str(tmp_path / "absent")]).exit_code == 2


def test_generate_with_a_bad_spec_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    config = tmp_path / "agentwatch.yaml"
    config.write_text("thresholds:\n  queue_depth_max: lots\n")
    out = tmp_path / "out"
    result = runner.invoke(app, ["generate", "--out", str(out), "--config", str(config)])
    assert result.exit_code == 2
    assert "thresholds.queue_depth_max" in result.output
    assert not out.exists()


def test_committed_runbooks_match_the_alerts() -> None:
    committed = (REPO / "docs" / "runbooks.md").read_text()
    assert committed == runbooks_markdown(Spec()), "docs/runbooks.md is stale: run `make generate`"


@uses_the_tools
def test_check_names_a_rule_reading_an_unknown_metric(tmp_path: Path) -> None:
    assert runner.invoke(app, ["generate", "--out", str(tmp_path)]).exit_code == 0
    user = tmp_path / RULES_DIR / "user.yml"
    # The seed's old name for the transport counter: valid PromQL that would never fire.
    user.write_text(
        "groups:\n"
        "- name: user\n"
        "  rules:\n"
        "  - record: user:up:sum\n"
        "    expr: sum(up)\n"
        "  - alert: UserTransportSilent\n"
        "    expr: rate(transport_messages_total[5m]) > 0\n"
    )
    checked = runner.invoke(app, ["check", str(tmp_path)], env={"COLUMNS": "200"})
    assert checked.exit_code == 1, checked.output
    assert (
        f"{RULES_DIR}/user.yml: groups[0].rules[1] (alert UserTransportSilent): "
        "unknown metric transport_messages_total"
    ) in checked.output
    # promtool itself accepts the file: only the metric-name row fails.
    assert "metric names failed" in checked.output
    assert "rule files failed" not in checked.output


@uses_the_tools
def test_check_accepts_a_user_alert_on_a_user_recorded_series(tmp_path: Path) -> None:
    assert runner.invoke(app, ["generate", "--out", str(tmp_path)]).exit_code == 0
    (tmp_path / RULES_DIR / "user.yml").write_text(
        "groups:\n"
        "- name: user\n"
        "  rules:\n"
        "  - record: user:up:sum\n"
        "    expr: sum(up)\n"
        "  - alert: UserNothingUp\n"
        "    expr: user:up:sum == 0\n"
    )
    checked = runner.invoke(app, ["check", str(tmp_path)], env={"COLUMNS": "200"})
    assert checked.exit_code == 0, checked.output
    assert "metric names" in checked.output


@uses_the_tools
def test_check_names_a_rule_file_that_is_not_yaml(tmp_path: Path) -> None:
    assert runner.invoke(app, ["generate", "--out", str(tmp_path)]).exit_code == 0
    (tmp_path / RULES_DIR / "garbled.yml").write_text("groups: [\n  - name: x\n    rules: {\n")
    checked = runner.invoke(app, ["check", str(tmp_path)], env={"COLUMNS": "200"})
    assert checked.exit_code == 1
    assert f"{RULES_DIR}/garbled.yml: cannot be read as YAML" in checked.output
    assert "metric names failed" in checked.output
