"""agentwatch docs: regenerate the reference documents from the catalog and the rules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from agentwatch.render import write_text

from ._app import app
from ._common import ConfigOption, console, load_config


@app.command(hidden=True)
def docs(
    out: Annotated[Path, typer.Option("--out", help="docs directory")] = Path("docs"),
    config: ConfigOption = None,
) -> None:
    """Regenerate docs/metrics.md (from the catalog) and docs/runbooks.md (from the alerts)."""
    from agentwatch.generate.metrics_doc import metrics_markdown
    from agentwatch.generate.runbooks import runbooks_markdown

    spec = load_config(config)
    for name, text in (
        ("metrics.md", metrics_markdown()),
        ("runbooks.md", runbooks_markdown(spec)),
    ):
        target = out / name
        write_text(target, text)
        console.print(f"wrote {target}")
