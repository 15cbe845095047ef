"""agentwatch framework scan: measure a Claude Code multi-agent framework directory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from agentwatch.exit_codes import EXIT_BAD_INPUT
from agentwatch.security import SecretsError

from ._app import app
from ._common import (
    ConfigOption,
    HomeOption,
    console,
    fail,
    load_config,
    resolve_home,
    serving_authenticator,
    stop_on_signals,
)

if TYPE_CHECKING:
    from agentwatch.framework import FrameworkScan

__all__ = ["framework_app"]

framework_app = typer.Typer(
    name="framework",
    help="Claude Code multi-agent frameworks: quality gates, agent standardization.",
    no_args_is_help=True,
)
app.add_typer(framework_app)


def _score(value: float | None) -> str:
    return "not measured" if value is None else f"{value:.1f}/100"


def _print(result: FrameworkScan) -> None:
    console.print(
        f"[bold]{escape(result.root)}[/]: framework quality score "
        f"[bold]{_score(result.quality_score)}[/]",
        highlight=False,
    )
    gates = Table(title="Quality gates")
    for column in ("gate", "score", "weight", "measured from"):
        gates.add_column(column)
    for gate in result.gates:
        gates.add_row(
            str(gate.gate),
            _score(None if gate.score is None else 100 * gate.score),
            f"{gate.effective_weight:.2f}" if gate.measured else "-",
            escape(gate.detail),
        )
    console.print(gates)
    rate = result.standardization_rate
    compliance = result.template_compliance_rate
    console.print(
        f"Agents following the unified template: [bold]{result.standardized}/"
        f"{result.agent_count}[/]" + ("" if rate is None else f" ({rate:.1%})"),
        highlight=False,
    )
    console.print(
        "Template compliance: "
        + (
            "not measured"
            if compliance is None
            else f"{compliance:.1%} ({result.template_checks_passed} of "
            f"{result.template_checks_total} checks)"
        )
        + f"; documentation consistency: {_score(result.documentation_consistency_score)}",
        highlight=False,
    )
    if result.failing_agents:
        failing = Table(title="Agents that do not follow the template")
        failing.add_column("agent file", overflow="fold")
        failing.add_column("why")
        for agent in result.failing_agents:
            reasons = "\n".join(f"{c.name}: {c.reason}" for c in agent.template_failures)
            failing.add_row(escape(agent.path), escape(reasons))
        console.print(failing)
    if result.problems:
        problems = Table(title="Files with problems (the scan went on without them)")
        problems.add_column("file", overflow="fold")
        problems.add_column("problem")
        problems.add_column("message")
        for problem in result.problems:
            where = problem.path + (f":{problem.line}" if problem.line is not None else "")
            problems.add_row(escape(where), str(problem.kind), escape(problem.message))
        console.print(problems)


@framework_app.command("scan")
def scan_command(
    path: Annotated[
        Path, typer.Argument(help="The framework's root: the directory holding .claude/agents")
    ],
    *,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the whole result as JSON.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Score a framework's quality gates and list the agents that fail the template.

    Problems with single files (malformed front matter, unreadable or binary files) are
    reported and do not change the exit code; a PATH that is no framework exits 2.
    """
    from agentwatch.framework import FrameworkError, scan

    settings = load_config(config).framework
    try:
        result = scan(path, settings)
    except FrameworkError as exc:
        fail(escape(str(exc)), EXIT_BAD_INPUT)
    if as_json:
        # Plain text: rich would wrap long lines when the output is piped.
        typer.echo(json.dumps(result.to_dict(), indent=2))
        return
    _print(result)


@framework_app.command("serve")
def serve_command(
    *,
    path: Annotated[
        Path | None,
        typer.Option(
            "--path",
            help="Framework to scan. Default: framework.path of the spec; with --example, "
            "the bundled 45-agent example.",
            show_default=False,
        ),
    ] = None,
    example: Annotated[
        bool,
        typer.Option("--example", help="Scan the bundled example when no path is given."),
    ] = False,
    config: ConfigOption = None,
    home: HomeOption = None,
) -> None:
    """Serve the framework/business exporter (ports.framework_exporter) and the OTLP/HTTP
    metrics receiver (ports.otlp_http) until Ctrl-C or SIGTERM."""
    from agentwatch.exporters import BusinessExporter, PortInUseError, home_pseudonymizer
    from agentwatch.framework import EXAMPLE_FRAMEWORK

    spec = load_config(config)
    root = path or spec.framework.path or (EXAMPLE_FRAMEWORK if example else None)
    if root is not None and not root.is_dir():
        fail(f"{escape(str(root))}: not a directory (--path or framework.path)", EXIT_BAD_INPUT)
    state = resolve_home(home)
    try:
        # The receiver hashes personal attributes with the home's pii key (docs/privacy.md).
        pseudonymizer = home_pseudonymizer(spec, state)
    except SecretsError as exc:
        fail(escape(str(exc)), EXIT_BAD_INPUT)
    exporter = BusinessExporter(
        spec,
        state,
        root,
        pseudonymizer=pseudonymizer,
        authenticator=serving_authenticator(spec, state),
    )
    try:
        endpoints = exporter.start()
    except PortInUseError as exc:
        fail(str(exc.strerror))
    stop = stop_on_signals()
    for endpoint in endpoints:
        console.print(f"{endpoint.name}: {endpoint.url}", highlight=False)
    console.print(
        f"scanning {escape(str(root))} on change"
        if root is not None
        else "no framework to scan (set framework.path): scanner metrics are absent",
        highlight=False,
    )
    try:
        stop.wait()
    finally:
        exporter.stop()
