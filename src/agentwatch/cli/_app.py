"""The typer application every command module registers on."""

import typer

app = typer.Typer(
    name="agentwatch",
    help="Monitoring and observability for multi-agent systems.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Monitoring and observability for multi-agent systems."""
