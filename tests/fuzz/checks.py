"""What every refusal of a fuzz input must look like."""

from __future__ import annotations

import re
from pathlib import Path

from agentwatch.spec import SpecError

from .documents import Mutated, related, render_path

__all__ = ["check_spec_error"]

# A YAML error's place, or a field path (which starts with a key or an index).
_WHERE = re.compile(r"line \d+, column \d+|\(top level\)|\S.*")


def check_spec_error(error: SpecError, path: Path, mutated: Mutated) -> None:
    """The error names the file on every line, and where: the damaged field or the YAML line."""
    assert error.source == str(path)
    assert error.problems, "a SpecError with no problem"
    lines = str(error).split("\n")
    assert len(lines) == len(error.problems)
    for line, (where, message) in zip(lines, error.problems, strict=True):
        assert line.startswith(f"{path}: "), line
        assert message.strip(), line
        assert len(message) <= 1000, f"a message of {len(message)} characters: {message[:200]}"
        shown = where or "(top level)"
        assert _WHERE.fullmatch(shown), f"not a field path or a line: {shown!r}"
        if message.startswith("not valid"):
            assert shown.startswith("line "), line
        elif mutated.damaged == []:
            # Nothing damaged: only the file as a whole can be wrong (an SLO file given to
            # the importer of the other format).
            assert where == "", line
        elif mutated.damaged is not None:
            damaged = [render_path(p) for p in mutated.damaged]
            assert any(related(where, d) for d in damaged), (where, damaged, mutated.steps)
