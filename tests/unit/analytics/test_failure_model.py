"""The shipped model on a freshly simulated run, and serving from Prometheus-shaped data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from agentwatch.analytics.failure import (
    AGENT_SIGNAL_QUERIES,
    FEATURE_NAMES,
    HELD_OUT_TYPES,
    ModelError,
    Raw,
    RawSignals,
    Scenario,
    ScenarioData,
    ScenarioRun,
    load_model,
    prepare,
    run_scenario,
    score_agents,
)
from agentwatch.analytics.failure._model import MODEL_DIR
from agentwatch.clients.prometheus import RangeSeries

# Monday 14:00 UTC; a held-out type leaks fast enough to be killed within minutes.
START = 1_700_438_400.0 + 14 * 3600
LEAKER = f"{HELD_OUT_TYPES[0]}-0"
HEALTHY = f"{HELD_OUT_TYPES[1]}-1"
SCENARIO = Scenario(
    "unit-leak",
    seed=4242,
    start=START,
    minutes=12.0,
    request_rate=120.0,
    faults=(f"memory_leak:agent={LEAKER}:at=60s:for=30m:rate=0.8",),
)


@pytest.fixture(scope="module")
def run() -> ScenarioRun:
    return run_scenario(SCENARIO)


@pytest.fixture(scope="module")
def data(run: ScenarioRun) -> ScenarioData:
    return prepare(run)


def test_the_leak_kills_its_agent_for_memory(data: ScenarioData) -> None:
    leaker = data.agent_ids.index(LEAKER)
    assert [f.oom for f in data.failures if f.agent == leaker] == [True]
    assert not [f for f in data.failures if f.agent != leaker]


def test_shipped_model_warns_of_the_leak_and_not_of_a_healthy_agent(data: ScenarioData) -> None:
    model = load_model()
    leaker, healthy = data.agent_ids.index(LEAKER), data.agent_ids.index(HEALTHY)
    failure = next(f.at for f in data.failures if f.agent == leaker)
    memory = data.memory_ratio[:, leaker]
    near_limit = (data.times < failure) & (memory > 0.8) & (memory < 1.0)
    assert near_limit.any()
    leak_scores = model.score(data.features[near_limit, leaker])
    assert leak_scores.min() > 80, leak_scores
    healthy_scores = model.score(data.features[:, healthy])
    assert healthy_scores.max() < 20, healthy_scores


class _Prometheus:
    """Answers range queries from raw signals, as Prometheus would after scraping them."""

    def __init__(self, raw: RawSignals) -> None:
        self.raw = raw
        self.signal = {promql: signal for signal, promql in AGENT_SIGNAL_QUERIES.items()}

    def query_range(
        self, promql: str, *, start: float, end: float, step: float
    ) -> list[RangeSeries]:
        raw, signal = self.raw, self.signal[promql]
        inside = (raw.times >= start) & (raw.times <= end)
        return [
            RangeSeries(
                {"agent_id": agent, "agent_type": agent_type},
                raw.times[inside],
                raw.values[signal][inside, column],
            )
            for column, (agent, agent_type) in enumerate(
                zip(raw.agent_ids, raw.agent_types, strict=True)
            )
        ]


def test_serving_scores_what_training_scored(run: ScenarioRun, data: ScenarioData) -> None:
    model = load_model()
    leaker = data.agent_ids.index(LEAKER)
    failure = next(f.at for f in data.failures if f.agent == leaker)
    # Two scoring times: the leaker near its limit, and right after it was killed.
    before = int(np.flatnonzero(data.times < failure)[-1])
    after = before + 1
    api = _Prometheus(run.raw)
    served = {s.agent_id: s for s in score_agents(api, float(data.times[before]), model=model)}
    expected = model.score(data.features[before])
    assert set(served) == set(data.agent_ids)
    for column, agent in enumerate(data.agent_ids):
        assert served[agent].score == pytest.approx(expected[column], abs=1e-3)
        assert served[agent].agent_type == data.agent_types[column]
    assert served[LEAKER].score > 80
    # A down agent gets no score at all.
    served_after = {s.agent_id for s in score_agents(api, float(data.times[after]), model=model)}
    assert LEAKER not in served_after
    assert len(served_after) == len(data.agent_ids) - 1


def test_serving_with_no_agents_scores_nothing(run: ScenarioRun) -> None:
    empty = RawSignals(run.raw.times, (), (), {s: np.empty((len(run.raw.times), 0)) for s in Raw})
    assert score_agents(_Prometheus(empty), float(run.raw.times[-1])) == ()


def test_the_shipped_model_is_small_and_says_what_built_it() -> None:
    sidecar = json.loads((MODEL_DIR / "model.json").read_text())
    assert (MODEL_DIR / "model.joblib").stat().st_size < 2 * 1024 * 1024
    assert sidecar["features"] == list(FEATURE_NAMES)
    assert sidecar["sklearn_version"]
    assert sidecar["held_out"], "the sidecar records the held-out evaluation"


def test_a_model_from_another_sklearn_is_refused(tmp_path: Path) -> None:
    for name in ("model.joblib", "model.json"):
        shutil.copy(MODEL_DIR / name, tmp_path / name)
    sidecar = json.loads((tmp_path / "model.json").read_text())
    sidecar["sklearn_version"] = "0.1.0"
    (tmp_path / "model.json").write_text(json.dumps(sidecar))
    with pytest.raises(ModelError, match=r"scikit-learn 0\.1\.0.*agentwatch analytics train"):
        load_model(tmp_path)


def test_a_missing_model_says_how_to_build_one(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="agentwatch analytics train"):
        load_model(tmp_path)
