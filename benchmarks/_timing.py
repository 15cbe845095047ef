"""Interleaved repetitions: every contender runs once per round, so drift hits all alike.

The machine is shared and noisy. Running A for a minute and then B for a minute measures the
neighbours as much as A and B; running A, B, A, B, ... (rotating who goes first each round)
and taking medians spreads the noise over everyone.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

__all__ = ["Contender", "Measurement", "Stats", "bracket_overhead", "interleave", "timed"]

# What one repetition of a contender measured, by metric ("cpu", "wall", "rss", ...).
Measurement = dict[str, float]
Contender = Callable[[], Measurement]


@dataclass(frozen=True, slots=True)
class Stats:
    """Median and range of repeated measurements."""

    median: float
    low: float
    high: float
    runs: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Stats:
        if not values:
            raise ValueError("no measurements")
        return cls(statistics.median(values), min(values), max(values), len(values))

    @classmethod
    def single(cls, value: float) -> Stats:
        """One measurement: no spread to speak of (the reports show no ± for it)."""
        return cls.of([value])

    def scaled(self, factor: float) -> Stats:
        """The same measurements in another unit (``factor`` > 0)."""
        return Stats(self.median * factor, self.low * factor, self.high * factor, self.runs)

    @property
    def spread_pct(self) -> float:
        """Range as a percentage of the median."""
        return 100.0 * (self.high - self.low) / self.median if self.median else 0.0


def interleave(
    contenders: Mapping[str, Contender], *, rounds: int, warmup: int = 1
) -> dict[str, dict[str, Stats]]:
    """Run each contender once per round, rotating the order; drop ``warmup`` rounds.

    Returns, per contender and per metric it measured, the stats over the kept rounds.
    """
    names = list(contenders)
    kept: dict[str, defaultdict[str, list[float]]] = {n: defaultdict(list) for n in names}
    for index in range(warmup + rounds):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            measured = contenders[name]()
            if index >= warmup:
                for metric, value in measured.items():
                    kept[name][metric].append(value)
    return {
        name: {metric: Stats.of(values) for metric, values in metrics.items()}
        for name, metrics in kept.items()
    }


def timed(action: Callable[[], object]) -> Contender:
    """A contender measuring the process CPU time and the wall time ``action`` takes.

    Process CPU time counts every thread, so it also serves multi-threaded actions.
    """

    def measure() -> Measurement:
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        return {"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall}

    return measure


def bracket_overhead(samples: int = 20_000) -> float:
    """Seconds that ``t0 = thread_time(); ...; thread_time() - t0`` adds around a call.

    Reading a thread's CPU clock is a system call (about 0.2 µs here), so timing each call
    separately overstates it; callers subtract this median from every bracket.
    """
    clock = time.thread_time
    deltas = []
    for _ in range(samples):
        start = clock()
        deltas.append(clock() - start)
    return statistics.median(deltas)
