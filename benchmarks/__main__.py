"""``python -m benchmarks``: run the benchmarks, print the table, write results.json.

``--smoke`` runs every module at a tiny size through the same code and correctness checks as
the full run, to a temporary file (never benchmarks/results.json: its figures mean nothing).
A module that fails is reported and the others still run; the exit status is then 1.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
from pathlib import Path

from rich.console import Console

from ._registry import BENCHMARKS, RESULTS, write_markdown
from ._report import RunFile, render_markdown, render_table
from ._runner import describe_run, run_benchmarks

SMOKE_OUTPUT = Path(tempfile.gettempdir()) / "agentwatch-benchmarks-smoke.json"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--only", nargs="+", choices=list(BENCHMARKS), help="run these benchmarks only"
    )
    parser.add_argument(
        "--smoke", action="store_true", help="every module at a tiny size: does it still run?"
    )
    parser.add_argument(
        "--output",
        type=Path,
        help=f"results JSON file (default: {RESULTS}; with --smoke, {SMOKE_OUTPUT})",
    )
    parser.add_argument(
        "--markdown", action="store_true", help="also print this run's Markdown section"
    )
    parser.add_argument(
        "--write-markdown",
        action="store_true",
        help="run nothing: rewrite RESULTS.md's generated section from results.json",
    )
    return parser


def _output(parser: argparse.ArgumentParser, args: argparse.Namespace) -> Path:
    if not args.smoke:
        return args.output or RESULTS
    output: Path = args.output or SMOKE_OUTPUT
    if output.resolve() == RESULTS:
        parser.error(f"--smoke does not write {RESULTS}: its figures are not measurements")
    return output


def _report(console: Console, run: RunFile, output: Path, markdown: bool) -> None:
    console.print(render_table(run["results"]))
    if markdown:
        section = render_markdown(run, list(BENCHMARKS))
        console.print(section, markup=False, highlight=False, soft_wrap=True)
    for failure in run["failed"]:
        console.print(f"[red]FAILED[/] {failure['module']} (traceback above and in {output})")
    console.print(f"total {run['seconds']:.0f} s; wrote {output}")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    arguments = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(arguments)
    if args.write_markdown:
        write_markdown()
        return 0
    output = _output(parser, args)
    # Wide enough for the table when the output goes to a file or a CI log.
    console = Console(width=None if sys.stdout.isatty() else 180)
    run = describe_run(shlex.join(["python", "-m", "benchmarks", *arguments]), smoke=args.smoke)
    machine = run["machine"]
    console.print(
        f"[bold]machine:[/] {machine['cpus']} CPUs, {machine['cpu_model']}, "
        f"Python {machine['python']}" + (" [bold]smoke run[/]" if args.smoke else "")
    )
    selected = {name: BENCHMARKS[name] for name in args.only or BENCHMARKS}
    run = run_benchmarks(
        selected,
        run,
        output,
        say=lambda line: console.print(line, markup=False, highlight=False),
        # RESULTS.md's figures are rendered from results.json: keep the two in step.
        saved=(lambda _: write_markdown()) if output.resolve() == RESULTS else None,
    )
    _report(console, run, output, args.markdown)
    return 1 if run["failed"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
