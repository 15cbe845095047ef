"""Rescanning when the framework changes.

Polling, not file-system events: neither watchfiles nor watchdog is a dependency, events
are lost on network file systems and container bind mounts, and a framework directory is a
few hundred files, so one stat per file per interval is cheap. The watcher compares
``(path, mtime_ns, size)`` snapshots of the whole tree and rescans when they differ. The
snapshot is taken *before* the scan it belongs to, so a change made during a scan is seen
by the next poll.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from agentwatch.spec import FrameworkSettings

from ._collector import FrameworkCollector
from ._model import FrameworkError, FrameworkScan, ScanHealth
from ._scan import scan

__all__ = ["FrameworkWatcher", "snapshot"]

Snapshot = frozenset[tuple[str, int, int]]


def snapshot(root: Path, exclude_dirs: tuple[str, ...]) -> Snapshot:
    """``(path, mtime_ns, size)`` of every file and directory below ``root`` (symlinks as
    themselves: a link that starts or stops dangling is a change)."""
    excluded = set(exclude_dirs)
    entries: set[tuple[str, int, int]] = set()
    for current, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in excluded]
        for name in (*dirnames, *filenames):
            path = os.path.join(current, name)
            try:
                info = os.lstat(path)
            except OSError:
                continue  # gone between listing and stat: the next poll sees it
            entries.add((path, info.st_mtime_ns, info.st_size))
    return frozenset(entries)


class FrameworkWatcher:
    """Keeps the latest scan of ``root``; rescans on change, every ``interval`` seconds at
    most (default: ``settings.rescan_interval``)."""

    def __init__(
        self,
        root: Path,
        settings: FrameworkSettings | None = None,
        *,
        interval: float | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._root = root
        self._settings = settings or FrameworkSettings()
        self._interval = interval if interval is not None else self._settings.rescan_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._latest: FrameworkScan | None = None
        self._snapshot: Snapshot | None = None
        self._scans = 0
        self._failures = 0
        self._last_error: str | None = None
        self._findings: frozenset[tuple[str, str]] | None = None
        self._resolved = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def root(self) -> Path:
        return self._root

    def latest(self) -> FrameworkScan | None:
        with self._lock:
            return self._latest

    def health(self) -> ScanHealth:
        with self._lock:
            return ScanHealth(self._scans, self._failures, self._last_error, self._resolved)

    def collector(self) -> FrameworkCollector:
        return FrameworkCollector(self.latest, self.health)

    def scan_now(self) -> FrameworkScan | None:
        """Scan now. When the framework cannot be scanned at all the failure is counted,
        the error kept (see health()) and the previous scan stays the latest."""
        current = snapshot(self._root, self._settings.exclude_dirs) if self._root.is_dir() else None
        try:
            result = scan(self._root, self._settings, clock=self._clock)
        except FrameworkError as exc:
            with self._lock:
                self._failures += 1
                self._last_error = str(exc)
                self._snapshot = current
            return None
        findings = result.findings()
        with self._lock:
            if self._findings is not None:
                self._resolved += len(self._findings - findings)
            self._findings = findings
            self._latest = result
            self._snapshot = current
            self._scans += 1
            self._last_error = None
        return result

    def poll(self) -> bool:
        """Rescan if anything changed since the last scan; True when it rescanned."""
        current = snapshot(self._root, self._settings.exclude_dirs) if self._root.is_dir() else None
        with self._lock:
            unchanged = self._snapshot == current and (self._latest or self._failures)
        if unchanged:
            return False
        self.scan_now()
        return True

    def start(self) -> None:
        """Scan once now, then watch in a daemon thread until stop()."""
        if self._thread is not None:
            return
        self.scan_now()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="framework-watcher", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.poll()
