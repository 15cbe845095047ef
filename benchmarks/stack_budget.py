"""Benchmark: the whole system's budget, measured on a running demo stack (issue 8).

`agentwatch up --detach` with the simulated system at its default load, on free loopback ports,
in a fresh home, with a web hook receiver in this process as ``alerting.webhook_url``. Then:

1. Memory and CPU. After a warm-up, every process `up` started (the supervisor and everything
   below it) is sampled every few seconds for ``window`` seconds: RSS (what the seed's
   "< 500 MB" is read against, though it counts shared library pages once per process) and PSS
   (shared pages split between the processes that map them: what the group really holds). CPU
   is the processes' user + system time over the window. Monitoring is everything but the
   simulated system (the monitored system). Its CPU is reported twice: as a share of one core
   (CPU seconds over wall seconds; seed 004's "< 2% CPU" is read against this), and as a share
   of the CPU the monitored system itself used (informational: that system is a small
   simulation, not a real fleet). The full window is long enough to hold one run of the
   capacity planner, the analytics service's heaviest part (every 15 minutes).
2. Disk. A TSDB snapshot through the admin API, head included, puts everything Prometheus
   ingested since start-up into a block; its bytes over the time it spans give bytes per day,
   and times the retention, the disk the default retention needs (seed: 50 GB for 15 days).
3. Fault to notification. Three faults injected at once through the simulation's fault
   control (a crash of every security agent, an emergency flood, unauthorized access on
   another agent type); for each, the time until the web hook receives the firing alert,
   beside the ``for`` + ``group_wait`` it is configured with and the worst case once scrape and
   evaluation intervals are added.

``python -m benchmarks --only stack_budget`` takes about 25 minutes (FULL: warm-up, window, the
faults); nothing else should run on the machine meanwhile, or the CPU share measures it too.
The smoke size really starts the stack but samples for seconds, not minutes (no capacity run
falls in its window, so its memory and CPU say little), and injects only the fault whose alert
has no ``for`` (unauthorized access), so its notification still goes through Prometheus,
Alertmanager and the web hook within about 40 s.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import psutil

from agentwatch.render import write_yaml
from agentwatch.simulate import build_topology, send_fault
from agentwatch.spec import Spec, duration_seconds, load_spec
from agentwatch.stack import StackHome, read_state

from ._benchmark import Benchmark
from ._ports import free_ports
from ._results import CPU_OVERHEAD, INFORMATIONAL, Result, Target
from ._timing import Stats

__all__ = ["BENCHMARK", "FULL", "SMOKE", "Size", "run"]


@dataclass(frozen=True, slots=True)
class Size:
    warm_up: float
    window: float  # of memory and CPU sampling
    notify_timeout: float  # for every injected fault's notification
    held_alerts: bool  # also inject the faults whose alerts wait out a ``for``


FULL = Size(warm_up=120.0, window=16 * 60.0, notify_timeout=8 * 60.0, held_alerts=True)
SMOKE = Size(warm_up=15.0, window=15.0, notify_timeout=2 * 60.0, held_alerts=False)

SAMPLE_EVERY = 5.0
MIB = 1024 * 1024
SIMULATED = "simulate"
PORT_NAMES = (
    "prometheus",
    "alertmanager",
    "agent_exporter",
    "transport_exporter",
    "voice_exporter",
    "analytics_exporter",
    "framework_exporter",
    "otlp_http",
    "console",
)


@dataclass(frozen=True)
class FaultAlert:
    """A fault and the alert it must raise; ``scrape_job`` is where its signal is scraped."""

    fault: str
    alert: str
    scrape_job: str


def fault_alerts(spec: Spec, *, held_alerts: bool = True) -> list[FaultAlert]:
    """The faults to inject; without ``held_alerts``, only those whose alert has no ``for``."""
    return [
        item for item in _all_fault_alerts(spec) if held_alerts or not _alert_for(spec, item.alert)
    ]


def _all_fault_alerts(spec: Spec) -> list[FaultAlert]:
    # Unauthorized access on a type some agents may not send to (for others, every sender
    # is allowed and the fault has no intruders), and not the security agents crashed here.
    topology = build_topology(spec)
    other = next(
        name
        for index, name in enumerate(topology.types)
        if name != "security" and not topology.allowed[:, index].all()
    )
    return [
        FaultAlert("crash:type=security:for=10m", "SecurityAgentDown", "agents"),
        FaultAlert("emergency_flood:for=10m", "EmergencyMessageFlood", "transport"),
        FaultAlert(
            f"unauthorized_access:type={other}:for=10m", "UnauthorizedAgentAccess", "agents"
        ),
    ]


# -- the web hook receiver -------------------------------------------------------------------


@dataclass
class Notifications:
    """When each alert name first arrived firing, in this process's monotonic clock."""

    firing: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, payload: dict[str, Any]) -> None:
        now = time.monotonic()
        with self.lock:
            for alert in payload.get("alerts", []):
                name = alert.get("labels", {}).get("alertname", "")
                if alert.get("status") == "firing":
                    self.firing.setdefault(name, now)


@contextmanager
def webhook_receiver(port: int) -> Iterator[Notifications]:
    notifications = Notifications()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            notifications.record(json.loads(self.rfile.read(length) or b"{}"))
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield notifications
    finally:
        server.shutdown()
        server.server_close()


# -- the stack -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunningStack:
    home: Path
    spec: Spec
    auth: httpx.BasicAuth

    @property
    def prometheus(self) -> str:
        return f"http://127.0.0.1:{self.spec.ports.prometheus}"

    def processes(self) -> dict[int, str]:
        """Every process `up` started, by pid, named by the component it belongs to."""
        state = read_state(StackHome(self.home))
        if state is None:
            raise RuntimeError(f"no stack state in {self.home}")
        owners = {record.pid: record.name for record in state.components}
        supervisor = psutil.Process(state.supervisor_pid)
        found = {supervisor.pid: "supervisor"}
        for process in supervisor.children(recursive=True):
            owner = process
            while owner.pid not in owners and owner.pid != supervisor.pid:
                parent = owner.parent()
                if parent is None:
                    break
                owner = parent
            found[process.pid] = owners.get(owner.pid, "supervisor")
        return found


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agentwatch", *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@contextmanager
def demo_stack(directory: Path, webhook_port: int) -> Iterator[RunningStack]:
    *ports, control = free_ports(len(PORT_NAMES) + 1)
    config = directory / "agentwatch.yaml"
    write_yaml(
        config,
        {
            "ports": dict(zip(PORT_NAMES, ports, strict=True)),
            "simulation": {"control_port": control},
            "alerting": {"webhook_url": f"http://127.0.0.1:{webhook_port}/alerts"},
        },
    )
    home = directory / "home"
    up = _cli("up", "--home", str(home), "--config", str(config), "--detach")
    if up.returncode != 0:
        raise RuntimeError(f"agentwatch up failed:\n{up.stdout}\n{up.stderr}")
    try:
        service = json.loads((home / "secrets" / "secrets.json").read_text())["service"]
        yield RunningStack(
            home, load_spec(config), httpx.BasicAuth(service["username"], service["password"])
        )
    finally:
        _cli("down", "--home", str(home))


# -- 1. memory and CPU -----------------------------------------------------------------------


@dataclass
class Usage:
    """Peaks of the summed memory, by group, and CPU seconds by component over the window."""

    rss_peak: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    pss_peak: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    cpu: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    restarts: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _group(component: str) -> str:
    return "monitored" if component == SIMULATED else "monitoring"


def measure_usage(stack: RunningStack, window: float) -> Usage:
    usage = Usage()
    start_cpu: dict[int, tuple[str, float]] = {}
    last_cpu: dict[int, tuple[str, float]] = {}
    began = time.monotonic()
    while True:
        rss: dict[str, float] = defaultdict(float)
        pss: dict[str, float] = defaultdict(float)
        alive = stack.processes()
        for pid, component in alive.items():
            try:
                process = psutil.Process(pid)
                memory = process.memory_full_info()
                times = process.cpu_times()
            except psutil.Error:
                continue
            cpu = times.user + times.system
            start_cpu.setdefault(pid, (component, cpu))
            last_cpu[pid] = (component, cpu)
            for key in (_group(component), component, "all"):
                rss[key] += memory.rss
                pss[key] += memory.pss
        for key, value in rss.items():
            usage.rss_peak[key] = max(usage.rss_peak[key], value)
            usage.pss_peak[key] = max(usage.pss_peak[key], pss[key])
        if time.monotonic() - began >= window:
            break
        time.sleep(SAMPLE_EVERY)
    usage.seconds = time.monotonic() - began
    for pid, (component, cpu) in last_cpu.items():
        used = cpu - start_cpu[pid][1]
        for key in (_group(component), component, "all"):
            usage.cpu[key] += used
    # A process seen during the window but gone at its end died (the supervisor restarts it).
    usage.restarts = sorted(
        {component for pid, (component, _) in start_cpu.items() if pid not in alive}
    )
    return usage


# -- 2. disk ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Disk:
    block_bytes: int
    span_seconds: float
    samples: int
    wal_bytes: int

    @property
    def bytes_per_day(self) -> float:
        """NaN (not measured) when the block spans no time: nothing to scale up."""
        if self.span_seconds <= 0:
            return float("nan")
        return self.block_bytes / self.span_seconds * 86400.0


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def measure_disk(stack: RunningStack) -> Disk:
    response = httpx.post(
        f"{stack.prometheus}/api/v1/admin/tsdb/snapshot", auth=stack.auth, timeout=120
    )
    response.raise_for_status()
    data_dir = StackHome(stack.home).prometheus_data
    snapshot = data_dir / "snapshots" / response.json()["data"]["name"]
    try:
        blocks = [meta.parent for meta in snapshot.glob("*/meta.json")]
        metas = [json.loads((block / "meta.json").read_text()) for block in blocks]
        span_ms = max(m["maxTime"] for m in metas) - min(m["minTime"] for m in metas)
        return Disk(
            block_bytes=sum(_size(block) for block in blocks),
            span_seconds=span_ms / 1000.0,
            samples=sum(m["stats"]["numSamples"] for m in metas),
            wal_bytes=_size(data_dir / "wal"),
        )
    finally:
        shutil.rmtree(snapshot, ignore_errors=True)


# -- 3. fault to notification ----------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    fault_alert: FaultAlert
    seconds: float | None  # None: no notification within the size's notify_timeout
    configured: float  # for + group_wait
    worst_case: float  # plus one scrape interval of the job and one evaluation interval


def _alert_for(spec: Spec, alert: str) -> float:
    hold = spec.alerting.alert_for.get(alert)
    return duration_seconds(hold) if hold else 0.0


def measure_deliveries(
    stack: RunningStack, notifications: Notifications, size: Size
) -> list[Delivery]:
    spec = stack.spec
    group_wait = 10.0  # generate/alertmanager.py, the seed's route
    evaluation = duration_seconds(spec.scrape.evaluation_interval)
    intervals = {
        "agents": duration_seconds(spec.scrape.agents.interval),
        "transport": duration_seconds(spec.scrape.transport.interval),
    }
    planned = fault_alerts(spec, held_alerts=size.held_alerts)
    already = set(notifications.firing)
    injected: dict[str, float] = {}
    for item in planned:
        if item.alert in already:
            raise RuntimeError(f"{item.alert} fired before its fault was injected")
        send_fault(item.fault, port=spec.simulation.control_port, auth=stack.auth)
        injected[item.alert] = time.monotonic()
    deadline = time.monotonic() + size.notify_timeout
    while time.monotonic() < deadline and not all(p.alert in notifications.firing for p in planned):
        time.sleep(0.5)
    deliveries = []
    for item in planned:
        arrived = notifications.firing.get(item.alert)
        configured = _alert_for(spec, item.alert) + group_wait
        deliveries.append(
            Delivery(
                item,
                None if arrived is None else arrived - injected[item.alert],
                configured,
                configured + intervals[item.scrape_job] + evaluation,
            )
        )
    return deliveries


# -- the rows --------------------------------------------------------------------------------


def run(size: Size = FULL) -> list[Result]:
    (webhook_port,) = free_ports(1)
    with (
        tempfile.TemporaryDirectory(prefix="agentwatch-budget-") as tmp,
        webhook_receiver(webhook_port) as notifications,
        demo_stack(Path(tmp), webhook_port) as stack,
    ):
        print(f"  stack up in {stack.home}; warming up {size.warm_up:.0f} s")
        time.sleep(size.warm_up)
        print(f"  sampling memory and CPU for {size.window:.0f} s")
        usage = measure_usage(stack, size.window)
        disk = measure_disk(stack)
        print("  injecting faults, waiting for their notifications")
        deliveries = measure_deliveries(stack, notifications, size)
        retention = duration_seconds(stack.spec.storage.retention)
    return [
        *_usage_rows(usage),
        *_disk_rows(disk, retention),
        *(_delivery_row(d) for d in deliveries),
    ]


def _share(part: float, whole: float) -> float:
    """``part`` as a percentage of ``whole``; NaN (not measured) when ``whole`` is zero."""
    return 100.0 * part / whole if whole > 0 else float("nan")


def _usage_rows(usage: Usage) -> list[Result]:
    components = sorted(k for k in usage.cpu if k not in ("all", "monitoring", "monitored"))
    breakdown = "; ".join(
        f"{name}: RSS {usage.rss_peak[name] / MIB:.0f} MiB, PSS {usage.pss_peak[name] / MIB:.0f}"
        f" MiB, CPU {usage.cpu[name]:.1f} s"
        for name in components
    )
    restarted = f"; restarted during the window: {', '.join(usage.restarts)}" * bool(usage.restarts)
    notes = f"peaks over {usage.seconds:.0f} s, by component: {breakdown}{restarted}"
    monitoring_cpu, monitored_cpu = usage.cpu["monitoring"], usage.cpu["monitored"]
    return [
        Result(
            "whole stack RSS, everything `agentwatch up` started (peak)",
            Stats.single(usage.rss_peak["all"] / MIB),
            "MiB",
            Target.ours_at_most(500, "MiB", " (seed 004: < 500 MB)"),
            notes,
        ),
        Result(
            "whole stack PSS, everything `agentwatch up` started (peak)",
            Stats.single(usage.pss_peak["all"] / MIB),
            "MiB",
            Target.ours_at_most(500, "MiB", " (seed 004: < 500 MB)"),
            "PSS splits shared library pages between the processes mapping them",
        ),
        Result(
            "monitoring PSS, all but the simulated system (peak)",
            Stats.single(usage.pss_peak["monitoring"] / MIB),
            "MiB",
            INFORMATIONAL,
            f"the simulated system: PSS {usage.pss_peak['monitored'] / MIB:.0f} MiB",
        ),
        Result(
            "monitoring CPU (all but the simulated system), share of one core",
            Stats.single(_share(monitoring_cpu, usage.seconds)),
            "% of one core",
            CPU_OVERHEAD,
            f"{monitoring_cpu:.1f} CPU s in {usage.seconds:.0f} s of wall time, summed over "
            f"every monitoring process; the machine has {os.cpu_count()} CPUs",
        ),
        Result(
            "monitoring CPU, share of the monitored (simulated) system's own CPU",
            Stats.single(_share(monitoring_cpu, monitored_cpu)),
            "% of the monitored system's CPU",
            INFORMATIONAL,
            f"the simulated system used {monitored_cpu:.1f} CPU s in the same window, its own "
            "SDK instrumentation included (the hot path and tracing rows measure that part); "
            "it is a small Python simulation, not the seed's 4.2M msg/s",
        ),
    ]


def _disk_rows(disk: Disk, retention: float) -> list[Result]:
    per_day = disk.bytes_per_day
    days = retention / 86400.0
    notes = (
        f"a snapshot block of {disk.block_bytes / MIB:.1f} MiB spanning {disk.span_seconds:.0f} s "
        f"({disk.samples:,} samples, {disk.block_bytes / max(disk.samples, 1):.2f} bytes each); "
        f"the WAL held {disk.wal_bytes / MIB:.0f} MiB besides (it keeps about the last 2-3 "
        "hours, so it does not grow with retention)"
    )
    return [
        Result("TSDB bytes per day", Stats.single(per_day / MIB), "MiB/day", INFORMATIONAL, notes),
        Result(
            f"TSDB bytes at the default retention ({days:g} days)",
            Stats.single(per_day * days / 1024**3),
            "GiB",
            Target.ours_at_most(50, "GiB", " (seed 004: 50 GB for 15 days)"),
            "bytes per day times the retention, plus nothing for the WAL",
        ),
    ]


def _delivery_row(delivery: Delivery) -> Result:
    item = delivery.fault_alert
    seconds = delivery.seconds if delivery.seconds is not None else float("nan")
    arrived = (
        "no notification within the timeout"
        if delivery.seconds is None
        else f"arrived {delivery.seconds - delivery.configured:+.0f} s after for + group_wait"
    )
    return Result(
        f"fault to web hook: {item.fault} -> {item.alert}",
        Stats.single(seconds),
        "s",
        Target.ours_at_most(delivery.worst_case, "s", " (for + group_wait + scrape + evaluation)"),
        f"configured for + group_wait {delivery.configured:.0f} s; {arrived}; "
        f"signal scraped by the {item.scrape_job} job",
    )


BENCHMARK = Benchmark(run, FULL, SMOKE)
