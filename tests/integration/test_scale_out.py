"""Scale-out with the real binaries: Prometheus remote_write into VictoriaMetrics, and the
exporter targets split across two Prometheus servers by hashmod.

Remote storage: the simulated system (small load) is scraped by a Prometheus whose config and
rules are the ones agentwatch generates from a spec with ``storage.remote_write`` pointing at a
VictoriaMetrics that asks for basic auth (the password read by Prometheus from a file). At a
fixed instant VictoriaMetrics answers with the same series and samples as Prometheus, and the
SLO report and the analytics engine give the same figures from both wherever the data is the
same; the CLI answers with real figures from VictoriaMetrics.

Sharding: two Prometheus servers on the shard configs of a spec with ``scrape.shards: 2`` and
five exporters built on the SDK: each target is scraped by exactly one shard, the one the
hashmod prediction (support.prometheus_hashmod, also used by the unit tests) names, and one
VictoriaMetrics fed by both shards' remote_write sees all of them in one query.

Every port is free and chosen at test time; waits poll against deadlines.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from agentwatch import catalog
from agentwatch.analytics.anomaly import ANOMALY_SERIES, score_latest
from agentwatch.analytics.capacity import COMPUTE_NODES, plan_capacity
from agentwatch.analytics.capacity_queries import TYPE_QUERIES
from agentwatch.analytics.failure import score_agents
from agentwatch.analytics.slo_status import SloStatus, read_status
from agentwatch.catalog.scrape import (
    AGENTS_JOB,
    ANALYTICS_JOB,
    EXPORTER_JOBS,
    FRAMEWORK_JOB,
    TRANSPORT_JOB,
    VOICE_JOB,
)
from agentwatch.clients.prometheus import PrometheusAPI
from agentwatch.exporters import MetricsServer
from agentwatch.generate.prometheus import ScrapeAuth, prometheus_config
from agentwatch.generate.rule_tree import rule_files
from agentwatch.instrument import AgentFleet
from agentwatch.render import write_yaml
from agentwatch.security import ensure_secrets
from agentwatch.spec import Ports, Spec, duration_seconds, load_spec

from .support import (
    Server,
    free_ports,
    installed,
    prometheus_hashmod,
    start_server,
    start_victoria_metrics,
    wait_until,
)

pytestmark = pytest.mark.timeout(420)

# Samples newer than this stay invisible to VictoriaMetrics' queries (its default is 30 s).
VM_LATENCY_OFFSET = "-search.latencyOffset=1s"
# VictoriaMetrics stores a value as a decimal mantissa and exponent: values with more
# significant digits than it keeps come back rounded (0.5505250616192898 -> 0.550525061619 here).
VM_REL_TOL = 1e-11
# PromQL that computes a rate from raw counters at query time, where MetricsQL and PromQL differ.
_COMPUTES_RATES = re.compile(r"\b(rate|irate|increase|deriv)\(")
# The simulated system at a small load, so that the other engineers' tests keep their cores.
AGENTS_PER_TYPE = 1
SIMULATION = {"agents_per_type": AGENTS_PER_TYPE, "request_rate": 20, "developers": 0}
# Each exporter job's port, in the shard test.
JOB_PORTS = {
    AGENTS_JOB: "agent_exporter",
    TRANSPORT_JOB: "transport_exporter",
    VOICE_JOB: "voice_exporter",
    ANALYTICS_JOB: "analytics_exporter",
    FRAMEWORK_JOB: "framework_exporter",
}


def _free_spec_ports() -> dict[str, int]:
    """Every port the spec names, free: no job may point at a default port another stack uses."""
    return dict(zip(Ports.model_fields, free_ports(len(Ports.model_fields)), strict=True))


def _start_prometheus(directory: Path, config: Path, port: int) -> Server:
    return start_server(
        f"prometheus ({config.name})",
        [
            installed("prometheus"),
            f"--config.file={config}",
            f"--storage.tsdb.path={directory / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        f"http://127.0.0.1:{port}",
        "/-/ready",
        directory / f"{config.stem}.log",
    )


def _stop_all(servers: list[Server]) -> None:
    # Prometheus first: stopping, it flushes remote_write for up to a minute while the
    # receiving end is gone.
    for server in servers:
        server.stop()


def _query(
    url: str, promql: str, *, at: float | None = None, auth: httpx.Auth | None = None
) -> list[dict[str, Any]]:
    params = {"query": promql} | ({} if at is None else {"time": f"{at:.3f}"})
    response = httpx.get(f"{url}/api/v1/query", params=params, auth=auth, timeout=60)
    response.raise_for_status()
    result: list[dict[str, Any]] = response.json()["data"]["result"]
    return result


# -- remote_write into VictoriaMetrics ---------------------------------------------------------


@dataclass(frozen=True)
class RemoteWriteStack:
    spec: Spec
    config: Path
    home: Path
    prometheus: Server
    victoria_metrics: Server
    vm_auth: httpx.BasicAuth

    def env(self) -> dict[str, str]:
        """The CLI's environment: the home's service account is what VictoriaMetrics asks for."""
        env = {k: v for k, v in os.environ.items() if k != "AGENTWATCH_SECRETS"}
        return env | {"AGENTWATCH_HOME": str(self.home), "COLUMNS": "250", "NO_COLOR": "1"}


@pytest.fixture(scope="class")
def remote_write_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteWriteStack]:
    tmp = tmp_path_factory.mktemp("remote-write")
    home = tmp / "home"
    secrets, files, _ = ensure_secrets(home)
    account = secrets.service
    (tmp / "vm").mkdir()
    # Debian's VictoriaMetrics 1.79 takes the password only as a flag value (a test's throwaway
    # account is fine there); Prometheus reads its copy from the home's password file.
    victoria_metrics = start_victoria_metrics(
        tmp / "vm",
        VM_LATENCY_OFFSET,
        f"-httpAuth.username={account.username}",
        f"-httpAuth.password={account.password}",
    )
    servers = [victoria_metrics]
    simulation: subprocess.Popen[bytes] | None = None
    try:
        ports = _free_spec_ports()
        (control,) = free_ports(1)
        config = tmp / "agentwatch.yaml"
        write_yaml(
            config,
            {
                "ports": ports,
                # Quick scrapes and evaluations: the SLO rules record within seconds.
                "scrape": {
                    "interval": "5s",
                    "evaluation_interval": "5s",
                    "agents": {"interval": "5s"},
                    "voice": {"interval": "5s"},
                },
                "simulation": SIMULATION | {"control_port": control},
                "storage": {
                    "remote_write": [
                        {
                            "name": "victoria-metrics",
                            "url": f"{victoria_metrics.url}/api/v1/write",
                            "basic_auth": {
                                "username": account.username,
                                "password_file": str(files.service_password),
                            },
                        }
                    ]
                },
            },
        )
        spec = load_spec(config)
        # What `agentwatch up` renders into its home: the spec's rules, and prometheus.yml
        # scraping the spec's loopback ports with the home's credential files.
        rules = tmp / "rules"
        rules.mkdir()
        for name, content in rule_files(spec).items():
            write_yaml(rules / name, content)
        auth = ScrapeAuth(account.username, str(files.service_password), str(files.scrape_token))
        prometheus_yml = tmp / "prometheus.yml"
        write_yaml(
            prometheus_yml,
            prometheus_config(spec, rule_files=[str(rules / "*.yml")], demo=True, auth=auth),
        )
        stack = RemoteWriteStack(
            spec,
            config,
            home,
            _start_prometheus(tmp, prometheus_yml, ports["prometheus"]),
            victoria_metrics,
            httpx.BasicAuth(account.username, account.password),
        )
        servers.insert(0, stack.prometheus)
        with (tmp / "simulate.log").open("wb") as log:
            simulation = subprocess.Popen(
                [sys.executable, "-m", "agentwatch", "simulate", "--config", str(config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=stack.env(),
            )
        _wait_for_recorded_history(stack, simulation, tmp / "simulate.log")
        yield stack
    finally:
        if simulation is not None and simulation.poll() is None:
            simulation.terminate()
            simulation.wait(timeout=30)
        _stop_all(servers)


def _wait_for_recorded_history(
    stack: RemoteWriteStack, simulation: subprocess.Popen[bytes], log: Path
) -> None:
    """Until Prometheus holds every simulated agent, every SLO's recorded budget, and the
    two samples of the agents' counters that rate() needs (capacity planning's service times)."""
    agents = len(stack.spec.agent_types) * AGENTS_PER_TYPE
    slos = {slo.name for slo in stack.spec.slos}

    def recorded() -> bool:
        if simulation.poll() is not None:
            pytest.fail(
                f"agentwatch simulate exited with {simulation.returncode}:\n{log.read_text()}"
            )
        url = stack.prometheus.url
        scored = _query(url, f"count({catalog.AGENT_HEALTH_SCORE.name})")
        budgets = _query(url, "slo:period_error_budget_remaining:ratio")
        return (
            bool(scored)
            and float(scored[0]["value"][1]) == agents
            and {b["metric"].get("sloth_slo") for b in budgets} == slos
            and bool(_query(url, TYPE_QUERIES["service_time"]))
        )

    wait_until(recorded, "Prometheus to record the simulated agents and every SLO", 150)


def _raw_samples(
    url: str, at: float, auth: httpx.Auth | None = None
) -> dict[frozenset[tuple[str, str]], list[tuple[int, float]]]:
    """Every series' raw samples in the minute before ``at``, without the external label
    ``cluster`` (remote_write adds it) and without NaN (VictoriaMetrics does not store NaN)."""
    found = {}
    for series in _query(url, '{__name__=~".+"}[1m]', at=at, auth=auth):
        labels = frozenset((k, v) for k, v in series["metric"].items() if k != "cluster")
        samples = [
            (round(float(t) * 1000), float(v))
            for t, v in series["values"]
            if not math.isnan(float(v))
        ]
        if samples:
            found[labels] = samples
    return found


def _same_samples(
    expected: Mapping[frozenset[tuple[str, str]], list[tuple[int, float]]],
    found: Mapping[frozenset[tuple[str, str]], list[tuple[int, float]]],
) -> bool:
    return expected.keys() == found.keys() and all(
        len(samples) == len(found[labels])
        and all(
            t == t2 and math.isclose(v, v2, rel_tol=VM_REL_TOL)
            for (t, v), (t2, v2) in zip(samples, found[labels], strict=True)
        )
        for labels, samples in expected.items()
    )


def _an_instant_with_history(stack: RemoteWriteStack) -> float:
    """A whole multiple of the analytics interval, after the wait for history and already
    past: the range queries of both servers then fall on the same grid."""
    every = duration_seconds(stack.spec.analytics.interval)
    instant = math.ceil(time.time() / every) * every
    wait_until(lambda: time.time() > instant + 1, "the chosen instant to pass", every + 5)
    return instant


@pytest.fixture(scope="class")
def instant(remote_write_stack: RemoteWriteStack) -> float:
    """An instant by which VictoriaMetrics holds exactly what Prometheus holds (the minute
    before it): what remote_write has not delivered yet is waited for, and how long that took
    is printed."""
    stack = remote_write_stack
    at = _an_instant_with_history(stack)
    differences: list[int] = []

    def delivered() -> bool:
        expected = _raw_samples(stack.prometheus.url, at)
        found = _raw_samples(stack.victoria_metrics.url, at, stack.vm_auth)
        differences.append(len(expected.keys() ^ found.keys()))
        return len(expected) > 1000 and _same_samples(expected, found)

    wait_until(delivered, "VictoriaMetrics to hold Prometheus' samples", 90)
    matched = time.time() - at
    # Prometheus' own measure: how far the newest sample sent trails the newest one appended.
    lag = _query(
        stack.prometheus.url,
        "max_over_time((max(prometheus_remote_storage_highest_timestamp_in_seconds)"
        " - max(prometheus_remote_storage_queue_highest_sent_timestamp_seconds))[2m:1s])",
    )
    print(
        f"\nremote_write: VictoriaMetrics matched Prometheus {matched:.1f} s after the instant "
        f"({len(differences)} comparisons, series differing: {differences}); "
        f"largest send lag Prometheus saw in 2 minutes: {float(lag[0]['value'][1]):.0f} s"
    )
    return at


class _FrozenAt:
    """``value`` as the SLO report asks it, evaluated at a fixed instant."""

    def __init__(self, api: PrometheusAPI, at: float) -> None:
        self.api, self.at = api, at

    def value(self, promql: str) -> float | None:
        samples = [s for s in self.api.query(promql, at=self.at) if not math.isnan(s.value)]
        return samples[0].value if samples else None


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=VM_REL_TOL, abs_tol=1e-12)


def _same_status(a: SloStatus, b: SloStatus) -> bool:
    return (
        _close(a.error_ratio, b.error_ratio)
        and _close(a.budget_remaining, b.budget_remaining)
        and _close(a.current_burn_rate, b.current_burn_rate)
        and a.burn_rates.keys() == b.burn_rates.keys()
        and all(_close(a.burn_rates[w], b.burn_rates[w]) for w in a.burn_rates)
    )


def _apis(stack: RemoteWriteStack) -> tuple[PrometheusAPI, PrometheusAPI]:
    return (
        PrometheusAPI(stack.prometheus.url, timeout=30),
        PrometheusAPI(stack.victoria_metrics.url, timeout=30, auth=stack.vm_auth),
    )


def _cli(stack: RemoteWriteStack, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "agentwatch", *args, "--config", str(stack.config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=stack.env(),
    )


class TestRemoteWriteToVictoriaMetrics:
    def test_victoria_metrics_asks_for_credentials_and_prometheus_gives_them(
        self, remote_write_stack: RemoteWriteStack, instant: float
    ) -> None:
        stack = remote_write_stack
        refused = httpx.get(f"{stack.victoria_metrics.url}/api/v1/query", params={"query": "up"})
        assert refused.status_code == 401
        # Nothing Prometheus sent was refused or dropped.
        failed = _query(
            stack.prometheus.url,
            "sum(prometheus_remote_storage_samples_failed_total)"
            " + sum(prometheus_remote_storage_samples_dropped_total)",
        )
        assert failed
        assert float(failed[0]["value"][1]) == 0
        # Everything VictoriaMetrics holds for the compared minute came through remote_write, so
        # Prometheus counts at least that many samples sent (how many more depends on how long
        # the fixture waited, which depends on the machine).
        held = sum(
            len(samples)
            for samples in _raw_samples(stack.victoria_metrics.url, instant, stack.vm_auth).values()
        )
        assert held > 1000

        def counted() -> bool:
            # Prometheus reads its own counter by scraping itself: the next scrape catches up.
            sent = _query(stack.prometheus.url, "sum(prometheus_remote_storage_samples_total)")
            return bool(sent) and float(sent[0]["value"][1]) >= held

        wait_until(counted, f"Prometheus to count at least the {held} samples sent", 60)

    def test_victoria_metrics_holds_the_same_series_and_samples(
        self, remote_write_stack: RemoteWriteStack, instant: float
    ) -> None:
        stack = remote_write_stack
        expected = _raw_samples(stack.prometheus.url, instant)
        found = _raw_samples(stack.victoria_metrics.url, instant, stack.vm_auth)
        names = {dict(labels)["__name__"] for labels in expected}
        # Scraped series, the generated recording rules' and the SLO rules' all made the trip.
        assert {
            "up",
            catalog.AGENT_MESSAGES_PROCESSED_TOTAL.name,
            "slo:sli_error:ratio_rate5m",
            "slo:period_error_budget_remaining:ratio",
        } <= names
        assert any(name.startswith("job:") or name.startswith("agent_type:") for name in names)
        assert _same_samples(expected, found)
        # The external label marks every series in the shared store.
        clusters = _query(
            stack.victoria_metrics.url, "count by (cluster) (up)", at=instant, auth=stack.vm_auth
        )
        assert [c["metric"] for c in clusters] == [{"cluster": stack.spec.cluster}]

    def test_slo_figures_from_victoria_metrics_equal_prometheus_ones(
        self, remote_write_stack: RemoteWriteStack, instant: float
    ) -> None:
        stack = remote_write_stack
        prometheus, victoria_metrics = _apis(stack)
        with prometheus, victoria_metrics:
            for slo in stack.spec.slos:
                expected = read_status(_FrozenAt(prometheus, instant), slo)
                found = read_status(_FrozenAt(victoria_metrics, instant), slo)
                # Recorded by Prometheus' rules: the same samples, so the same figures.
                assert expected.budget_remaining is not None, slo.name
                assert all(rate is not None for rate in expected.burn_rates.values()), slo.name
                assert _same_status(expected, found), (expected, found)

    def test_analytics_from_victoria_metrics(
        self, remote_write_stack: RemoteWriteStack, instant: float
    ) -> None:
        stack = remote_write_stack
        agents = len(stack.spec.agent_types) * AGENTS_PER_TYPE
        every = duration_seconds(stack.spec.analytics.interval)
        lookback = duration_seconds(stack.spec.analytics.anomaly_lookback)
        prometheus, victoria_metrics = _apis(stack)
        with prometheus, victoria_metrics:
            # Failure scores read raw gauges and counters summed per agent: the same samples on
            # the same 15 s grid, so the same scores.
            expected = score_agents(prometheus, instant)
            assert len(expected) == agents
            assert score_agents(victoria_metrics, instant) == expected
            expected_anomalies, found_anomalies = (
                score_latest(api, instant, lookback, every)
                for api in (prometheus, victoria_metrics)
            )
            assert all(
                0 <= score <= 1
                for scores in (expected_anomalies, found_anomalies)
                for score in scores.values()
            )
            # Series read from recorded rules or raw gauges: the same inputs, the same scores.
            same_inputs = {
                name
                for name, promql in ANOMALY_SERIES.items()
                if not _COMPUTES_RATES.search(promql)
            }
            assert same_inputs & expected_anomalies.keys()
            for name in same_inputs:
                assert _close(expected_anomalies.get(name), found_anomalies.get(name)), name
            # The rest, and capacity, apply rate() or deriv() to raw counters at query time;
            # MetricsQL computes those without Prometheus' extrapolation, so over windows
            # longer than the history (minutes here) the figures differ (docs/scale-out.md):
            # both must answer, each for itself.
            # A type none of whose messages fell in the last 5 minutes (the load is small)
            # has no measured service time, and no recommendation of its own.
            resources = {f"{t}_agents" for t in stack.spec.agent_types} | {COMPUTE_NODES}
            for api in (prometheus, victoria_metrics):
                plan = plan_capacity(api, instant, spec=stack.spec)
                assert plan.utilization["throughput"] > 0
                assert plan.recommendations
                assert {r.resource for r in plan.recommendations} <= resources

    def test_the_cli_reports_from_victoria_metrics(
        self, remote_write_stack: RemoteWriteStack
    ) -> None:
        stack = remote_write_stack
        vm = stack.victoria_metrics.url
        # Side by side: each spends most of its time importing.
        slo = _cli(stack, "slo", "report", "--prometheus", vm)
        analytics = _cli(stack, "analytics", "run", "--prometheus", vm)
        slo_out, _ = slo.communicate(timeout=180)
        analytics_out, _ = analytics.communicate(timeout=180)
        assert slo.returncode == 0, slo_out
        assert analytics.returncode == 0, analytics_out
        for name in (s.name for s in stack.spec.slos):
            (row,) = [line for line in slo_out.splitlines() if f" {name} " in line]
            assert "no data" not in row, row
            assert re.search(r"\d+\.\d{3}% over 30d", row), row
            assert len(re.findall(r"\d+\.\d\dx", row)) == 5, row
        agents = len(stack.spec.agent_types) * AGENTS_PER_TYPE
        assert f"{agents} agents scored" in analytics_out, analytics_out
        for part in ("failure", "anomaly", "capacity"):
            (row,) = [line for line in analytics_out.splitlines() if f" {part} " in line]
            assert " ok " in row, row
        recommended = re.search(r"(\d+) recommendations", analytics_out)
        assert recommended, analytics_out
        assert 0 < int(recommended[1]) <= len(stack.spec.agent_types) + 1, analytics_out


# -- hashmod sharding --------------------------------------------------------------------------


def _split_ports() -> dict[str, int]:
    """Free ports for the spec, chosen so that the predicted split gives each of the two
    shards at least two of the five exporter targets (a random choice puts every target on one
    shard once in sixteen runs, which would test nothing)."""
    while True:
        ports = _free_spec_ports()
        shares = [prometheus_hashmod(f"127.0.0.1:{ports[p]}", 2) for p in JOB_PORTS.values()]
        if min(shares.count(0), shares.count(1)) >= 2:
            return ports


def _probe_exporter(job: str, port: int) -> MetricsServer:
    """An exporter built on the SDK: one agent, named after its job, that handled messages."""
    fleet = AgentFleet()
    monitor = fleet.agent(f"probe-{job}", "probe")
    for _ in range(3):
        monitor.record_message(0.01, source_agent="director", action="probe")
    return MetricsServer(fleet.collector(), port=port, name=f"{job} probe").start()


@dataclass(frozen=True)
class Shards:
    spec: Spec
    # job -> the target's address, as the shard configs name it
    targets: dict[str, str]
    prometheus: list[Server]
    victoria_metrics: Server


@pytest.fixture(scope="class")
def shards(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shards]:
    tmp = tmp_path_factory.mktemp("shards")
    (tmp / "vm").mkdir()
    victoria_metrics = start_victoria_metrics(tmp / "vm", VM_LATENCY_OFFSET)
    servers = [victoria_metrics]
    exporters: list[MetricsServer] = []
    try:
        ports = _split_ports()
        every = {"interval": "2s"}
        spec = Spec.model_validate(
            {
                "ports": ports,
                "scrape": {
                    "shards": 2,
                    "interval": "2s",
                    **dict.fromkeys(("agents", "voice", "framework", "analytics"), every),
                },
                "storage": {
                    "remote_write": [
                        {"name": "global", "url": f"{victoria_metrics.url}/api/v1/write"}
                    ]
                },
            }
        )
        configs = [
            prometheus_config(spec, rule_files=[], demo=True, shard=shard) for shard in range(2)
        ]
        targets = {
            job["job_name"]: job["static_configs"][0]["targets"][0]
            for job in configs[1]["scrape_configs"]
        }
        assert set(targets) == set(EXPORTER_JOBS)
        for job, port in JOB_PORTS.items():
            exporters.append(_probe_exporter(job, ports[port]))
        # Shard 0 is the server the spec's ports.prometheus names (its own job scrapes it).
        listen = [ports["prometheus"], *free_ports(1)]
        for shard, config in enumerate(configs):
            path = tmp / f"prometheus-shard-{shard}.yml"
            write_yaml(path, config)
            directory = tmp / f"shard-{shard}"
            directory.mkdir()
            servers.insert(shard, _start_prometheus(directory, path, listen[shard]))
        yield Shards(spec, targets, servers[:2], victoria_metrics)
    finally:
        _stop_all(servers)
        for exporter in exporters:
            exporter.stop()


def _targets(server: Server) -> dict[str, list[dict[str, Any]]]:
    response = httpx.get(f"{server.url}/api/v1/targets", timeout=10)
    response.raise_for_status()
    data: dict[str, list[dict[str, Any]]] = response.json()["data"]
    return data


class TestHashmodSharding:
    def test_each_target_is_scraped_by_exactly_the_shard_hashmod_names(
        self, shards: Shards
    ) -> None:
        predicted = {job: prometheus_hashmod(address, 2) for job, address in shards.targets.items()}

        def scraped_up() -> dict[str, int] | None:
            """job -> the shard that scrapes it, once every kept exporter target is up."""
            owners: dict[str, int] = {}
            for shard, server in enumerate(shards.prometheus):
                for target in _targets(server)["activeTargets"]:
                    job = target["labels"]["job"]
                    if job not in EXPORTER_JOBS:
                        continue
                    if target["health"] != "up":
                        return None
                    assert job not in owners, (
                        f"{job} is scraped by shards {owners[job]} and {shard}"
                    )
                    owners[job] = shard
            return owners

        owners: dict[str, int] = {}

        def all_up() -> bool:
            found = scraped_up()
            owners.update(found or {})
            return found is not None and len(found) == len(EXPORTER_JOBS)

        wait_until(all_up, "every exporter target to be up on one shard", 60)
        assert owners == predicted
        # The other shard saw each target and dropped it in relabelling.
        for shard, server in enumerate(shards.prometheus):
            dropped = {
                t["discoveredLabels"]["job"]
                for t in _targets(server)["droppedTargets"]
                if t["discoveredLabels"]["job"] in EXPORTER_JOBS
            }
            assert dropped == {job for job, owner in predicted.items() if owner != shard}
        # Single-target infrastructure jobs: shard 0 only.
        infrastructure = [
            {t["labels"]["job"] for t in _targets(server)["activeTargets"]} - set(EXPORTER_JOBS)
            for server in shards.prometheus
        ]
        assert "prometheus" in infrastructure[0]
        assert infrastructure[1] == set()

    def test_one_victoria_metrics_sees_every_shard(self, shards: Shards) -> None:
        predicted = {job: prometheus_hashmod(address, 2) for job, address in shards.targets.items()}
        vm = shards.victoria_metrics.url
        exporters = "|".join(EXPORTER_JOBS)
        processed = catalog.AGENT_MESSAGES_PROCESSED_TOTAL.name

        def all_shards() -> bool:
            up = _query(vm, f'up{{job=~"{exporters}"}} == 1')
            agents = _query(vm, f"sum by (agent_id, shard) ({processed})")
            return len(up) == len(EXPORTER_JOBS) and len(agents) == len(EXPORTER_JOBS)

        wait_until(all_shards, "both shards' samples in VictoriaMetrics", 60)
        up = _query(vm, f'up{{job=~"{exporters}"}}')
        assert {u["metric"]["job"]: int(u["metric"]["shard"]) for u in up} == predicted
        assert {u["metric"]["instance"] for u in up} == set(shards.targets.values())
        agents = _query(vm, f"sum by (agent_id, shard) ({processed})")
        assert {a["metric"]["agent_id"]: int(a["metric"]["shard"]) for a in agents} == {
            f"probe-{job}": shard for job, shard in predicted.items()
        }
        assert all(float(a["value"][1]) == 3 for a in agents)
