"""The ``framework:`` section: which Claude Code framework directory the framework exporter
scans, the unified agent template its agents are held to, and how the quality gates are
measured and weighed (docs/framework.md gives every formula)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "DEFAULT_CLAUDE_TOOLS",
    "AgentQuality",
    "AgentTemplate",
    "CodeQualityReports",
    "DocumentationRules",
    "FrameworkSettings",
    "GateWeights",
    "PromptRules",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from None
    return pattern


def _check_glob(glob: str) -> str:
    if not glob or glob.startswith("/") or "\\" in glob:
        raise ValueError(
            f"expected a glob relative to its directory with '/' separators, like "
            f"'docs/**/*.md', got {glob!r}"
        )
    if any(part == ".." for part in glob.split("/")):
        raise ValueError(f"a glob may not leave its directory ('..'), got {glob!r}")
    return glob


def _check_relative_dir(path: str) -> str:
    _check_glob(path)
    if any(ch in path for ch in "*?["):
        raise ValueError(f"expected a directory, not a glob, got {path!r}")
    return path.rstrip("/")


_INTERVAL = re.compile(r"^([1-9][0-9]*)(ms|s|m|h)$")
_INTERVAL_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def _check_interval(text: str) -> str:
    if not _INTERVAL.match(text):
        raise ValueError(f"expected a positive duration like 500ms, 5s, 1m or 1h, got {text!r}")
    return text


Regex = Annotated[str, AfterValidator(_check_regex)]
Glob = Annotated[str, AfterValidator(_check_glob)]
RelativeDir = Annotated[str, AfterValidator(_check_relative_dir)]
Interval = Annotated[str, AfterValidator(_check_interval)]
FieldName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_-]*$")]

# Claude Code's built-in tools, as a sub-agent's ``tools:`` names them. MCP tools
# (``mcp__server__tool``) are always accepted.
DEFAULT_CLAUDE_TOOLS: tuple[str, ...] = (
    "AskUserQuestion", "Bash", "BashOutput", "Edit", "ExitPlanMode", "Glob", "Grep",
    "KillShell", "LS", "MultiEdit", "NotebookEdit", "NotebookRead", "Read", "Skill",
    "SlashCommand", "Task", "TodoWrite", "WebFetch", "WebSearch", "Write",
)  # fmt: skip


class AgentTemplate(_Strict):
    """The unified agent template. Default: Claude Code's sub-agent format.

    A Markdown file whose front matter (between ``---`` lines) has ``name`` (lowercase
    letters and hyphens) and ``description``, optionally ``tools`` (a comma-separated
    string of tool names) and ``model``; the body is the system prompt.
    """

    required_front_matter: tuple[FieldName, ...] = ("name", "description")
    optional_front_matter: tuple[FieldName, ...] = ("tools", "model")
    # Keys outside the two lists above fail the template's known_fields check.
    allow_unknown_front_matter: bool = False
    name_pattern: Regex = r"^[a-z]+(?:-[a-z]+)*$"
    # The file must be called ``<name>.md`` (Claude Code does not require it).
    name_matches_file: bool = False
    # ``model`` is one of these aliases or matches model_id_pattern (a full model id).
    model_aliases: tuple[str, ...] = ("sonnet", "opus", "haiku", "inherit")
    model_id_pattern: Regex = r"^claude-[a-z0-9][a-z0-9.-]*$"
    # Tool names ``tools`` may list; None accepts any name of letters, digits and _.
    known_tools: tuple[str, ...] | None = DEFAULT_CLAUDE_TOOLS
    # Headings (any level, case-insensitive) the system prompt must have; none by default.
    required_sections: tuple[Annotated[str, Field(min_length=1)], ...] = ()

    @model_validator(mode="after")
    def _fields_listed_once(self) -> AgentTemplate:
        both = sorted(set(self.required_front_matter) & set(self.optional_front_matter))
        if both:
            raise ValueError(
                f"front matter keys listed as both required and optional: {', '.join(both)}"
            )
        if "name" not in self.required_front_matter:
            raise ValueError(
                "required_front_matter must include 'name' (agents are told apart by it)"
            )
        return self


class AgentQuality(_Strict):
    """Agent checks beyond the template, counted by the agent_quality gate only."""

    # Claude Code picks a sub-agent by its description: a few words are not enough.
    min_description_words: int = Field(5, ge=0)
    # The body is the agent's whole system prompt.
    min_prompt_words: int = Field(30, ge=0)
    # Least privilege: the agent lists its tools instead of inheriting all of them.
    explicit_tools: bool = True


class PromptRules(_Strict):
    """The prompt_quality gate: prompt files and placeholder templates."""

    # Final prompts: no unresolved {{placeholder}} may remain.
    prompt_globs: tuple[Glob, ...] = (
        ".claude/commands/**/*.md",
        ".claude/prompts/**/*.md",
        "prompts/**/*.md",
    )
    # Templates declare their placeholders in front matter ``variables:`` and use them all.
    template_globs: tuple[Glob, ...] = (".claude/templates/**/*.md", "templates/**/*.md")
    min_words: int = Field(10, ge=0)


class DocumentationRules(_Strict):
    doc_globs: tuple[Glob, ...] = ("README.md", "docs/**/*.md", ".claude/README.md")
    # A Markdown table whose header has this column lists agents (case-insensitive).
    agent_column: str = "agent"
    description_column: str = "description"
    # Share of a documented description's words found in the front matter description.
    description_overlap_min: float = Field(0.8, ge=0, le=1)


class CodeQualityReports(_Strict):
    """Results files the code_quality gate reads; none present: the gate is not measured."""

    junit_globs: tuple[Glob, ...] = ("**/junit*.xml", "**/TEST-*.xml", "**/test-results*.xml")
    coverage_globs: tuple[Glob, ...] = ("**/coverage.xml",)
    # ruff (--output-format json), flake8-json, or eslint (-f json) reports.
    lint_globs: tuple[Glob, ...] = ("**/ruff*.json", "**/flake8*.json", "**/eslint*.json")
    # ruff and flake8 list only files with findings: the linted files are these sources.
    lint_source_globs: tuple[Glob, ...] = ("**/*.py",)
    max_report_bytes: int = Field(64 * 1024 * 1024, ge=1)


class GateWeights(_Strict):
    """Relative weights; a gate with nothing to measure is left out and the rest re-normalised."""

    framework_integrity: float = Field(0.20, ge=0)
    agent_quality: float = Field(0.30, ge=0)
    prompt_quality: float = Field(0.15, ge=0)
    code_quality: float = Field(0.20, ge=0)
    documentation: float = Field(0.15, ge=0)

    @model_validator(mode="after")
    def _some_weight(self) -> GateWeights:
        if sum(self.model_dump().values()) <= 0:
            raise ValueError("at least one gate weight must be above 0")
        return self


class FrameworkSettings(_Strict):
    # The framework's root (the directory holding .claude/); unset: nothing is scanned.
    path: Path | None = None
    template: AgentTemplate = AgentTemplate()
    # Agent definitions: agent_glob inside agents_dir, both relative to the root.
    agents_dir: RelativeDir = ".claude/agents"
    agent_glob: Glob = "**/*.md"
    quality: AgentQuality = AgentQuality()
    prompts: PromptRules = PromptRules()
    documentation: DocumentationRules = DocumentationRules()
    reports: CodeQualityReports = CodeQualityReports()
    weights: GateWeights = GateWeights()
    # Directories never walked (by name, anywhere in the tree).
    exclude_dirs: tuple[str, ...] = (
        ".git", ".hg", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".nox",
        ".mypy_cache", ".ruff_cache", ".pytest_cache",
    )  # fmt: skip
    # Agent, prompt and doc files larger than this are reported, not read.
    max_file_bytes: int = Field(1024 * 1024, ge=1)
    # How often the framework exporter looks for changed files (and then rescans).
    rescan_interval: Interval = "5s"

    @property
    def rescan_seconds(self) -> float:
        match = _INTERVAL.match(self.rescan_interval)
        assert match is not None  # validated
        return int(match.group(1)) * _INTERVAL_UNITS[match.group(2)]
