"""append_text: whole lines, created private; test_faults fills a real filesystem to show a
line that does not fit leaves nothing behind."""

from __future__ import annotations

import stat
from pathlib import Path

from agentwatch.render import append_text


def test_appends_whole_lines_to_a_private_file(tmp_path: Path) -> None:
    path = tmp_path / "dir" / "log"
    append_text(path, "one\n")
    append_text(path, "two\n")
    assert path.read_text() == "one\ntwo\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_keeps_the_mode_of_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "log"
    path.write_text("old\n")
    path.chmod(0o644)
    append_text(path, "new\n", mode=0o600)
    assert path.read_text() == "old\nnew\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
