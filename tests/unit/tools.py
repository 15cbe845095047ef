"""Running promtool, amtool and docker-compose from the tool-tier tests.

Each helper takes the path the test's fixture returned (``promtool``, ``amtool``,
``docker_compose`` in tests/conftest.py) rather than looking the binary up again: the fixture
is what puts the test in the ``tool`` tier, and what fails it, naming the package, when the
binary is missing.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

__all__ = ["check_metrics", "run"]


def run(binary: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``binary args...`` with its output captured as text; the caller judges the exit code.

    stdin is closed, so a tool that would wait for input fails instead of hanging the test.
    """
    return subprocess.run(
        [str(binary), *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )


def check_metrics(promtool: Path, exposition: str | bytes) -> None:
    """``promtool check metrics`` finds nothing to report in ``exposition``: no error and no
    lint problem (a missing HELP, a counter without ``_total``, ...)."""
    data = exposition.encode() if isinstance(exposition, str) else exposition
    result = subprocess.run(
        [str(promtool), "check", "metrics"], input=data, capture_output=True, check=False
    )
    output = result.stdout.decode() + result.stderr.decode()
    assert result.returncode == 0, output
    assert output == "", output
