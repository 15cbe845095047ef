"""The analytics service: runs each part of the engine on its own schedule against Prometheus
and keeps the latest results for the analytics exporter.

A part that fails (Prometheus unreachable, not enough data, a model that cannot load) is
logged and counted, and its results are withdrawn rather than served stale: an alert must
not keep firing on a score nobody recomputes. The other parts go on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ._results import AnalyticsSnapshot

__all__ = ["AnalyticsService", "Part", "PartHealth"]

log = logging.getLogger(__name__)

# What a part returns: the AnalyticsSnapshot fields it owns, with their new values.
PartResult = Mapping[str, Any]
# Each field as it is when its part has nothing to say.
_NOTHING = AnalyticsSnapshot(computed_at=0.0)


@dataclass(frozen=True, slots=True)
class Part:
    """One part of the engine: ``run(now)`` computes the snapshot fields in ``fields``."""

    name: str
    every: float  # seconds between runs
    fields: tuple[str, ...]
    run: Callable[[float], PartResult]
    # Seconds before a failed run is tried again; None: ``every``. A part with a long period
    # retries sooner, so a short Prometheus outage does not withdraw its results for hours.
    retry: float | None = None


@dataclass(slots=True)
class PartHealth:
    last_success: float | None = None
    last_duration: float | None = None
    failures: int = 0
    last_error: str | None = None
    next_run: float = 0.0


@dataclass(slots=True)
class _State:
    snapshot: AnalyticsSnapshot
    health: dict[str, PartHealth] = field(default_factory=dict)


class AnalyticsService:
    def __init__(
        self,
        parts: Sequence[Part],
        *,
        clock: Callable[[], float] = time.time,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        known = set(AnalyticsSnapshot.__dataclass_fields__) - {"computed_at"}
        for part in parts:
            unknown = set(part.fields) - known
            if unknown:
                raise ValueError(f"part {part.name!r} owns unknown fields {sorted(unknown)}")
        self.parts = tuple(parts)
        self._clock = clock
        self._timer = timer
        self._lock = threading.Lock()
        self._state = _State(
            AnalyticsSnapshot(computed_at=0.0), {p.name: PartHealth() for p in self.parts}
        )

    def snapshot(self) -> AnalyticsSnapshot:
        with self._lock:
            return self._state.snapshot

    def health(self) -> dict[str, PartHealth]:
        """A copy of each part's health, for the exporter and for status output."""
        with self._lock:
            return {name: replace(h) for name, h in self._state.health.items()}

    def run_due(self) -> float:
        """Run every part whose time has come; returns seconds until the next one is due."""
        for part in self.parts:
            with self._lock:
                due = self._state.health[part.name].next_run <= self._timer()
            if due:
                self.run_part(part)
        with self._lock:
            soonest = min((h.next_run for h in self._state.health.values()), default=0.0)
        return max(0.0, soonest - self._timer())

    def run_part(self, part: Part) -> bool:
        now = self._clock()
        started = self._timer()
        try:
            result = dict(part.run(now))
            unexpected = set(result) - set(part.fields)
            if unexpected:
                raise ValueError(f"returned fields it does not own: {sorted(unexpected)}")
        except Exception as exc:  # one part's failure must not stop the others
            log.warning("analytics part %s failed: %s", part.name, exc)
            with self._lock:
                health = self._state.health[part.name]
                health.failures += 1
                health.last_error = str(exc)
                retry = part.every if part.retry is None else min(part.every, part.retry)
                health.next_run = self._timer() + retry
                self._state.snapshot = replace(
                    self._state.snapshot,
                    computed_at=now,
                    **{name: getattr(_NOTHING, name) for name in part.fields},
                )
            return False
        elapsed = self._timer() - started
        with self._lock:
            health = self._state.health[part.name]
            health.last_success = now
            health.last_duration = elapsed
            health.last_error = None
            health.next_run = started + part.every
            self._state.snapshot = replace(self._state.snapshot, computed_at=now, **result)
        log.info("analytics part %s ran in %.1f s", part.name, elapsed)
        return True

    def serve(self, stop: threading.Event) -> None:
        """Run parts as they fall due until ``stop`` is set."""
        while not stop.is_set():
            stop.wait(self.run_due())
