"""The typer application every command module registers on."""

from typing import Annotated

import typer

from agentwatch import __version__

app = typer.Typer(
    name="agentwatch",
    help="Monitoring and observability for multi-agent systems.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"agentwatch {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Monitoring and observability for multi-agent systems."""
