"""Every benchmark module by name, and the files a full run keeps: results.json and the
section of RESULTS.md rendered from it."""

from __future__ import annotations

from pathlib import Path

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
from ._report import load, render_markdown, replace_generated
from ._runner import RunModule

__all__ = ["BENCHMARKS", "RESULTS", "RESULTS_MD", "write_markdown"]

# In the order a full run takes them: the whole-stack ones last, they want an idle machine.
BENCHMARKS: dict[str, RunModule] = {
    "hot_path": hot_path.BENCHMARK,
    "transport": transport.BENCHMARK,
    "exposition": exposition.BENCHMARK,
    "memory": memory.BENCHMARK,
    "tracing": tracing.BENCHMARK,
    "otlp": otlp.BENCHMARK,
    "anomaly": anomaly.BENCHMARK,
    "forecast": forecast.BENCHMARK,
    "scrape_load": scrape_load.BENCHMARK,
    "stack_budget": stack_budget.BENCHMARK,
}
HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"
RESULTS_MD = HERE / "RESULTS.md"


def write_markdown(results: Path = RESULTS, markdown: Path = RESULTS_MD) -> None:
    """Rewrite the generated section of ``markdown`` from ``results``; the prose stays."""
    section = render_markdown(load(results), list(BENCHMARKS))
    text = replace_generated(markdown.read_text(encoding="utf-8"), section)
    markdown.write_text(text, encoding="utf-8")
