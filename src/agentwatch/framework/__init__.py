"""The framework scanner: reads a Claude Code multi-agent framework directory (agents in
``.claude/agents/**/*.md``, prompts, templates, docs, test and lint results) and measures
its quality gates; the framework exporter's collector and change watcher. Formulas:
docs/framework.md.

A package of its own beside analytics/: analytics reads Prometheus, this reads a directory
tree of agent definitions and reports, and the exporter only serves what it found."""

from pathlib import Path

from ._collector import FrameworkCollector
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
    ReportPart,
    ScanHealth,
)
from ._scan import scan
from ._watch import FrameworkWatcher

# A 45-agent example framework (43 follow the template), shipped for the demo and the tests.
EXAMPLE_FRAMEWORK = Path(__file__).parent / "example"

__all__ = [
    "EXAMPLE_FRAMEWORK",
    "AgentResult",
    "Check",
    "CheckKind",
    "FileProblem",
    "FrameworkCollector",
    "FrameworkError",
    "FrameworkScan",
    "FrameworkWatcher",
    "Gate",
    "GateResult",
    "ProblemKind",
    "PromptResult",
    "ReportPart",
    "ScanHealth",
    "scan",
]
