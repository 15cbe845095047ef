"""Runs benchmark modules one after another; one that fails costs only itself.

A failing module is reported with its traceback and the next one runs. The results file is
rewritten (atomically) after every module, so a crash or an interrupt late in a half-hour run
keeps what the earlier modules measured, and the file lists the modules that failed.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import subprocess
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from ._report import Machine, RunFile, save
from ._results import Result

__all__ = ["PEERS", "describe_run", "run_benchmarks"]

PROJECT = Path(__file__).resolve().parent.parent
# The libraries the rows compare with (and numpy, which ours and several peers run on).
PEERS = (
    "prometheus_client",
    "opentelemetry-sdk",
    "numpy",
    "pandas",
    "protobuf",
    "prophet",
    "dask",
    "distributed",
)

RunModule = Callable[[bool], Sequence[Result]]  # smoke -> rows


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=PROJECT, capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _machine() -> Machine:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"cpus": os.cpu_count(), "cpu_model": model, "python": platform.python_version()}


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def describe_run(command: str, *, smoke: bool) -> RunFile:
    """The run's metadata, taken before any module runs (so ``dirty`` is about the code that
    runs, not the results file the run itself rewrites); no results yet."""
    commit = _git("rev-parse", "HEAD")
    status = _git("status", "--porcelain")
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "commit": commit,
        "dirty": None if commit is None or status is None else bool(status),
        "machine": _machine(),
        "versions": {package: _version(package) for package in PEERS},
        "command": command,
        "smoke": smoke,
        "seconds": 0.0,
        "modules": {},
        "failed": [],
        "results": [],
    }


def run_benchmarks(
    benchmarks: Mapping[str, RunModule],
    run: RunFile,
    output: Path,
    *,
    say: Callable[[str], None] = print,
    saved: Callable[[RunFile], None] | None = None,
) -> RunFile:
    """Run every module in ``benchmarks`` into ``run``, saving it to ``output`` after each;
    ``saved`` is told each time (to keep RESULTS.md in step, say)."""
    started = time.perf_counter()
    for name, benchmark in benchmarks.items():
        # No live spinner: its refresh thread would compete for the GIL with what is measured.
        say(f"running {name} ...")
        began = time.perf_counter()
        try:
            rows = [result.to_json(name) for result in benchmark(run["smoke"])]
        except Exception:
            failure = traceback.format_exc()
            run["failed"].append({"module": name, "traceback": failure})
            say(f"{name} FAILED; the other modules still run:\n{failure}")
        else:
            run["results"] += rows
        took = time.perf_counter() - began
        run["modules"][name] = round(took, 1)
        run["seconds"] = round(time.perf_counter() - started, 1)
        save(run, output)
        if saved is not None:
            saved(run)
        say(f"{name}: {took:.0f} s")
    return run
