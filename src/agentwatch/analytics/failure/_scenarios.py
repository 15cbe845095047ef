"""Fault scenarios of the simulated system: the labelled runs the model learns and is tested on.

A scenario is one run of the simulated system: its own seed (which also draws each type's
service times and baseline memory), load level, time of day and a handful of faults on chosen
agents. Training and held-out scenarios differ in seed range and in the agent types their
faults hit, so the held-out figures speak about agents and runs the model never saw fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from agentwatch.spec import DEFAULT_AGENT_TYPES

__all__ = [
    "HELD_OUT_TYPES",
    "Scenario",
    "Split",
    "make_scenarios",
]

# Fault targets of held-out scenarios only; training faults never hit these types.
HELD_OUT_TYPES: tuple[str, ...] = DEFAULT_AGENT_TYPES[3::4]  # 7 of the 28 types
_TRAIN_TYPES = tuple(t for t in DEFAULT_AGENT_TYPES if t not in HELD_OUT_TYPES)
_INSTANCES = 2  # the default agents_per_type
# Seeds of the two splits are far apart, so no run is in both.
_SEED_BASE = {"train": 10_000, "test": 90_000}
# 2023-11-20 00:00 UTC, a Monday; scenarios start at a drawn time of day within that week.
_WEEK_START = 1_700_438_400.0
FAULT_FREE_EVERY = 6  # every sixth scenario has no fault at all


class Split(StrEnum):
    TRAIN = "train"
    TEST = "test"


@dataclass(frozen=True, slots=True)
class Scenario:
    """One simulated run: ``faults`` in the simulator's text form, offsets from ``start``."""

    name: str
    seed: int
    start: float
    minutes: float
    request_rate: float
    faults: tuple[str, ...]


def _agents(rng: np.random.Generator, types: tuple[str, ...], count: int) -> list[str]:
    chosen = rng.choice(len(types) * _INSTANCES, size=count, replace=False)
    return [f"{types[i // _INSTANCES]}-{i % _INSTANCES}" for i in chosen]


def _when(at_minutes: float, for_minutes: float) -> str:
    return f"at={at_minutes * 60:.0f}s:for={for_minutes * 60:.0f}s"


def _faults(rng: np.random.Generator, types: tuple[str, ...], minutes: float) -> list[str]:
    """A random mix: memory leaks (the main precursor of failures), backlogs, slowdowns,
    sudden crashes and floods, at random times and strengths."""
    latest = max(2.0, minutes - 20.0)
    leaks = int(rng.integers(1, 5))
    backup, slow, crash, flood = (rng.random(4) < (0.6, 0.5, 0.5, 0.2)).tolist()
    targets = iter(_agents(rng, types, leaks + backup + slow + crash))
    faults = []
    for _ in range(leaks):
        # MiB/s, log-uniform: a 300 MiB headroom lasts from about 4 minutes to over an hour.
        rate = float(np.exp(rng.uniform(np.log(0.06), np.log(1.2))))
        at = rng.uniform(1.0, latest)
        # Most leaks run to the end; some stop first (memory then stays high but flat).
        lasts = minutes if rng.random() < 0.7 else rng.uniform(5.0, 25.0)
        faults.append(f"memory_leak:agent={next(targets)}:{_when(at, lasts)}:rate={rate:.3f}")
    if backup:
        at, lasts = rng.uniform(1.0, latest), rng.uniform(2.0, 25.0)
        faults.append(f"queue_backup:agent={next(targets)}:{_when(at, lasts)}")
    if slow:
        at, lasts, factor = rng.uniform(1.0, latest), rng.uniform(5.0, 30.0), rng.uniform(2, 12)
        faults.append(f"slowdown:agent={next(targets)}:{_when(at, lasts)}:factor={factor:.1f}")
    if crash:
        at, lasts = rng.uniform(1.0, minutes - 5.0), rng.uniform(0.5, 4.0)
        faults.append(f"crash:agent={next(targets)}:{_when(at, lasts)}")
    if flood:
        at, lasts, rate = rng.uniform(1.0, latest), rng.uniform(1.0, 5.0), rng.uniform(200, 800)
        faults.append(f"emergency_flood:{_when(at, lasts)}:rate={rate:.0f}")
    return faults


def make_scenarios(split: Split, count: int, *, minutes: float = 70.0) -> list[Scenario]:
    """``count`` scenarios of ``split``, each ``minutes`` long; the same for the same arguments."""
    types = _TRAIN_TYPES if split is Split.TRAIN else HELD_OUT_TYPES
    scenarios = []
    for number in range(count):
        seed = _SEED_BASE[split.value] + number
        rng = np.random.default_rng([seed, 7])
        start = _WEEK_START + float(rng.integers(0, 7 * 24 * 4)) * 900.0
        rate = float(rng.uniform(80.0, 250.0))
        faults = (
            ()
            if number % FAULT_FREE_EVERY == FAULT_FREE_EVERY - 1
            else _faults(rng, types, minutes)
        )
        scenarios.append(
            Scenario(f"{split.value}-{number:02d}", seed, start, minutes, rate, tuple(faults))
        )
    return scenarios
