from __future__ import annotations

import os
from pathlib import Path

from agentwatch.render import write_text


def test_a_new_file_gets_the_mode_open_would_give_it(tmp_path: Path) -> None:
    previous = os.umask(0o027)
    try:
        write_text(tmp_path / "prometheus.yml", "global: {}\n")
    finally:
        os.umask(previous)
    assert (tmp_path / "prometheus.yml").stat().st_mode & 0o777 == 0o640


def test_a_replaced_file_keeps_its_mode_and_an_explicit_mode_wins(tmp_path: Path) -> None:
    path = tmp_path / "alertmanager.yml"
    path.write_text("old\n")
    path.chmod(0o604)
    write_text(path, "new\n")
    assert (path.read_text(), path.stat().st_mode & 0o777) == ("new\n", 0o604)
    write_text(path, "secret\n", mode=0o600)
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["alertmanager.yml"]
