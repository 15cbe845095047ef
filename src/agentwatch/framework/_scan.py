"""One scan of a Claude Code multi-agent framework directory: agents, prompts, docs and
results files in, gate scores and the quality score out. docs/framework.md gives every
formula; a gate with nothing to measure is left out and the other weights re-normalised."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from agentwatch.spec import AgentTemplate, FrameworkSettings

from ._agents import agent_check_names, check_agent, mark_duplicates
from ._docs import documentation_checks
from ._files import TextFile, load_markdown, matches, read_text, sniff_binary, walk
from ._model import (
    AgentResult,
    Check,
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
    _require_framework(root, settings)

    problems: list[FileProblem] = []
    agents, agent_files = _agents(root, settings, problems)
    tree = walk(root, settings.exclude_dirs)
    problems += tree.problems
    outside_agents = [f for f in tree.files if not f.startswith(settings.agents_dir + "/")]
    texts = _prompts_and_docs(root, settings, outside_agents, problems)
    content = [*agent_files, *texts.files]
    code = _code_quality(root, settings, tree.files, outside_agents)
    problems += code.problems

    template_names, quality_names = agent_check_names(settings.template, settings.quality)
    check_names = (*template_names, *quality_names)
    descriptions = {a.name: a.description for a in agents if a.name is not None}
    doc_checks = (
        documentation_checks(root, texts.docs, descriptions, settings.documentation)
        if texts.docs
        else ()
    )
    weights = settings.weights
    gates, score = _weighted(
        [
            _integrity_gate(content, problems, weights.framework_integrity),
            _agent_gate(agents, check_names, settings),
            _prompt_gate(texts.prompts, settings),
            _code_gate(code, weights.code_quality),
            _documentation_gate(texts.docs, doc_checks, settings),
        ]
    )
    documentation = next(g for g in gates if g.gate is Gate.DOCUMENTATION)
    return FrameworkScan(
        root=str(root),
        agents=tuple(agents),
        problems=tuple(sorted(problems, key=lambda p: (p.path, p.kind))),
        gates=gates,
        quality_score=score,
        template_checks_passed=sum(
            c.passed for a in agents for c in a.checks if c.kind is CheckKind.TEMPLATE
        ),
        # A file that did not load has run (and failed) only ``loads``: it passes none of them.
        template_checks_total=len(template_names) * len(agents),
        documentation_consistency_score=(
            None if documentation.score is None else 100 * documentation.score
        ),
        scanned_at=clock(),
        duration_seconds=time.perf_counter() - started,
        files_scanned=len(content),
        check_names=check_names,
        prompts=tuple(texts.prompts),
        documentation_checks=doc_checks,
        code_quality=code.parts,
    )


def _require_framework(root: Path, settings: FrameworkSettings) -> None:
    """Raise FrameworkError unless ``root`` is a directory with an agents directory."""
    if not root.is_dir():
        raise FrameworkError(
            f"{root}: not a directory" if root.exists() else f"{root}: no such directory"
        )
    if not (root / settings.agents_dir).is_dir():
        raise FrameworkError(
            f"{root}: no {settings.agents_dir}/ directory (agent definitions are expected in "
            f"{settings.agents_dir}/{settings.agent_glob})"
        )


@dataclass
class _Texts:
    """The prompt, template and doc files found outside the agents directory."""

    files: list[str] = field(default_factory=list)  # each of them, whether it loaded or not
    prompts: list[PromptResult] = field(default_factory=list)  # prompts' and templates' checks
    docs: list[TextFile] = field(default_factory=list)  # the docs that loaded


def _prompts_and_docs(
    root: Path, settings: FrameworkSettings, outside_agents: list[str], problems: list[FileProblem]
) -> _Texts:
    """Load and check the prompts, templates and docs among ``outside_agents``."""
    texts = _Texts()
    rules = settings.prompts
    for rel in outside_agents:
        is_prompt = matches(rel, rules.prompt_globs)
        is_template = not is_prompt and matches(rel, rules.template_globs)
        is_doc = matches(rel, settings.documentation.doc_globs)
        if not (is_prompt or is_template or is_doc):
            continue
        texts.files.append(rel)
        loaded, problem = _load(root, rel, settings.max_file_bytes)
        if problem is not None:
            problems.append(problem)
        if is_prompt:
            texts.prompts.append(check_prompt(rel, loaded, problem, rules.min_words))
        elif is_template:
            texts.prompts.append(check_template(rel, loaded, problem, rules.min_words))
        if is_doc and loaded is not None:
            texts.docs.append(loaded)
    return texts


def _code_quality(
    root: Path, settings: FrameworkSettings, files: Sequence[str], outside_agents: list[str]
) -> CodeQuality:
    """The test, coverage and lint reports among the framework's files, read."""
    reports = settings.reports
    return read_reports(
        root,
        junit=[f for f in outside_agents if matches(f, reports.junit_globs)],
        coverage=[f for f in outside_agents if matches(f, reports.coverage_globs)],
        lint=[f for f in outside_agents if matches(f, reports.lint_globs)],
        lint_sources=[f for f in files if matches(f, reports.lint_source_globs)],
        max_bytes=reports.max_report_bytes,
    )


def _integrity_gate(content: list[str], problems: list[FileProblem], weight: float) -> GateResult:
    """The share of the framework's content files that were read without a problem."""
    sound = len(content) - len({p.path for p in problems} & set(content))
    return _gate(
        Gate.FRAMEWORK_INTEGRITY,
        weight,
        passed=sound,
        total=len(content),
        detail=f"{sound} of {len(content)} files read without a problem",
        missing="not measured: no agent, prompt, template or doc file found",
    )


def _agent_gate(
    agents: list[AgentResult], check_names: tuple[str, ...], settings: FrameworkSettings
) -> GateResult:
    """The share of agent checks (template and quality) the agent files pass."""
    passed = sum(c.passed for a in agents for c in a.checks)
    total = len(check_names) * len(agents)
    return _gate(
        Gate.AGENT_QUALITY,
        settings.weights.agent_quality,
        passed=passed,
        total=total,
        detail=f"{passed} of {total} agent checks passed "
        f"({len(agents)} agents x {len(check_names)} checks)",
        missing=f"not measured: no agent file matches {settings.agents_dir}/{settings.agent_glob}",
    )


def _prompt_gate(prompts: list[PromptResult], settings: FrameworkSettings) -> GateResult:
    """The share of prompt and template checks the prompt and template files pass."""
    rules = settings.prompts
    passed = sum(c.passed for r in prompts for c in r.checks)
    total = sum(r.check_count for r in prompts)
    return _gate(
        Gate.PROMPT_QUALITY,
        settings.weights.prompt_quality,
        passed=passed,
        total=total,
        detail=f"{passed} of {total} prompt checks passed "
        f"({len(prompts)} prompt and template files)",
        missing="not measured: no prompt or template file matches "
        + ", ".join((*rules.prompt_globs, *rules.template_globs)),
    )


def _documentation_gate(
    docs: list[TextFile], checks: tuple[Check, ...], settings: FrameworkSettings
) -> GateResult:
    """The share of documentation checks (agents, agent tables, links) the docs pass."""
    passed = sum(c.passed for c in checks)
    return _gate(
        Gate.DOCUMENTATION,
        settings.weights.documentation,
        passed=passed,
        total=len(checks),
        detail=f"{passed} of {len(checks)} documentation checks passed ({len(docs)} docs)",
        missing="not measured: "
        + (
            "the docs give nothing to check (no agents, agent tables or links)"
            if docs
            else "no doc file matches " + ", ".join(settings.documentation.doc_globs)
        ),
    )
