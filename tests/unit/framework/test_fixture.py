"""The shipped 45-agent fixture framework: 43 follow the template, 2 fail for two reasons."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agentwatch.cli import app
from agentwatch.framework import Gate, scan

from .conftest import FIXTURE

runner = CliRunner()


def test_fixture_has_45_agent_files_in_subdirectories() -> None:
    files = sorted((FIXTURE / ".claude" / "agents").rglob("*.md"))
    assert len(files) == 45
    assert len({f.parent for f in files}) >= 5


def test_43_of_45_agents_follow_the_template_and_the_two_failures_say_why() -> None:
    result = scan(FIXTURE)
    assert (result.standardized, result.agent_count) == (43, 45)
    assert result.standardization_rate == pytest.approx(43 / 45)
    failing = {
        a.path: [(c.name, c.reason) for c in a.template_failures] for a in result.failing_agents
    }
    assert failing == {
        ".claude/agents/operations/incident-responder.md": [
            ("name_format", "name 'Incident_Responder' does not match ^[a-z]+(?:-[a-z]+)*$")
        ],
        ".claude/agents/quality/qa-lead.md": [
            (
                "model",
                "model 'gpt-4o' is not one of sonnet, opus, haiku, inherit nor a full model id "
                "matching ^claude-[a-z0-9][a-z0-9.-]*$",
            )
        ],
    }
    assert result.problems == ()


def test_every_gate_is_measured_with_the_documented_formulas() -> None:
    result = scan(FIXTURE)
    gates = {g.gate: g for g in result.gates}
    assert all(g.measured for g in result.gates)
    # 45 agent files + 3 prompts + 2 templates + 3 docs, none with a problem.
    assert (gates[Gate.FRAMEWORK_INTEGRITY].passed, gates[Gate.FRAMEWORK_INTEGRITY].total) == (
        53,
        53,
    )
    # 12 checks per agent (8 template, 4 quality); the two failures are one check each.
    assert (gates[Gate.AGENT_QUALITY].passed, gates[Gate.AGENT_QUALITY].total) == (538, 540)
    assert (result.template_checks_passed, result.template_checks_total) == (358, 360)
    # release-notes.md declares a variable it never uses.
    assert (gates[Gate.PROMPT_QUALITY].passed, gates[Gate.PROMPT_QUALITY].total) == (18, 19)
    # JUnit: 12 cases, 1 skipped, 1 failed; no coverage or lint report.
    assert gates[Gate.CODE_QUALITY].score == pytest.approx(10 / 11)
    # Incident_Responder is neither mentioned nor listed under its own name.
    assert (gates[Gate.DOCUMENTATION].passed, gates[Gate.DOCUMENTATION].total) == (140, 142)
    expected = 100 * (
        0.20 * 1 + 0.30 * 538 / 540 + 0.15 * 18 / 19 + 0.20 * 10 / 11 + 0.15 * 140 / 142
    )
    assert result.quality_score == pytest.approx(expected)
    assert result.documentation_consistency_score == pytest.approx(100 * 140 / 142)


def test_cli_json_is_plain_and_complete() -> None:
    result = runner.invoke(app, ["framework", "scan", str(FIXTURE), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["agents_standardized"], data["agents_total"]) == (43, 45)
    assert [a["name"] for a in data["failing_agents"]] == ["Incident_Responder", "qa-lead"]
    assert data["quality_score"] == pytest.approx(scan(FIXTURE).quality_score, abs=1e-3)
    assert {g["gate"] for g in data["gates"]} == {str(g) for g in Gate}


def test_cli_prints_score_gates_and_failing_agents() -> None:
    result = runner.invoke(app, ["framework", "scan", str(FIXTURE)])
    assert result.exit_code == 0, result.output
    assert "43/45" in result.output
    assert "97.1/100" in result.output
    assert "qa-lead.md" in result.output
    assert "gpt-4o" in result.output


@pytest.mark.parametrize("kind", ["missing", "file", "no_agents_dir"])
def test_cli_path_that_is_no_framework_is_exit_2_naming_it(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "x"
    if kind == "file":
        path.write_text("not a directory")
    elif kind == "no_agents_dir":
        path.mkdir()
    result = runner.invoke(app, ["framework", "scan", str(path)])
    assert result.exit_code == 2
    assert str(path) in result.output.replace("\n", "")


def test_cli_takes_the_template_from_the_config(tmp_path: Path) -> None:
    config = tmp_path / "agentwatch.yaml"
    config.write_text("framework:\n  template:\n    model_aliases: [sonnet, opus, haiku, gpt-4o]\n")
    result = runner.invoke(
        app, ["framework", "scan", str(FIXTURE), "--json", "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["agents_standardized"] == 44


def test_cli_bad_config_is_exit_2(tmp_path: Path) -> None:
    config = tmp_path / "agentwatch.yaml"
    config.write_text("framework:\n  template:\n    name_pattern: '[a-z'\n")
    result = runner.invoke(app, ["framework", "scan", str(FIXTURE), "--config", str(config)])
    assert result.exit_code == 2
    assert "name_pattern" in result.output
