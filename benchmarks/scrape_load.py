"""Benchmark: 50 concurrent scrapers on one exporter while the simulated system runs flat out.

The simulated system runs at its default daily peak held flat (300 requests/s entering, the
default 200/s mean plus its 50% daily amplitude) in a child process
(``benchmarks._sim_exporters``), and serves its agent and transport exporters either with
agentwatch's ``MetricsServer`` or with prometheus_client's ``start_http_server`` over the same
collectors. 50 scrapers (``_scrapers``: each on its own offset, no overlapping scrapes,
OpenMetrics and gzip like Prometheus) scrape one exporter for 60 s at that job's interval and
timeout from the spec: the transport exporter every 1 s with an 800 ms timeout (seed 004), the
agent exporter every 15 s with Prometheus' default 10 s timeout. A scrape fails when it errs,
answers other than 200, overruns the timeout or is skipped because the scraper's previous scrape
still ran. Reported: failed scrapes (target 0, issue 8), p50 and p99 of the rest, and the
exporter process's CPU over the minute. The smoke size has 4 scrapers for 3 s: on the agent
exporter's 15 s schedule only the first of them gets a scrape in.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from agentwatch.render import write_yaml
from agentwatch.spec import Spec, duration_seconds, load_spec

from ._benchmark import Benchmark
from ._ports import free_ports
from ._results import INFORMATIONAL, Peer, Result, Target
from ._scrapers import ScrapeLoad, run_scrapers
from ._timing import Stats

__all__ = ["BENCHMARK", "FULL", "FULL_RATE", "SCRAPERS", "SECONDS", "SMOKE", "Size", "run"]


@dataclass(frozen=True, slots=True)
class Size:
    scrapers: int
    seconds: float  # of scraping, per job and server
    warm_up: float  # of the simulated system, once its exporters answer


SCRAPERS = 50
SECONDS = 60.0
FULL = Size(scrapers=SCRAPERS, seconds=SECONDS, warm_up=5.0)
SMOKE = Size(scrapers=4, seconds=3.0, warm_up=1.0)
PROJECT = Path(__file__).resolve().parent.parent
SERVERS = {"ours": "agentwatch MetricsServer", "prometheus_client": "prometheus_client server"}
# The default spec's daily peak, held flat: no daily or weekly pattern to wander through.
FULL_RATE = {
    "request_rate": 300.0,
    "daily_amplitude": 0.0,
    "weekly_dip": 0.0,
    "developers": 0,
}
PROMETHEUS_DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True)
class Job:
    name: str
    port_field: str
    interval: float
    timeout: float


def jobs(spec: Spec) -> list[Job]:
    scrape = spec.scrape
    found = []
    for name, port_field, job in (
        ("transport", "transport_exporter", scrape.transport),
        ("agents", "agent_exporter", scrape.agents),
    ):
        interval = duration_seconds(job.interval)
        timeout = (
            duration_seconds(job.timeout)
            if job.timeout is not None
            else min(interval, PROMETHEUS_DEFAULT_TIMEOUT)
        )
        found.append(Job(name, port_field, interval, timeout))
    return found


def free_port_spec(directory: Path) -> Path:
    """A spec on free loopback ports with the simulated system at FULL_RATE."""
    names = ("agent_exporter", "transport_exporter", "voice_exporter")
    ports = dict(zip(names, free_ports(len(names)), strict=True))
    config = directory / "agentwatch.yaml"
    write_yaml(config, {"ports": ports, "simulation": FULL_RATE})
    return config


def _serve(
    config: Path, server: str, spec: Spec, log: Path, warm_up: float
) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        child = subprocess.Popen(
            [sys.executable, "-m", "benchmarks._sim_exporters", str(config), server],
            cwd=PROJECT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{spec.ports.transport_exporter}/metrics"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise RuntimeError(f"{server} exporters exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                time.sleep(warm_up)
                return child
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    child.kill()
    raise RuntimeError(f"{server} exporters did not answer at {url}")


def measure(config: Path, server: str, job: Job, log: Path, size: Size) -> tuple[ScrapeLoad, float]:
    """The scrape load on one job's exporter, and the exporter process's CPU seconds."""
    spec = load_spec(config)
    child = _serve(config, server, spec, log, size.warm_up)
    try:
        process = psutil.Process(child.pid)
        before = process.cpu_times()
        port = getattr(spec.ports, job.port_field)
        load = run_scrapers(
            f"http://127.0.0.1:{port}/metrics",
            scrapers=size.scrapers,
            seconds=size.seconds,
            interval=job.interval,
            timeout=job.timeout,
        )
        after = process.cpu_times()
        cpu = (after.user + after.system) - (before.user + before.system)
    finally:
        child.terminate()
        child.wait(30)
    return load, cpu


def run(size: Size = FULL) -> list[Result]:
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="agentwatch-scrape-load-") as tmp:
        directory = Path(tmp)
        config = free_port_spec(directory)
        for index, job in enumerate(jobs(load_spec(config))):
            order = list(SERVERS) if index % 2 == 0 else list(reversed(SERVERS))
            seen: dict[str, tuple[ScrapeLoad, float]] = {}
            for server in order:
                seen[server] = measure(config, server, job, directory / f"{server}.log", size)
                print(f"  {job.name}, {SERVERS[server]}: {seen[server][0].summary()}")
            results += _rows(job, seen)
    return results


def _rows(job: Job, seen: dict[str, tuple[ScrapeLoad, float]]) -> list[Result]:
    ours, ours_cpu = seen["ours"]
    peer, peer_cpu = seen["prometheus_client"]
    what = (
        f"{ours.scrapers} scrapers on the {job.name} exporter, every {job.interval:g} s "
        f"(timeout {job.timeout:g} s), simulated system at full rate"
    )
    notes = (
        f"ours: {ours.summary()}; exporter process CPU {ours_cpu:.1f} s in "
        f"{ours.seconds:g} s. peer: {peer.summary()}; CPU {peer_cpu:.1f} s"
    )
    peer_name = SERVERS["prometheus_client"]
    rows = [
        Result(
            f"{what}: failed scrapes",
            Stats.single(ours.failed),
            "scrapes",
            Target("0 failed (issue 8)", 0, "ours"),
            notes,
            Peer(peer_name, Stats.single(peer.failed)),
        )
    ]
    for q in (50, 99):
        rows.append(
            Result(
                f"{what}: p{q} scrape time",
                Stats.single(ours.percentile(q) * 1000),
                "ms",
                INFORMATIONAL,
                f"over {len(ours.latencies)} successful scrapes (peer: {len(peer.latencies)})",
                Peer(peer_name, Stats.single(peer.percentile(q) * 1000)),
            )
        )
    return rows


BENCHMARK = Benchmark(run, FULL, SMOKE)
