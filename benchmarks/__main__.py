"""``python -m benchmarks``: run every benchmark, print the table, write results.json."""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from . import (
    anomaly,
    exposition,
    forecast,
    hot_path,
    memory,
    otlp,
    scrape_load,
    stack_budget,
    tracing,
    transport,
)
from ._results import Result, render_table, to_markdown, write_json

BENCHMARKS: dict[str, Callable[[], list[Result]]] = {
    "hot_path": hot_path.run,
    "transport": transport.run,
    "exposition": exposition.run,
    "memory": memory.run,
    "tracing": tracing.run,
    "otlp": otlp.run,
    "anomaly": anomaly.run,
    "forecast": forecast.run,
    "scrape_load": scrape_load.run,
    "stack_budget": stack_budget.run,
}
RESULTS = Path(__file__).resolve().parent / "results.json"


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} CPUs, {model}, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--only", nargs="+", choices=list(BENCHMARKS), help="run these benchmarks only"
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help="results JSON file")
    parser.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    args = parser.parse_args(argv)

    # Wide enough for the table when the output goes to a file or a CI log.
    console = Console(width=None if sys.stdout.isatty() else 180)
    console.print(f"[bold]machine:[/] {machine()}")
    results: list[Result] = []
    started = time.perf_counter()
    for name in args.only or BENCHMARKS:
        began = time.perf_counter()
        # No live spinner: its refresh thread would compete for the GIL with what is measured.
        console.print(f"running {name} ...")
        results += BENCHMARKS[name]()
        console.print(f"{name}: {time.perf_counter() - began:.0f} s")
    write_json(results, args.output)
    console.print(render_table(results))
    if args.markdown:
        console.print(to_markdown(results), markup=False, highlight=False, soft_wrap=True)
    console.print(f"total {time.perf_counter() - started:.0f} s; wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
