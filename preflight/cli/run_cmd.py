"""CLI: ``preflight run ENTRYPOINT`` evaluates a runbook and answers GO / NO-GO (exit codes: SPEC 3)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from preflight.cli.options import MAX_TICKS, check_faults
from preflight.errors import UsageError
from preflight.results import FailOn

FORMAT_HELP = "Output format (terminal|json|junit|markdown); pairs in order with -o; repeatable."
PROBE_DEADLINE_HELP = "Overall seconds one exchange probe (key probe, clock read) may take."
SESSION_DEADLINE_HELP = "Overall seconds the paper session may take (an endless endpoint stops there)."
ARTEFACTS_HELP = (
    "Write the paper session's reports/, logs/ and var/metrics/ under DIR instead of the root "
    "(for a read-only deployment)."
)
OUTPUT_HELP = "Where the matching --format goes: a file path, or - for stdout; repeatable."


def run(
    entrypoint: str = typer.Argument(
        ..., help="The entrypoint (trading.entrypoints.<name> of runtime.yaml)."
    ),
    root: str = typer.Option(".", "--root", help="The deployment root (default: current directory)."),
    runbook: str | None = typer.Option(None, "--runbook", help="Runbook id (default: bybit_go_live)."),
    only: list[str] = typer.Option([], "--only", help="Evaluate only checks with this id, id prefix or tag."),
    skip: list[str] = typer.Option(
        [], "--skip", help="Do not evaluate checks with this id, id prefix or tag."
    ),
    formats: list[str] = typer.Option([], "--format", help=FORMAT_HELP),
    outputs: list[str] = typer.Option([], "-o", "--output", help=OUTPUT_HELP),
    waivers: Path | None = typer.Option(None, "--waivers", help="Waivers file (YAML, schema 'waivers')."),
    fail_on: str = typer.Option("fail", "--fail-on", help="Lowest status that means NO-GO: fail or warn."),
    exchange_url: str | None = typer.Option(None, "--exchange-url", help="Exchange base URL for probes."),
    offline: bool = typer.Option(False, "--offline", help="No network: exchange probes are skipped."),
    no_paper: bool = typer.Option(False, "--no-paper", help="Skip the paper session and its checks."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal and check errors."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the verdict line."),
    baseline: Path | None = typer.Option(None, "--baseline", help="A previous JSON report to compare with."),
    ticks: int | None = typer.Option(
        None, "--ticks", min=1, max=MAX_TICKS, help="Paper session length in market ticks (1 to 10000)."
    ),
    seed: int = typer.Option(7, "--seed", help="Seed of the simulated market."),
    faults: str | None = typer.Option(
        None, "--faults", callback=check_faults, help="Simulator faults, e.g. rate_limit=0.05,timeout=0.01."
    ),
    probe_deadline: float = typer.Option(
        30.0, "--probe-deadline", min=1, envvar="PREFLIGHT_PROBE_DEADLINE", help=PROBE_DEADLINE_HELP
    ),
    session_deadline: float = typer.Option(
        600.0, "--session-deadline", min=1, envvar="PREFLIGHT_SESSION_DEADLINE", help=SESSION_DEADLINE_HELP
    ),
    artefacts_dir: Path | None = typer.Option(
        None, "--artefacts-dir", envvar="PREFLIGHT_ARTEFACTS_DIR", help=ARTEFACTS_HELP
    ),
) -> None:
    """Run the runbook's checks for ENTRYPOINT and answer GO (0) or NO-GO (1)."""
    from preflight.cli.execution import RunRequest, execute
    from preflight.cli.options import check_artefacts_dir, check_exchange_url, check_root
    from preflight.cli.outputs import pair_outputs

    request = RunRequest(
        entrypoint=entrypoint,
        root=check_root(
            root
        ).resolve(),  # the report (and a sign-off --from-report) must not depend on the cwd
        runbook_id=runbook,
        only=tuple(only),
        skip=tuple(skip),
        outputs=pair_outputs(formats, outputs),
        waivers_path=waivers,
        fail_on=parse_fail_on(fail_on),
        exchange_url=check_exchange_url(exchange_url),
        offline=offline,
        no_paper=no_paper,
        debug=debug,
        quiet=quiet,
        baseline_path=baseline,
        paper_ticks=ticks,
        paper_seed=seed,
        paper_faults=faults,
        probe_deadline_s=probe_deadline,
        session_deadline_s=session_deadline,
        artefacts_dir=check_artefacts_dir(artefacts_dir),
    )
    # sys.exit, not typer.Exit: with standalone_mode=False Typer returns an Exit's code instead of raising it.
    sys.exit(execute(request))


def parse_fail_on(value: str) -> FailOn:
    """Return the FailOn for ``value``; UsageError naming the choices otherwise."""
    try:
        return FailOn(value)
    except ValueError:
        raise UsageError(f"unknown --fail-on {value!r}; choose fail or warn") from None


def register(app: typer.Typer) -> None:
    """Register ``run`` on app."""
    app.command("run")(run)
