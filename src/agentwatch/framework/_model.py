"""What a scan finds: immutable results, with a plain-JSON form for ``--json``."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = [
    "PROMPT_CHECKS",
    "TEMPLATE_CHECKS",
    "AgentResult",
    "Check",
    "CheckKind",
    "FileProblem",
    "FrameworkError",
    "FrameworkScan",
    "Gate",
    "GateResult",
    "ProblemKind",
    "PromptResult",
    "ReportPart",
    "ScanHealth",
]


class FrameworkError(ValueError):
    """The framework directory itself cannot be scanned (missing, not a directory, no agents
    directory). Problems with single files never raise: they are reported in the scan."""


class CheckKind(StrEnum):
    # Part of the unified agent template: counted by standardization and template compliance.
    TEMPLATE = "template"
    # Beyond the template: counted by the agent_quality gate only.
    QUALITY = "quality"


class Gate(StrEnum):
    FRAMEWORK_INTEGRITY = "framework_integrity"
    AGENT_QUALITY = "agent_quality"
    PROMPT_QUALITY = "prompt_quality"
    CODE_QUALITY = "code_quality"
    DOCUMENTATION = "documentation"


class ProblemKind(StrEnum):
    UNREADABLE = "unreadable"
    BINARY = "binary"
    NOT_UTF8 = "not_utf8"
    TOO_LARGE = "too_large"
    NOT_A_FILE = "not_a_file"
    NO_FRONT_MATTER = "no_front_matter"
    MALFORMED_FRONT_MATTER = "malformed_front_matter"
    DUPLICATE_NAME = "duplicate_name"
    BAD_REPORT = "bad_report"


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    kind: CheckKind
    passed: bool
    reason: str = ""  # why it failed; empty when passed

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": str(self.kind), "passed": self.passed} | (
            {"reason": self.reason} if self.reason else {}
        )


@dataclass(frozen=True, slots=True)
class FileProblem:
    """A file the scan could not use as it is; the scan went on without it."""

    path: str  # relative to the framework root, '/' separators
    kind: ProblemKind
    message: str
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.path, "kind": str(self.kind), "message": self.message}
        if self.line is not None:
            data["line"] = self.line
        return data

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.kind}: {self.message}"


@dataclass(frozen=True, slots=True)
class AgentResult:
    path: str
    name: str | None  # None when the file did not load or has no string name
    checks: tuple[Check, ...]
    description: str | None = None

    @property
    def standardized(self) -> bool:
        """Every template check passed."""
        return all(c.passed for c in self.checks if c.kind is CheckKind.TEMPLATE)

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.passed)

    @property
    def template_failures(self) -> tuple[Check, ...]:
        return tuple(c for c in self.failures if c.kind is CheckKind.TEMPLATE)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "name": self.name,
            "description": self.description,
            "standardized": self.standardized,
            "checks": [c.to_dict() for c in self.checks],
        }


@dataclass(frozen=True, slots=True)
class GateResult:
    """One quality gate. ``score`` is in [0, 1], None when there was nothing to measure
    (then ``detail`` says why and the gate carries no weight)."""

    gate: Gate
    score: float | None
    weight: float  # as configured
    effective_weight: float  # re-normalised over the measured gates; 0 when not measured
    detail: str
    passed: int | None = None  # checks passed / run, for gates that count checks
    total: int | None = None

    @property
    def measured(self) -> bool:
        return self.score is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "gate": str(self.gate),
            "measured": self.measured,
            "score": None if self.score is None else round(100 * self.score, 4),
            "weight": self.weight,
            "effective_weight": round(self.effective_weight, 6),
            "passed": self.passed,
            "total": self.total,
            "detail": self.detail,
        }


PROMPT_CHECKS = ("loads", "non_empty", "no_placeholders")
TEMPLATE_CHECKS = (
    "loads",
    "non_empty",
    "declares_variables",
    "placeholders_declared",
    "variables_used",
)


@dataclass(frozen=True, slots=True)
class PromptResult:
    path: str
    kind: str  # "prompt" or "template"
    checks: tuple[Check, ...]

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.passed)

    @property
    def check_count(self) -> int:
        """Checks this file is scored on (a file that did not load fails them all)."""
        return len(PROMPT_CHECKS if self.kind == "prompt" else TEMPLATE_CHECKS)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "kind": self.kind, "checks": [c.to_dict() for c in self.checks]}


@dataclass(frozen=True, slots=True)
class ReportPart:
    """One part of the code_quality gate: tests, coverage or lint."""

    name: str
    score: float | None  # [0, 1]; None: not measured
    detail: str
    files: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FrameworkScan:
    root: str
    agents: tuple[AgentResult, ...]
    problems: tuple[FileProblem, ...]
    gates: tuple[GateResult, ...]
    # 0-100, None when no gate could be measured.
    quality_score: float | None
    template_checks_passed: int
    template_checks_total: int
    documentation_consistency_score: float | None  # 0-100, None without docs
    scanned_at: float  # Unix time the scan finished
    duration_seconds: float
    files_scanned: int = 0
    check_names: tuple[str, ...] = field(default=())  # every agent check that was applied
    prompts: tuple[PromptResult, ...] = ()
    documentation_checks: tuple[Check, ...] = ()
    code_quality: tuple[ReportPart, ...] = ()

    @property
    def agent_count(self) -> int:
        return len(self.agents)

    @property
    def standardized(self) -> int:
        return sum(a.standardized for a in self.agents)

    @property
    def standardization_rate(self) -> float | None:
        return self.standardized / self.agent_count if self.agents else None

    @property
    def template_compliance_rate(self) -> float | None:
        if not self.template_checks_total:
            return None
        return self.template_checks_passed / self.template_checks_total

    @property
    def failing_agents(self) -> tuple[AgentResult, ...]:
        return tuple(a for a in self.agents if not a.standardized)

    def gate(self, gate: Gate) -> GateResult:
        return next(g for g in self.gates if g.gate is gate)

    def check_failures(self) -> dict[str, int]:
        """Agent files failing each applied check (0 for checks every file passed)."""
        counts = dict.fromkeys(self.check_names, 0)
        for agent in self.agents:
            for check in agent.failures:
                counts[check.name] = counts.get(check.name, 0) + 1
        return counts

    def findings(self) -> frozenset[tuple[str, str]]:
        """Every failure this scan reports, as (where, what): failing agent, prompt and
        documentation checks and file problems. A later scan without one of them means it was
        fixed, which claude_error_prevention counts."""
        found: set[tuple[str, str]] = set()
        for agent in self.agents:
            found.update((agent.path, c.name) for c in agent.failures)
        for prompt in self.prompts:
            found.update((prompt.path, c.name) for c in prompt.failures)
        found.update(("docs", c.reason) for c in self.documentation_checks if not c.passed)
        found.update((p.path, str(p.kind)) for p in self.problems)
        return frozenset(found)

    def problem_counts(self) -> dict[ProblemKind, int]:
        counts = dict.fromkeys(ProblemKind, 0)
        for problem in self.problems:
            counts[problem.kind] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        def pct(ratio: float | None) -> float | None:
            return None if ratio is None else round(ratio, 6)

        return {
            "root": self.root,
            "quality_score": None if self.quality_score is None else round(self.quality_score, 4),
            "agents_total": self.agent_count,
            "agents_standardized": self.standardized,
            "standardization_rate": pct(self.standardization_rate),
            "template_compliance_rate": pct(self.template_compliance_rate),
            "template_checks": {
                "passed": self.template_checks_passed,
                "total": self.template_checks_total,
            },
            "documentation_consistency_score": (
                None
                if self.documentation_consistency_score is None
                else round(self.documentation_consistency_score, 4)
            ),
            "gates": [g.to_dict() for g in self.gates],
            "failing_agents": [
                {
                    "path": a.path,
                    "name": a.name,
                    "reasons": [f"{c.name}: {c.reason}" for c in a.template_failures],
                }
                for a in self.failing_agents
            ],
            "problems": [p.to_dict() for p in self.problems],
            "code_quality": [
                {"part": p.name, "measured": p.score is not None, "score": p.score}
                | {"detail": p.detail, "files": list(p.files)}
                for p in self.code_quality
            ],
            "prompt_failures": [
                {
                    "path": r.path,
                    "kind": r.kind,
                    "reasons": [f"{c.name}: {c.reason}" for c in r.failures],
                }
                for r in self.prompts
                if r.failures
            ],
            "documentation_failures": [c.reason for c in self.documentation_checks if not c.passed],
            "agents": [a.to_dict() for a in self.agents],
            "files_scanned": self.files_scanned,
            "scanned_at": self.scanned_at,
            "duration_seconds": round(self.duration_seconds, 6),
        }


@dataclass(frozen=True, slots=True)
class ScanHealth:
    """How the framework watcher's scans went (the framework exporter serves it)."""

    scans: int  # scans completed
    failures: int  # scans that could not run (FrameworkError)
    last_error: str | None
    # Findings of one scan that a later scan no longer reported (fixed after being caught).
    findings_resolved: int = 0
