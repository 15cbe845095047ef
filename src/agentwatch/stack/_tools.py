"""The one place agentwatch runs promtool and amtool to judge files: `agentwatch check`'s
rows, the stack's configuration checks before it starts, and `slo import`'s rule check."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CheckResult", "rule_file_problem", "run_tool"]

_TIMEOUT = 120.0


@dataclass(frozen=True)
class CheckResult:
    """What one tool said of a file: ``ok`` when it accepted it. ``ran`` is False when the tool
    could not be run (not executable, timed out): ``output`` then says why."""

    what: str
    command: tuple[str, ...]
    ok: bool
    output: str
    ran: bool = True


def run_tool(
    what: str, argv: list[str], cwd: Path | None = None, timeout: float = _TIMEOUT
) -> CheckResult:
    """Run a check tool (``argv``) without input; its verdict and what it printed."""
    try:
        done = subprocess.run(
            argv,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return CheckResult(what, tuple(argv), False, str(exc), ran=False)
    output = (done.stdout + done.stderr).strip()
    return CheckResult(what, tuple(argv), done.returncode == 0, output)


def rule_file_problem(name: str, text: str) -> str | None:
    """promtool's complaint about the rule file ``text``, named ``name`` in what it says, or
    None: also when promtool is not on PATH (the check is then left to `agentwatch check`)."""
    promtool = shutil.which("promtool")
    if promtool is None:
        return None
    with tempfile.TemporaryDirectory(prefix="agentwatch-rules-") as tmp:
        (Path(tmp) / name).write_text(text, encoding="utf-8")
        result = run_tool("rule file", [promtool, "check", "rules", name], Path(tmp), 60.0)
    return None if result.ok else result.output
