"""Each gate's formula on small frameworks, including gates with nothing to measure."""

import json
from pathlib import Path

import pytest

from agentwatch.framework import Gate, scan
from agentwatch.spec import AgentTemplate, FrameworkSettings
from agentwatch.spec._framework import GateWeights

from .conftest import Write, agent

A = ".claude/agents/"


def test_only_agents_measures_two_gates_and_renormalises_their_weights(
    framework: Path, write: Write
) -> None:
    write(A + "planner.md", agent())
    write(A + "coder.md", agent("coder", model="gpt-4"))
    result = scan(framework)
    gates = {g.gate: g for g in result.gates}
    assert not gates[Gate.PROMPT_QUALITY].measured
    assert "no prompt or template file" in gates[Gate.PROMPT_QUALITY].detail
    assert not gates[Gate.CODE_QUALITY].measured
    assert "no JUnit report found" in gates[Gate.CODE_QUALITY].detail
    assert not gates[Gate.DOCUMENTATION].measured
    assert result.documentation_consistency_score is None
    integrity, quality = gates[Gate.FRAMEWORK_INTEGRITY], gates[Gate.AGENT_QUALITY]
    assert integrity.score == 1.0
    assert quality.score == pytest.approx(23 / 24)  # 12 checks x 2 agents, 1 failed
    assert integrity.effective_weight == pytest.approx(0.2 / 0.5)
    assert quality.effective_weight == pytest.approx(0.3 / 0.5)
    assert result.quality_score == pytest.approx(100 * (0.4 * 1 + 0.6 * 23 / 24))
    assert (result.standardized, result.agent_count) == (1, 2)
    assert result.template_compliance_rate == pytest.approx(15 / 16)


def test_weights_are_configurable_and_a_zero_weight_drops_a_gate(
    framework: Path, write: Write
) -> None:
    write(A + "planner.md", agent(tools=None))  # explicit_tools fails: a quality check
    weights = GateWeights(framework_integrity=0, agent_quality=1)
    result = scan(framework, FrameworkSettings(weights=weights))
    assert result.quality_score == pytest.approx(100 * 11 / 12)
    assert result.standardized == 1  # quality checks do not count for the template


def test_agent_checks_fail_with_reasons(framework: Path, write: Write) -> None:
    write(A + "a.md", agent("Bad_Name", extra="color: blue"))
    write(A + "b.md", agent("b", description="", tools="Read, Bsh, mcp__github__create_issue"))
    write(A + "c.md", agent("c", tools="Read, Read", model="claude-sonnet-4-5", body=""))
    write(A + "d.md", agent("d", body="Hello {{ user }}, you plan.\n"))
    result = scan(framework)
    reasons = {
        a.path.removeprefix(A): {c.name: c.reason for c in a.failures} for a in result.agents
    }
    assert reasons["a.md"] == {
        "name_format": "name 'Bad_Name' does not match ^[a-z]+(?:-[a-z]+)*$",
        "known_fields": "unknown front matter key 'color' (the template allows name, "
        "description, tools, model)",
    }
    assert reasons["b.md"]["required_fields"] == "'description' must be text, got empty"
    assert reasons["b.md"]["tools_format"] == "unknown tool 'Bsh'"
    assert reasons["b.md"]["description_length"] == "description has 0 words, fewer than 5"
    assert reasons["c.md"]["tools_format"] == "tools listed twice: Read"
    assert "model" not in reasons["c.md"]  # a full model id is accepted
    assert reasons["c.md"]["system_prompt"] == "the body (system prompt) is empty"
    assert reasons["d.md"] == {
        "prompt_length": "system prompt has 4 words, fewer than 30",
        "no_placeholders": "unresolved placeholder(s): {{user}}",
    }
    assert result.standardized == 1  # only d follows the template


def test_required_sections_and_name_matching_the_file(framework: Path, write: Write) -> None:
    body = "## Role\n\nPlans.\n\n```\n## Workflow\n```\n"
    write(A + "planner.md", agent(body=body))
    write(A + "other.md", agent("coder", body="## role\n## Workflow\n"))
    template = AgentTemplate(required_sections=("Role", "Workflow"), name_matches_file=True)
    result = scan(framework, template=template)
    by_file = {
        a.path.removeprefix(A): {c.name: c.reason for c in a.template_failures}
        for a in result.agents
    }
    # A heading inside a code block is no section.
    assert by_file["planner.md"] == {"sections": "missing section(s): Workflow"}
    assert by_file["other.md"] == {
        "name_matches_file": "name 'coder' differs from the file name 'other'"
    }


def test_prompt_quality_counts_prompt_and_template_checks(framework: Path, write: Write) -> None:
    write(A + "planner.md", agent())
    write(
        "prompts/ok.md", "Triage the bug: reproduce it, classify it and assign it to its owner.\n"
    )
    write(
        "prompts/left.md", "Summarise {{ ticket }} for the team in a few short sentences please.\n"
    )
    write(
        "prompts/code.md",
        "Write the workflow step as `${{ secrets.TOKEN }}` in the yaml file now.\n",
    )
    write(
        "templates/handoff.md",
        "---\nvariables: [task, owner]\n---\n"
        "Hand {{task}} to {{ reviewer }} and tell them what is done and what is left.\n",
    )
    write("templates/bare.md", "Hello {{name}}, here is your task list for today and tomorrow.\n")
    result = scan(framework)
    gate = result.gate(Gate.PROMPT_QUALITY)
    failures = {r.path: {c.name: c.reason for c in r.failures} for r in result.prompts}
    assert failures["prompts/ok.md"] == {}
    assert failures["prompts/code.md"] == {}  # inside inline code: not a placeholder
    assert failures["prompts/left.md"] == {
        "no_placeholders": "unresolved placeholder(s): {{ticket}}"
    }
    assert failures["templates/handoff.md"] == {
        "placeholders_declared": "placeholder(s) used but not declared: {{reviewer}}",
        "variables_used": "declared but never used: owner",
    }
    assert set(failures["templates/bare.md"]) == {
        "declares_variables",
        "placeholders_declared",
        "variables_used",
    }
    # 3 prompts x 3 checks + 2 templates x 5 checks = 19; 1 + 2 + 3 failed.
    assert (gate.passed, gate.total) == (13, 19)


def test_code_quality_from_junit_coverage_and_lint_reports(framework: Path, write: Write) -> None:
    write(A + "planner.md", agent())
    write(
        "reports/junit.xml",
        '<testsuite><testcase name="a"/><testcase name="b"><failure/></testcase>'
        '<testcase name="c"><error/></testcase><testcase name="d"><skipped/></testcase>'
        '<testcase name="e"/></testsuite>',
    )
    write("reports/coverage.xml", '<coverage line-rate="0.5" lines-covered="30" lines-valid="40"/>')
    write("src/a.py", "x = 1\n")
    write("src/b.py", "y = 2\n")
    write("src/c.py", "z = 3\n")
    write("reports/ruff.json", json.dumps([{"filename": "src/a.py", "code": "F401"}] * 2))
    write(
        "reports/eslint.json",
        json.dumps(
            [{"filePath": "/x/a.js", "messages": []}, {"filePath": "/x/b.js", "messages": [{}]}]
        ),
    )
    result = scan(framework)
    parts = {p.name: p for p in result.code_quality}
    assert parts["tests"].score == pytest.approx(2 / 4)  # 4 ran, 2 passed, 1 skipped
    assert parts["coverage"].score == pytest.approx(30 / 40)  # counts beat the rounded rate
    # The ruff report: 3 sources, 1 with findings; eslint: 2 files, 1 clean.
    assert parts["lint"].score == pytest.approx((2 + 1) / (3 + 2))
    assert result.gate(Gate.CODE_QUALITY).score == pytest.approx((0.5 + 0.75 + 0.6) / 3)


def test_a_broken_report_is_a_problem_and_measures_nothing(framework: Path, write: Write) -> None:
    write(A + "planner.md", agent())
    write("reports/junit.xml", "<testsuite><testcase name='a'>")
    write("reports/ruff.json", "{not json")
    result = scan(framework)
    assert not result.gate(Gate.CODE_QUALITY).measured
    kinds = {(p.path, str(p.kind)) for p in result.problems}
    assert kinds == {("reports/junit.xml", "bad_report"), ("reports/ruff.json", "bad_report")}
    # Reports are no framework content: integrity is untouched.
    assert result.gate(Gate.FRAMEWORK_INTEGRITY).score == 1.0


def test_documentation_checks(framework: Path, write: Write) -> None:
    write(A + "planner.md", agent(description="Plans features into ordered tasks with risks."))
    write(A + "coder.md", agent("coder", description="Writes the code for each planned task."))
    write(A + "tester.md", agent("tester"))
    write(
        "docs/agents.md",
        "# Agents\n\nSee [the guide](guide.md), [missing](nope.md#x), [web](https://x.org), "
        "[top](#agents).\n\n| Agent | Description |\n|---|---|\n"
        "| `planner` | Plans features into ordered tasks. |\n"
        "| [coder](../.claude/agents/coder.md) | Deploys services to production clusters. |\n"
        "| reviewer | Reviews code. |\n",
    )
    write("docs/guide.md", "# Guide\n\nStart with the planner.\n")
    result = scan(framework)
    failed = sorted(c.reason for c in result.documentation_checks if not c.passed)
    assert failed == [
        "agent 'tester' is not mentioned in any doc",
        "docs/agents.md:3: link 'nope.md#x' does not resolve",
        "docs/agents.md:8: description of 'coder' shares 0% of its words with the front "
        "matter's (at least 80% expected)",
        "docs/agents.md:9: lists agent 'reviewer', which no agent file defines",
    ]
    # 3 mentions + 3 rows + 2 descriptions + 3 local links (guide, nope, the agent file).
    gate = result.gate(Gate.DOCUMENTATION)
    assert (gate.passed, gate.total) == (7, 11)
    assert result.documentation_consistency_score == pytest.approx(100 * 7 / 11)


def test_docs_with_nothing_to_check_leave_the_gate_unmeasured(
    framework: Path, write: Write
) -> None:
    write("README.md", "# Nothing here\n")
    result = scan(framework)
    gate = result.gate(Gate.DOCUMENTATION)
    assert not gate.measured
    assert "nothing to check" in gate.detail
    assert result.quality_score == 100.0  # integrity only: README read fine


def test_empty_framework_measures_nothing(framework: Path) -> None:
    result = scan(framework)
    assert result.quality_score is None
    assert result.standardization_rate is None
    assert all(not g.measured for g in result.gates)
