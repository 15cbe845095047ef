"""The agent checks: the unified template (standardization, template compliance) and the
quality checks beyond it (agent_quality gate). docs/framework.md lists them."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any

from agentwatch.spec import AgentQuality, AgentTemplate

from ._files import TextFile, headings, placeholders, words
from ._model import AgentResult, Check, CheckKind, FileProblem, ProblemKind

__all__ = ["agent_check_names", "check_agent", "mark_duplicates"]

T, Q = CheckKind.TEMPLATE, CheckKind.QUALITY
_MCP_TOOL = re.compile(r"^mcp__[A-Za-z0-9_-]+(?:__[A-Za-z0-9_-]+)?$")
_TOOL = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def agent_check_names(
    template: AgentTemplate, quality: AgentQuality
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The template checks and the quality checks applied to each agent file."""
    names = ["loads", "required_fields", "name_format"]
    if not template.allow_unknown_front_matter:
        names.append("known_fields")
    names += ["tools_format", "model", "system_prompt"]
    if template.required_sections:
        names.append("sections")
    if template.name_matches_file:
        names.append("name_matches_file")
    names.append("unique_name")
    return tuple(names), quality_check_names(quality)


def quality_check_names(quality: AgentQuality) -> tuple[str, ...]:
    names = []
    if quality.min_description_words:
        names.append("description_length")
    if quality.min_prompt_words:
        names.append("prompt_length")
    if quality.explicit_tools:
        names.append("explicit_tools")
    return (*names, "no_placeholders")


def _check(name: str, kind: CheckKind, reasons: Sequence[str]) -> Check:
    return Check(name, kind, not reasons, "; ".join(reasons))


def _required(front: dict[Any, Any], template: AgentTemplate) -> list[str]:
    reasons = []
    for key in template.required_front_matter:
        if key not in front:
            reasons.append(f"missing required field '{key}'")
        elif not isinstance(front[key], str):
            kind = "empty" if front[key] is None else f"a {type(front[key]).__name__}"
            reasons.append(f"'{key}' must be text, got {kind}")
        elif not front[key].strip():
            reasons.append(f"'{key}' is empty")
    return reasons


def _tools(value: object, template: AgentTemplate) -> list[str]:
    if not isinstance(value, str):
        kind = "nothing" if value is None else f"a YAML {type(value).__name__}"
        return [f"'tools' must be a comma-separated string like 'Read, Grep, Glob', got {kind}"]
    names = [t.strip() for t in value.split(",")]
    if any(not n for n in names):
        return [f"'tools' has an empty entry: {value!r}"]
    reasons = []
    for tool in names:
        if _MCP_TOOL.match(tool):
            continue
        if template.known_tools is not None and tool not in template.known_tools:
            reasons.append(f"unknown tool '{tool}'")
        elif template.known_tools is None and not _TOOL.match(tool):
            reasons.append(f"'{tool}' is not a tool name")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        reasons.append(f"tools listed twice: {', '.join(repeated)}")
    return reasons


def _model(value: object, template: AgentTemplate) -> list[str]:
    if isinstance(value, str) and (
        value in template.model_aliases or re.fullmatch(template.model_id_pattern, value)
    ):
        return []
    aliases = ", ".join(template.model_aliases)
    return [
        f"model {value!r} is not one of {aliases} nor a full model id "
        f"matching {template.model_id_pattern}"
    ]


def check_agent(
    path: str,
    loaded: TextFile | None,
    problem: FileProblem | None,
    template: AgentTemplate,
    quality: AgentQuality,
) -> AgentResult:
    """Every check but unique_name (see mark_duplicates). A file that did not load has the
    failed ``loads`` check only, and counts as passing none of the others."""
    if loaded is None or loaded.front_matter is None:
        reason = str(problem.message) if problem is not None else "no front matter ('---' block)"
        if problem is not None and problem.line is not None:
            reason = f"line {problem.line}: {reason}"
        return AgentResult(path, None, (Check("loads", T, False, reason),))
    front = loaded.front_matter
    name = front.get("name") if isinstance(front.get("name"), str) else None
    description = front.get("description")
    description = description if isinstance(description, str) else None
    checks = [Check("loads", T, True), _check("required_fields", T, _required(front, template))]
    checks.append(
        _check(
            "name_format",
            T,
            []
            if name is None or re.fullmatch(template.name_pattern, name)
            else [f"name {name!r} does not match {template.name_pattern}"],
        )
    )
    if not template.allow_unknown_front_matter:
        allowed = (*template.required_front_matter, *template.optional_front_matter)
        unknown = [str(k) for k in front if k not in allowed]
        checks.append(
            _check(
                "known_fields",
                T,
                [
                    f"unknown front matter key '{k}' (the template allows {', '.join(allowed)})"
                    for k in unknown
                ],
            )
        )
    checks.append(
        _check("tools_format", T, _tools(front["tools"], template) if "tools" in front else [])
    )
    checks.append(_check("model", T, _model(front["model"], template) if "model" in front else []))
    body = loaded.body
    checks.append(
        _check("system_prompt", T, [] if body.strip() else ["the body (system prompt) is empty"])
    )
    if template.required_sections:
        present = {h.casefold() for h in headings(body)}
        missing = [s for s in template.required_sections if s.casefold() not in present]
        checks.append(
            _check("sections", T, [f"missing section(s): {', '.join(missing)}"] if missing else [])
        )
    if template.name_matches_file:
        stem = PurePosixPath(path).stem
        checks.append(
            _check(
                "name_matches_file",
                T,
                [] if name == stem else [f"name {name!r} differs from the file name {stem!r}"],
            )
        )
    checks.append(Check("unique_name", T, True))
    checks += _quality(front, body, quality)
    return AgentResult(path, name, tuple(checks), description)


def _quality(front: dict[Any, Any], body: str, quality: AgentQuality) -> list[Check]:
    checks = []
    if quality.min_description_words:
        description = front.get("description")
        count = len(words(description)) if isinstance(description, str) else 0
        checks.append(
            _check(
                "description_length",
                Q,
                []
                if count >= quality.min_description_words
                else [f"description has {count} words, fewer than {quality.min_description_words}"],
            )
        )
    if quality.min_prompt_words:
        count = len(words(body))
        checks.append(
            _check(
                "prompt_length",
                Q,
                []
                if count >= quality.min_prompt_words
                else [f"system prompt has {count} words, fewer than {quality.min_prompt_words}"],
            )
        )
    if quality.explicit_tools:
        tools = front.get("tools")
        listed = isinstance(tools, str) and tools.strip()
        checks.append(
            _check(
                "explicit_tools",
                Q,
                [] if listed else ["no 'tools' list: the agent inherits every tool"],
            )
        )
    unresolved = sorted(set(placeholders(body)))
    checks.append(
        _check(
            "no_placeholders",
            Q,
            [f"unresolved placeholder(s): {', '.join('{{' + p + '}}' for p in unresolved)}"]
            if unresolved
            else [],
        )
    )
    return checks


def mark_duplicates(agents: list[AgentResult]) -> tuple[list[AgentResult], list[FileProblem]]:
    """Fail unique_name on every file whose name another file also uses; one problem each."""
    by_name: dict[str, list[str]] = defaultdict(list)
    for agent in agents:
        if agent.name is not None:
            by_name[agent.name].append(agent.path)
    problems: list[FileProblem] = []
    out: list[AgentResult] = []
    for agent in agents:
        others = [p for p in by_name.get(agent.name or "", []) if p != agent.path]
        if agent.name is None or not others:
            out.append(agent)
            continue
        reason = f"name {agent.name!r} is also used by {', '.join(others)}"
        problems.append(FileProblem(agent.path, ProblemKind.DUPLICATE_NAME, reason))
        checks = tuple(
            Check(c.name, c.kind, False, reason) if c.name == "unique_name" else c
            for c in agent.checks
        )
        out.append(AgentResult(agent.path, agent.name, checks, agent.description))
    return out, problems
