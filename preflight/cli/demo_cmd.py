"""CLI: ``preflight demo`` provisions a demo deployment and runs the whole Bybit runbook on it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from preflight.cli.options import REQUIRE_REAL_HELP, SHOW_HELP, VERBOSE_HELP
from preflight.cli.options import require_real as require_real_policy
from preflight.cli.options import verbose as verbose_policy
from preflight.cli.run_cmd import FORMAT_HELP, OUTPUT_HELP


def demo(
    directory: Path | None = typer.Option(
        None, "--dir", help="Where to create the demo deployment (empty, new, or an earlier demo)."
    ),
    formats: list[str] = typer.Option([], "--format", metavar="FORMAT", help=FORMAT_HELP),
    outputs: list[str] = typer.Option([], "-o", "--output", metavar="PATH", help=OUTPUT_HELP),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the verdict line."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help=VERBOSE_HELP),
    show: str | None = typer.Option(None, "--show", metavar="WHAT", help=SHOW_HELP),
    offline: bool = typer.Option(False, "--offline", help="No network: exchange probes are skipped."),
    require_real: bool = typer.Option(False, "--require-real", help=REQUIRE_REAL_HELP),
) -> None:
    """Provision a demo deployment and run the full Bybit runbook for bybit_desktop_paper there."""
    from preflight.cli.execution import RunRequest, execute
    from preflight.cli.outputs import pair_outputs
    from preflight.demo import DEMO_ENTRYPOINT, DEMO_RUNBOOK, prepare_demo

    paired = pair_outputs(formats, outputs)  # a bad pairing fails before anything is created
    root = prepare_demo(directory)
    request = RunRequest(
        entrypoint=DEMO_ENTRYPOINT,
        root=root,
        runbook_id=DEMO_RUNBOOK,
        outputs=paired,
        offline=offline,
        quiet=quiet,
        verbose=verbose_policy(verbose, show),
        require_real=require_real_policy(require_real, os.environ),
    )
    sys.stderr.write(f"demo deployment: {root}\n")
    code = execute(request)
    if not quiet:
        sys.stderr.write(f"demo deployment: {root} (rerun: preflight run {DEMO_ENTRYPOINT} --root {root})\n")
    sys.exit(code)  # not typer.Exit: see run_cmd


def register(app: typer.Typer) -> None:
    """Register ``demo`` on app."""
    app.command("demo")(demo)
