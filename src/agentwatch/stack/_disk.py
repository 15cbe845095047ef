"""The supervisor's watch on the home's filesystem: a warning when its free share falls below
``thresholds.home_filesystem_avail_min_ratio``, one line when it is back, never a flood."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from agentwatch.exporters import FilesystemSpace, filesystem_space

__all__ = ["CHECK_EVERY", "HomeSpaceWatch", "low_space_warning"]

# statvfs is cheap; every 10 s is soon enough for a disk that fills over minutes.
CHECK_EVERY = 10.0
# Back to normal only this far above the threshold, so a home hovering at it does not log
# a warning and a recovery every check.
_RECOVERY_MARGIN = 0.01
_RUNBOOK = "docs/runbooks.md#homefilesystemalmostfull"


def low_space_warning(home: Path, space: FilesystemSpace, min_ratio: float) -> str:
    return (
        f"WARNING: the filesystem holding {home} has {space.describe()}, below "
        f"thresholds.home_filesystem_avail_min_ratio ({min_ratio:.0%}). When it is full "
        "Prometheus stops storing samples and agentwatch refuses to write its state and logs: "
        "free space, lower storage.retention, or move the home "
        f"({_RUNBOOK})"
    )


class HomeSpaceWatch:
    """Call ``check()`` often; it measures every CHECK_EVERY seconds and logs crossings."""

    def __init__(
        self,
        home: Path,
        min_ratio: float,
        log: Callable[[str], None],
        *,
        timer: Callable[[], float] = time.monotonic,
        measure: Callable[[Path], FilesystemSpace] = filesystem_space,
    ) -> None:
        self.home = home
        self.min_ratio = min_ratio
        self._log = log
        self._timer = timer
        self._measure = measure
        self._next = 0.0
        self.low = False
        self._failing = False

    def check(self) -> FilesystemSpace | None:
        """The space measured now, or None when it is not time yet or it cannot be measured."""
        now = self._timer()
        if now < self._next:
            return None
        self._next = now + CHECK_EVERY
        try:
            space = self._measure(self.home)
        except OSError as exc:
            if not self._failing:
                self._log(f"cannot measure the free space of {self.home}: {exc.strerror or exc}")
            self._failing = True
            return None
        self._failing = False
        if not self.low and space.avail_ratio < self.min_ratio:
            self.low = True
            self._log(low_space_warning(self.home, space, self.min_ratio))
        elif self.low and space.avail_ratio >= self.min_ratio + _RECOVERY_MARGIN:
            self.low = False
            self._log(
                f"the filesystem holding {self.home} has {space.describe()} again, above "
                f"thresholds.home_filesystem_avail_min_ratio ({self.min_ratio:.0%})"
            )
        return space
