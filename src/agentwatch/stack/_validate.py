"""`agentwatch check DIR`: a generated monitoring tree judged by the real tools."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from agentwatch.generate.tree import (
    ALERTMANAGER_CONFIG,
    COMPOSE_FILE,
    PROMETHEUS_CONFIG,
    RULE_TESTS_DIR,
    RULES_DIR,
)

from ._binaries import Binaries

__all__ = ["COMPOSE_FILE", "CheckResult", "check_tree"]

_TIMEOUT = 120.0


@dataclass(frozen=True)
class CheckResult:
    what: str
    command: tuple[str, ...]
    ok: bool
    output: str


def _run(what: str, argv: list[str], cwd: Path) -> CheckResult:
    try:
        done = subprocess.run(
            argv,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return CheckResult(what, tuple(argv), False, str(exc))
    output = (done.stdout + done.stderr).strip()
    return CheckResult(what, tuple(argv), done.returncode == 0, output)


def check_tree(root: Path, binaries: Binaries) -> list[CheckResult]:
    """Every check that applies to the files present under ``root``, in a stable order."""
    promtool, amtool = str(binaries.promtool), str(binaries.amtool)
    results = []
    if (root / PROMETHEUS_CONFIG).is_file():
        # Also loads every rule file the config's rule_files globs select.
        results.append(
            _run("Prometheus config", [promtool, "check", "config", PROMETHEUS_CONFIG], root)
        )
    rules = sorted((root / RULES_DIR).glob("*.yml"))
    if rules:
        relative = [str(path.relative_to(root)) for path in rules]
        results.append(_run("rule files", [promtool, "check", "rules", *relative], root))
    tests = sorted((root / RULE_TESTS_DIR).glob("*.yml"))
    for test in tests:
        results.append(
            _run(f"rule tests {test.name}", [promtool, "test", "rules", test.name], test.parent)
        )
    if (root / ALERTMANAGER_CONFIG).is_file():
        results.append(
            _run("Alertmanager config", [amtool, "check-config", ALERTMANAGER_CONFIG], root)
        )
    if (root / COMPOSE_FILE).is_file():
        compose = shutil.which("docker-compose")
        if compose is None:
            results.append(
                CheckResult(
                    "compose file",
                    ("docker-compose",),
                    False,
                    "docker-compose is not installed (Debian package docker-compose)",
                )
            )
        else:
            results.append(
                _run("compose file", [compose, "-f", COMPOSE_FILE, "config", "-q"], root)
            )
    return results
