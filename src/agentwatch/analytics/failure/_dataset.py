"""Labelled data from scenario runs: features per (time, agent) and whether the agent fails.

Label: an (agent, time) row is positive when the agent is killed for memory (OOM) within the
next HORIZON. Only OOM failures are targets: they have precursors (memory climbing, a backlog
growing). A crash fault kills an agent with no warning in any signal; labelling the rows
before it positive would only teach the model noise, so they stay negative, and crashes are
reported apart in the evaluation.

Rows are scored only while the agent is up and only up to HORIZON before the end of the run,
so that every scored row's label is known (no failure can hide past the end of the run).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ._features import window_features
from ._sample import Failure, ScenarioRun, run_scenario
from ._scenarios import Scenario
from ._signals import signal_frame

__all__ = ["HORIZON_SECONDS", "ScenarioData", "build_datasets", "label_rows", "prepare"]

HORIZON_SECONDS = 15 * 60.0


@dataclass(frozen=True, slots=True)
class ScenarioData:
    scenario: Scenario
    times: NDArray[np.float64]
    agent_ids: tuple[str, ...]
    agent_types: tuple[str, ...]
    features: NDArray[np.float64]  # (times, agents, features)
    labels: NDArray[np.bool_]  # (times, agents)
    scored: NDArray[np.bool_]  # (times, agents): up, and its label is known
    failures: tuple[Failure, ...]
    memory_ratio: NDArray[np.float64]  # for the baselines
    health: NDArray[np.float64]

    @property
    def scored_until(self) -> float:
        return float(self.times[-1] - HORIZON_SECONDS)


def label_rows(
    times: NDArray[np.float64], agents: int, failures: Sequence[Failure], horizon: float
) -> NDArray[np.bool_]:
    """(times, agents): True where the agent is killed for memory in (t, t + horizon]."""
    labels = np.zeros((len(times), agents), dtype=bool)
    for failure in failures:
        if failure.oom:
            labels[(times < failure.at) & (times >= failure.at - horizon), failure.agent] = True
    return labels


def prepare(run: ScenarioRun) -> ScenarioData:
    frame = signal_frame(run.raw)
    times = run.raw.times
    labels = label_rows(times, len(run.raw.agent_ids), run.failures, HORIZON_SECONDS)
    scored = ~frame.down & ~frame.missing & (times <= times[-1] - HORIZON_SECONDS)[:, None]
    return ScenarioData(
        scenario=run.scenario,
        times=times,
        agent_ids=run.raw.agent_ids,
        agent_types=run.raw.agent_types,
        features=window_features(frame),
        labels=labels,
        scored=scored,
        failures=run.failures,
        memory_ratio=frame.memory_ratio,
        health=frame.health,
    )


def _simulate(scenario: Scenario) -> ScenarioData:
    return prepare(run_scenario(scenario))


def build_datasets(
    scenarios: Sequence[Scenario],
    *,
    workers: int = 1,
    progress: Callable[[ScenarioData], None] | None = None,
) -> list[ScenarioData]:
    """Simulate each scenario (``workers`` processes) and label it; in scenario order.

    ``progress`` is called with each scenario's data as soon as it is done.
    """
    if workers <= 1 or len(scenarios) <= 1:
        results = []
        for scenario in scenarios:
            results.append(_simulate(scenario))
            if progress is not None:
                progress(results[-1])
        return results
    done: dict[int, ScenarioData] = {}
    # spawn, not fork: the caller may run threads (a progress bar) that fork would copy.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(_simulate, s): i for i, s in enumerate(scenarios)}
        for future in as_completed(futures):
            done[futures[future]] = data = future.result()
            if progress is not None:
                progress(data)
    return [done[i] for i in range(len(scenarios))]
