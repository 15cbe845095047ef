"""The supervisor's watch on the home's free space: one warning per crossing, never a flood."""

from __future__ import annotations

from pathlib import Path

from agentwatch.exporters import FilesystemSpace
from agentwatch.stack._disk import CHECK_EVERY, HomeSpaceWatch

SIZE = 1000 * 2**20


class Disk:
    def __init__(self) -> None:
        self.free = 0.5
        self.now = 0.0
        self.broken = False

    def measure(self, path: Path) -> FilesystemSpace:
        if self.broken:
            raise OSError(5, "Input/output error")
        return FilesystemSpace(path, int(SIZE * self.free), SIZE)


def watch(disk: Disk, lines: list[str]) -> HomeSpaceWatch:
    return HomeSpaceWatch(
        Path("/home/x"), 0.1, lines.append, timer=lambda: disk.now, measure=disk.measure
    )


def test_warns_once_below_the_threshold_and_once_when_back() -> None:
    disk, lines = Disk(), list[str]()
    w = watch(disk, lines)
    for free in (0.5, 0.09, 0.05, 0.02, 0.105, 0.2, 0.2):
        disk.free = free
        disk.now += CHECK_EVERY
        w.check()
    assert len(lines) == 2
    assert lines[0].startswith("WARNING: the filesystem holding /home/x has 90.0 MiB free of")
    assert "(9.0%)" in lines[0]
    assert "thresholds.home_filesystem_avail_min_ratio (10%)" in lines[0]
    assert "docs/runbooks.md#homefilesystemalmostfull" in lines[0]
    # 10.5% is above the threshold but within the margin: no recovery line yet; 20% is one.
    assert lines[1].startswith("the filesystem holding /home/x has 200.0 MiB free of")


def test_measures_only_every_check_interval() -> None:
    disk, lines = Disk(), list[str]()
    w = watch(disk, lines)
    assert w.check() is not None
    disk.free = 0.01
    disk.now += CHECK_EVERY / 2
    assert w.check() is None
    assert lines == []
    disk.now += CHECK_EVERY / 2
    assert w.check() is not None
    assert len(lines) == 1


def test_a_filesystem_that_cannot_be_measured_is_said_once() -> None:
    disk, lines = Disk(), list[str]()
    disk.broken = True
    w = watch(disk, lines)
    for _ in range(3):
        disk.now += CHECK_EVERY
        assert w.check() is None
    assert lines == ["cannot measure the free space of /home/x: Input/output error"]
