"""Simulated history: run the simulator faster than real time and write Prometheus TSDB blocks.

The simulated system runs from ``end - duration`` to ``end`` (now). Every ``step`` of simulated
time each exporter's collectors are snapshotted exactly as a scrape would see them, with the
``job`` and ``instance`` labels the local stack's Prometheus gives to live scrapes, so history
and live data are the same series. Snapshots are written as OpenMetrics in chunks aligned to
Prometheus's 2-hour blocks; ``promtool tsdb create-blocks-from openmetrics`` turns each chunk
into a block while the simulator already runs the next one.

On several cores the history is cut into contiguous segments, each simulated by its own
process: each segment is a fresh start of the simulated system (its own seed), so counters
start again from zero at a segment boundary, as after a restart; Prometheus's rate() and
increase() treat that as the counter reset it is.
"""

from __future__ import annotations

import json
import math
import os
import pickle
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from agentwatch.catalog.scrape import (
    AGENTS_JOB,
    TRANSPORT_JOB,
    VOICE_JOB,
    connect_host,
    host_port,
)
from agentwatch.exporters import Collector
from agentwatch.spec import Spec

from ._engine import Engine
from ._faults import Fault
from ._load import LoadPattern
from ._openmetrics import OpenMetricsSpool
from ._publish import Publisher

__all__ = [
    "BLOCK_SECONDS",
    "BackfillError",
    "BackfillResult",
    "Event",
    "Segment",
    "backfill",
    "default_workers",
    "exporter_labels",
    "simulate_segment",
]

# promtool's default block length; chunks aligned to it become exactly one block each.
BLOCK_SECONDS = 2 * 3600.0
# Longest engine step in a backfill. The transport SDK measures throughput over a 10-second
# window of whole seconds, so steps must not exceed it; latencies do not depend on the step.
MAX_TICK = 10.0
# Processes a backfill uses at most (one per core, at most one per 2-hour chunk).
MAX_WORKERS = 8
# Job names as the local stack's prometheus.yml scrapes the three exporters.
JOBS = {"agent": AGENTS_JOB, "transport": TRANSPORT_JOB, "voice": VOICE_JOB}


class BackfillError(RuntimeError):
    """The history could not be written (promtool missing or failing)."""


@dataclass
class BackfillResult:
    start: float
    end: float
    step: float
    snapshots: int = 0
    samples: int = 0
    openmetrics_bytes: int = 0
    messages: int = 0
    blocks: list[str] = field(default_factory=list)
    seconds: float = 0.0
    promtool_seconds: float = 0.0


def exporter_labels(spec: Spec) -> dict[str, dict[str, str]]:
    """The ``job`` and ``instance`` labels Prometheus adds to each exporter's scraped series."""
    host = connect_host(spec.listen_address)
    ports = {
        "agent": spec.ports.agent_exporter,
        "transport": spec.ports.transport_exporter,
        "voice": spec.ports.voice_exporter,
    }
    return {
        name: {"job": JOBS[name], "instance": host_port(host, port)} for name, port in ports.items()
    }


class _Promtool:
    """Runs promtool on one chunk at a time in the background."""

    def __init__(self, executable: str, tsdb: Path) -> None:
        self._executable = executable
        self._tsdb = tsdb
        self._running: tuple[subprocess.Popen[bytes], Path, float] | None = None
        self.seconds = 0.0

    def submit(self, chunk: Path) -> None:
        self.wait()
        process = subprocess.Popen(
            [
                self._executable,
                "tsdb",
                "create-blocks-from",
                "openmetrics",
                "--quiet",
                str(chunk),
                str(self._tsdb),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._running = (process, chunk, time.monotonic())

    def wait(self) -> None:
        if self._running is None:
            return
        process, chunk, started = self._running
        self._running = None
        _, stderr = process.communicate()
        self.seconds += time.monotonic() - started
        if process.returncode != 0:
            raise BackfillError(
                f"promtool could not turn {chunk} into TSDB blocks "
                f"(exit {process.returncode}): {stderr.decode(errors='replace').strip()}"
            )
        chunk.unlink(missing_ok=True)

    def cancel(self) -> None:
        if self._running is not None:
            self._running[0].kill()
            self._running[0].wait()
            self._running = None


@dataclass(frozen=True)
class Segment:
    """A stretch of history one process simulates: snapshots ``first``..``last`` (inclusive)."""

    index: int
    spec: Spec
    first: float
    last: float
    step: float
    history_start: float
    faults: tuple[Fault, ...]
    out: Path


# Events a segment reports: ("chunk", path, samples, bytes), ("progress", simulated seconds),
# ("done", messages), ("error", text). Worker processes send them as JSON lines.
Event = tuple[object, ...]


def simulate_segment(segment: Segment, emit: Callable[[Event], None]) -> None:
    spec = segment.spec
    if segment.index:
        # Each segment is its own run of the simulated system, with its own randomness.
        simulation = spec.simulation.model_copy(
            update={"seed": spec.simulation.seed + 7919 * segment.index}
        )
        spec = spec.model_copy(update={"simulation": simulation})
    engine = Engine(spec, start=segment.first)
    for fault in segment.faults:
        engine.faults.add(fault, segment.history_start)
    publisher = Publisher(engine, clock=lambda: engine.now)
    labels = exporter_labels(spec)
    agent, transport, voice = publisher.collectors()
    collectors: list[tuple[Collector, dict[str, str]]] = [
        (agent, labels["agent"]),
        (transport, labels["transport"]),
        (voice, labels["voice"]),
    ]
    tick = min(MAX_TICK, segment.step)
    with OpenMetricsSpool(segment.out) as spool:
        snapshot = segment.first
        chunk_end = (math.floor(snapshot / BLOCK_SECONDS) + 1) * BLOCK_SECONDS
        while snapshot <= segment.last:
            # Advance to the snapshot, handing transport batches over every engine step.
            while engine.now < snapshot:
                engine.step(min(snapshot, engine.now + tick))
                publisher.publish_transport()
            publisher.publish()
            for collector, extra in collectors:
                spool.add(collector.collect(), snapshot, extra)
            following = snapshot + segment.step
            emit(("progress", min(following, segment.last) - snapshot))
            if following >= chunk_end or following > segment.last:
                chunk = segment.out / f"history-{segment.index}-{int(chunk_end)}.om"
                samples = spool.write(chunk)
                emit(("chunk", chunk, samples, chunk.stat().st_size))
                chunk_end += BLOCK_SECONDS
            snapshot = following
    emit(("done", engine.ledger.created))


def _segments(
    spec: Spec,
    *,
    start: float,
    finish: float,
    step: float,
    faults: Sequence[Fault],
    out: Path,
    workers: int,
) -> list[Segment]:
    """Cut [start, finish] into at most ``workers`` stretches of whole 2-hour chunks.

    The cuts balance expected work (requests in the chunk, from the load pattern, plus the
    snapshots), so a worker given the busy afternoon does not finish long after the one given
    the quiet night.
    """
    times = [start + n * step for n in range(round((finish - start) / step) + 1)]
    by_chunk: dict[int, list[float]] = {}
    for t in times:
        by_chunk.setdefault(math.floor(t / BLOCK_SECONDS), []).append(t)
    chunks = list(by_chunk.values())
    load = LoadPattern.from_spec(spec.simulation)
    # A snapshot costs about as much as simulating a tenth of a second at the mean rate.
    snapshot_cost = 0.1 * spec.simulation.request_rate
    weights = [load.expected(c[0], c[-1] + step) + snapshot_cost * len(c) for c in chunks]
    total = sum(weights)
    workers = max(1, min(workers, len(chunks)))
    groups: list[list[float]] = [[] for _ in range(workers)]
    done = 0.0
    for chunk, weight in zip(chunks, weights, strict=True):
        # The chunk goes to the worker whose share its midpoint falls in.
        index = min(workers - 1, int((done + weight / 2) / total * workers))
        groups[index].extend(chunk)
        done += weight
    return [
        Segment(index, spec, group[0], group[-1], step, start, tuple(faults), out)
        for index, group in enumerate(g for g in groups if g)
    ]


@contextmanager
def _stop_on_sigterm() -> Iterator[None]:
    # `agentwatch up` stops a backfill with SIGTERM; turning it into KeyboardInterrupt lets
    # the finally blocks stop worker processes and promtool instead of orphaning them.
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def default_workers() -> int:
    return max(1, min(MAX_WORKERS, len(os.sched_getaffinity(0))))


def backfill(
    spec: Spec,
    *,
    duration: float,
    tsdb: Path,
    step: float = 60.0,
    faults: Sequence[Fault] = (),
    end: float | None = None,
    progress: Callable[[float, float], None] | None = None,
    promtool: str | None = None,
    workers: int | None = None,
) -> BackfillResult:
    """Simulate ``duration`` seconds of history ending at ``end`` (default now) into ``tsdb``.

    ``faults`` happen at their offsets from the start of the history. ``progress`` is called
    with (simulated seconds done, simulated seconds in all). ``workers`` processes share the
    work (default: one per core).
    """
    if duration <= 0 or step <= 0:
        raise ValueError("duration and step must be positive")
    executable = promtool or shutil.which("promtool")
    if executable is None:
        raise BackfillError(
            "promtool is not on PATH; it comes with Prometheus (Debian/Ubuntu: "
            "apt-get install prometheus) and turns the simulated history into TSDB blocks"
        )
    tsdb.mkdir(parents=True, exist_ok=True)
    finish = math.floor((time.time() if end is None else end) / step) * step
    start = finish - math.ceil(duration / step) * step
    result = BackfillResult(start=start, end=finish, step=step)
    before = {p.name for p in tsdb.iterdir()}
    began = time.monotonic()
    runner = _Promtool(executable, tsdb)
    done = 0.0

    def handle(event: Event) -> None:
        nonlocal done
        match event:
            case ("progress", float(seconds)):
                done += seconds
                if progress is not None:
                    progress(done, finish - start)
            case ("chunk", Path() as chunk, int(samples), int(size)):
                result.samples += samples
                result.openmetrics_bytes += size
                runner.submit(chunk)
            case ("done", int(messages)):
                result.messages += messages
            case ("error", str(text)):
                raise BackfillError(f"the simulated history failed: {text}")

    # Spool next to the TSDB: same file system, and room for what becomes the blocks.
    with (
        tempfile.TemporaryDirectory(prefix="agentwatch-om-", dir=tsdb.parent) as out,
        _stop_on_sigterm(),
    ):
        segments = _segments(
            spec,
            start=start,
            finish=finish,
            step=step,
            faults=faults,
            out=Path(out),
            workers=workers or default_workers(),
        )
        result.snapshots = sum(round((s.last - s.first) / step) + 1 for s in segments)
        try:
            if len(segments) == 1:
                simulate_segment(segments[0], handle)
            else:
                _run_workers(segments, handle)
            runner.wait()
        except BaseException:
            runner.cancel()
            raise
    result.blocks = sorted({p.name for p in tsdb.iterdir()} - before)
    result.seconds = time.monotonic() - began
    result.promtool_seconds = runner.seconds
    return result


def _run_workers(segments: list[Segment], handle: Callable[[Event], None]) -> None:
    """Simulate each segment in a worker process; hand their events to ``handle``."""
    events: queue.SimpleQueue[tuple[int, Event | None]] = queue.SimpleQueue()
    processes: list[subprocess.Popen[bytes]] = []

    def read(index: int, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None  # stdout=PIPE
        for line in process.stdout:
            events.put((index, tuple(json.loads(line))))
        events.put((index, None))

    try:
        for index, segment in enumerate(segments):
            process = subprocess.Popen(
                [sys.executable, "-m", "agentwatch.simulate._worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
            processes.append(process)
            assert process.stdin is not None  # stdin=PIPE
            process.stdin.write(pickle.dumps(segment))
            process.stdin.close()
            threading.Thread(target=read, args=(index, process), daemon=True).start()
        running = len(processes)
        while running:
            try:
                # A timeout, so a SIGTERM (KeyboardInterrupt) is seen promptly.
                index, event = events.get(timeout=0.5)
            except queue.Empty:
                continue
            if event is None:
                running -= 1
                if processes[index].wait() != 0:
                    raise BackfillError(
                        f"history worker {index} exited with {processes[index].returncode}"
                    )
                continue
            if event[0] == "chunk":
                event = ("chunk", Path(str(event[1])), *event[2:])
            handle(event)
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
                process.wait(10)
