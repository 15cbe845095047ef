"""The filesystem that holds the stack's home: how much of it is left.

Measured with statvfs on every read, so the numbers are the kernel's at that moment. The
framework exporter serves them; the supervisor warns from them; ``agentwatch status`` shows
them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from prometheus_client.metrics_core import Metric

from agentwatch import catalog
from agentwatch.catalog.prometheus import gauge

__all__ = ["FilesystemSpace", "HomeFilesystemCollector", "filesystem_space", "format_bytes"]


def format_bytes(count: float) -> str:
    """``1.5 GiB``, ``312.0 MiB``: binary units, as df -h counts them."""
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


@dataclass(frozen=True, slots=True)
class FilesystemSpace:
    # The directory measured: the home, or its nearest existing parent before it is created.
    path: Path
    avail_bytes: int
    size_bytes: int

    @property
    def avail_ratio(self) -> float:
        return self.avail_bytes / self.size_bytes if self.size_bytes else 0.0

    def describe(self) -> str:
        return (
            f"{format_bytes(self.avail_bytes)} free of {format_bytes(self.size_bytes)} "
            f"({self.avail_ratio:.1%})"
        )


def filesystem_space(path: Path) -> FilesystemSpace:
    """Space left for an unprivileged writer (f_bavail: root's reserved blocks are not ours)
    on the filesystem holding ``path``. OSError when it cannot be measured."""
    probe = path.absolute()
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    found = os.statvfs(probe)
    return FilesystemSpace(probe, found.f_bavail * found.f_frsize, found.f_blocks * found.f_frsize)


class HomeFilesystemCollector:
    """agentwatch_home_filesystem_{avail,size}_bytes of the filesystem holding ``home``.

    When it cannot be measured the families are served empty: a missing series is what
    absent() and the scrape's own health tell apart, a made-up number would hide it.
    """

    def __init__(self, home: Path) -> None:
        self.home = home

    def collect(self) -> Iterator[Metric]:
        avail = gauge(catalog.HOME_FILESYSTEM_AVAIL_BYTES)
        size = gauge(catalog.HOME_FILESYSTEM_SIZE_BYTES)
        try:
            space = filesystem_space(self.home)
        except OSError:
            pass
        else:
            avail.add_metric([], space.avail_bytes)
            size.add_metric([], space.size_bytes)
        yield from (avail, size)
