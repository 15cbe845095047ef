"""agentwatch docs: regenerate the reference documents from the catalog."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from agentwatch.generate.metrics_doc import metrics_markdown
from agentwatch.render import write_text

from ._app import app
from ._common import console


@app.command(hidden=True)
def docs(
    out: Annotated[Path, typer.Option("--out", help="docs directory")] = Path("docs"),
) -> None:
    """Regenerate docs/metrics.md from the metric catalog."""
    target = out / "metrics.md"
    write_text(target, metrics_markdown())
    console.print(f"wrote {target}")
