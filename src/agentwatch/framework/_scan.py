"""One scan of a Claude Code multi-agent framework directory: agents, prompts, docs and
results files in, gate scores and the quality score out. docs/framework.md gives every
formula; a gate with nothing to measure is left out and the other weights re-normalised."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from agentwatch.spec import AgentTemplate, FrameworkSettings

from ._agents import agent_check_names, check_agent, mark_duplicates
from ._docs import documentation_checks
from ._files import TextFile, load_markdown, matches, read_text, sniff_binary, walk
from ._model import (
    AgentResult,
    CheckKind,
    FileProblem,
    FrameworkError,
    FrameworkScan,
    Gate,
    GateResult,
    ProblemKind,
    PromptResult,
)
from ._prompts import check_prompt, check_template
from ._reports import CodeQuality, read_reports

__all__ = ["scan"]


def _load(root: Path, rel: str, max_bytes: int) -> tuple[TextFile | None, FileProblem | None]:
    text, problem = read_text(root, rel, max_bytes)
    if text is None:
        return None, problem
    return load_markdown(rel, text)


def _agents(
    root: Path, settings: FrameworkSettings, problems: list[FileProblem]
) -> tuple[list[AgentResult], list[str]]:
    """Agent results, and the files of the agents directory that were considered."""
    agents_root = root / settings.agents_dir
    prefix = settings.agents_dir + "/"
    tree = walk(agents_root, settings.exclude_dirs, prefix)
    problems += tree.problems
    results: list[AgentResult] = []
    considered: list[str] = []
    for rel in tree.dirs:
        if matches(rel.removeprefix(prefix), [settings.agent_glob]):
            problems.append(
                FileProblem(
                    rel, ProblemKind.NOT_A_FILE, "named like an agent file but is a directory"
                )
            )
    for rel in tree.files:
        considered.append(rel)
        if not matches(rel.removeprefix(prefix), [settings.agent_glob]):
            # Not an agent definition: only binary (or unreadable) files are worth a word.
            problem = sniff_binary(root, rel)
            if problem is not None:
                problems.append(problem)
            continue
        loaded, problem = _load(root, rel, settings.max_file_bytes)
        if loaded is not None and loaded.front_matter is None:
            problem = FileProblem(
                rel, ProblemKind.NO_FRONT_MATTER, "no front matter: the file must start with '---'"
            )
        if problem is not None:
            problems.append(problem)
        results.append(check_agent(rel, loaded, problem, settings.template, settings.quality))
    marked, duplicates = mark_duplicates(results)
    problems += duplicates
    return marked, considered


def _gate(
    gate: Gate, weight: float, *, passed: int, total: int, detail: str, missing: str
) -> GateResult:
    if total == 0:
        return GateResult(gate, None, weight, 0.0, missing)
    return GateResult(gate, passed / total, weight, 0.0, detail, passed, total)


def _weighted(gates: list[GateResult]) -> tuple[tuple[GateResult, ...], float | None]:
    measured_weight = sum(g.weight for g in gates if g.measured)
    if measured_weight <= 0:
        return tuple(gates), None
    out = tuple(
        GateResult(
            g.gate,
            g.score,
            g.weight,
            g.weight / measured_weight if g.measured else 0.0,
            g.detail,
            g.passed,
            g.total,
        )
        for g in gates
    )
    score = 100 * sum(g.effective_weight * (g.score or 0.0) for g in out if g.measured)
    return out, score


def _code_gate(code: CodeQuality, weight: float) -> GateResult:
    details = "; ".join(f"{p.name}: {p.detail}" for p in code.parts)
    if code.score is None:
        return GateResult(Gate.CODE_QUALITY, None, weight, 0.0, f"not measured: {details}")
    return GateResult(Gate.CODE_QUALITY, code.score, weight, 0.0, details)


def scan(
    root: Path,
    settings: FrameworkSettings | None = None,
    *,
    template: AgentTemplate | None = None,
    clock: Callable[[], float] = time.time,
) -> FrameworkScan:
    """Scan the framework at ``root``. Raises FrameworkError only when ``root`` is no
    framework (missing, not a directory, no agents directory); a file that cannot be read
    or parsed is reported in ``problems`` and the scan goes on."""
    started = time.perf_counter()
    settings = settings or FrameworkSettings()
    if template is not None:
        settings = settings.model_copy(update={"template": template})
    if not root.is_dir():
        raise FrameworkError(
            f"{root}: not a directory" if root.exists() else f"{root}: no such directory"
        )
    if not (root / settings.agents_dir).is_dir():
        raise FrameworkError(
            f"{root}: no {settings.agents_dir}/ directory (agent definitions are expected in "
            f"{settings.agents_dir}/{settings.agent_glob})"
        )

    problems: list[FileProblem] = []
    agents, agent_files = _agents(root, settings, problems)
    tree = walk(root, settings.exclude_dirs)
    problems += tree.problems
    outside_agents = [f for f in tree.files if not f.startswith(settings.agents_dir + "/")]

    prompt_results: list[PromptResult] = []
    docs: list[TextFile] = []
    content = list(agent_files)
    rules = settings.prompts
    for rel in outside_agents:
        is_prompt = matches(rel, rules.prompt_globs)
        is_template = not is_prompt and matches(rel, rules.template_globs)
        is_doc = matches(rel, settings.documentation.doc_globs)
        if not (is_prompt or is_template or is_doc):
            continue
        content.append(rel)
        loaded, problem = _load(root, rel, settings.max_file_bytes)
        if problem is not None:
            problems.append(problem)
        if is_prompt:
            prompt_results.append(check_prompt(rel, loaded, problem, rules.min_words))
        elif is_template:
            prompt_results.append(check_template(rel, loaded, problem, rules.min_words))
        if is_doc and loaded is not None:
            docs.append(loaded)

    reports = settings.reports
    code = read_reports(
        root,
        junit=[f for f in outside_agents if matches(f, reports.junit_globs)],
        coverage=[f for f in outside_agents if matches(f, reports.coverage_globs)],
        lint=[f for f in outside_agents if matches(f, reports.lint_globs)],
        lint_sources=[f for f in tree.files if matches(f, reports.lint_source_globs)],
        max_bytes=reports.max_report_bytes,
    )
    problems += code.problems

    template_names, quality_names = agent_check_names(settings.template, settings.quality)
    check_names = (*template_names, *quality_names)
    template_passed = sum(
        c.passed for a in agents for c in a.checks if c.kind is CheckKind.TEMPLATE
    )
    # A file that did not load has run (and failed) only ``loads``: it passes none of them.
    template_total = len(template_names) * len(agents)
    agent_passed = sum(c.passed for a in agents for c in a.checks)
    agent_total = len(check_names) * len(agents)

    descriptions = {a.name: a.description for a in agents if a.name is not None}
    doc_checks = (
        documentation_checks(root, docs, descriptions, settings.documentation) if docs else ()
    )
    doc_passed = sum(c.passed for c in doc_checks)
    prompt_passed = sum(c.passed for r in prompt_results for c in r.checks)
    prompt_total = sum(r.check_count for r in prompt_results)
    sound = len(content) - len({p.path for p in problems} & set(content))

    weights = settings.weights
    gates = [
        _gate(
            Gate.FRAMEWORK_INTEGRITY,
            weights.framework_integrity,
            passed=sound,
            total=len(content),
            detail=f"{sound} of {len(content)} files read without a problem",
            missing="not measured: no agent, prompt, template or doc file found",
        ),
        _gate(
            Gate.AGENT_QUALITY,
            weights.agent_quality,
            passed=agent_passed,
            total=agent_total,
            detail=f"{agent_passed} of {agent_total} agent checks passed "
            f"({len(agents)} agents x {len(check_names)} checks)",
            missing=f"not measured: no agent file matches "
            f"{settings.agents_dir}/{settings.agent_glob}",
        ),
        _gate(
            Gate.PROMPT_QUALITY,
            weights.prompt_quality,
            passed=prompt_passed,
            total=prompt_total,
            detail=f"{prompt_passed} of {prompt_total} prompt checks passed "
            f"({len(prompt_results)} prompt and template files)",
            missing="not measured: no prompt or template file matches "
            + ", ".join((*rules.prompt_globs, *rules.template_globs)),
        ),
        _code_gate(code, weights.code_quality),
        _gate(
            Gate.DOCUMENTATION,
            weights.documentation,
            passed=doc_passed,
            total=len(doc_checks),
            detail=f"{doc_passed} of {len(doc_checks)} documentation checks passed "
            f"({len(docs)} docs)",
            missing="not measured: "
            + (
                "the docs give nothing to check (no agents, agent tables or links)"
                if docs
                else "no doc file matches " + ", ".join(settings.documentation.doc_globs)
            ),
        ),
    ]
    weighted, score = _weighted(gates)
    documentation = next(g for g in weighted if g.gate is Gate.DOCUMENTATION)
    return FrameworkScan(
        root=str(root),
        agents=tuple(agents),
        problems=tuple(sorted(problems, key=lambda p: (p.path, p.kind))),
        gates=weighted,
        quality_score=score,
        template_checks_passed=template_passed,
        template_checks_total=template_total,
        documentation_consistency_score=(
            None if documentation.score is None else 100 * documentation.score
        ),
        scanned_at=clock(),
        duration_seconds=time.perf_counter() - started,
        files_scanned=len(content),
        check_names=check_names,
        prompts=tuple(prompt_results),
        documentation_checks=doc_checks,
        code_quality=code.parts,
    )
