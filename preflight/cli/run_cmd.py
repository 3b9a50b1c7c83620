"""CLI: ``preflight run ENTRYPOINT`` evaluates a runbook and answers GO / NO-GO (exit codes: SPEC 3)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from preflight.errors import UsageError
from preflight.results import FailOn

FORMAT_HELP = "Output format (terminal|json|junit|markdown); pairs in order with -o; repeatable."
OUTPUT_HELP = "Where the matching --format goes: a file path, or - for stdout; repeatable."


def run(
    entrypoint: str = typer.Argument(
        ..., help="The entrypoint (trading.entrypoints.<name> of runtime.yaml)."
    ),
    root: Path = typer.Option(Path("."), "--root", help="The deployment root (default: current directory)."),
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
    ticks: int | None = typer.Option(None, "--ticks", min=1, help="Paper session length in market ticks."),
    seed: int = typer.Option(7, "--seed", help="Seed of the simulated market."),
    faults: str | None = typer.Option(
        None, "--faults", help="Simulator faults, e.g. rate_limit=0.05,timeout=0.01."
    ),
    evidence: Path | None = typer.Option(
        None, "--evidence", help="Judge the bot's own paper run: a run_local_bot report or its folder."
    ),
    metrics_url: str | None = typer.Option(
        None, "--metrics-url", help="The bot's Prometheus /metrics URL, scraped once (bounded timeout)."
    ),
    metrics_file: Path | None = typer.Option(
        None, "--metrics-file", help="A Prometheus text exposition (.prom) the bot wrote."
    ),
) -> None:
    """Run the runbook's checks for ENTRYPOINT and answer GO (0) or NO-GO (1)."""
    from preflight.cli.execution import RunRequest, execute
    from preflight.cli.outputs import pair_outputs

    check_evidence_flags(evidence, metrics_file, metrics_url, offline=offline)

    request = RunRequest(
        entrypoint=entrypoint,
        root=root.resolve(),  # the report (and a sign-off --from-report) must not depend on the cwd
        runbook_id=runbook,
        only=tuple(only),
        skip=tuple(skip),
        outputs=pair_outputs(formats, outputs),
        waivers_path=waivers,
        fail_on=parse_fail_on(fail_on),
        exchange_url=exchange_url,
        offline=offline,
        no_paper=no_paper,
        debug=debug,
        quiet=quiet,
        baseline_path=baseline,
        paper_ticks=ticks,
        paper_seed=seed,
        paper_faults=faults,
        evidence=evidence.resolve() if evidence is not None else None,
        metrics_url=metrics_url,
        metrics_file=metrics_file.resolve() if metrics_file is not None else None,
    )
    # sys.exit, not typer.Exit: with standalone_mode=False Typer returns an Exit's code instead of raising it.
    sys.exit(execute(request))


def check_evidence_flags(
    evidence: Path | None, metrics_file: Path | None, metrics_url: str | None, *, offline: bool = False
) -> None:
    """Refuse evidence flags that cannot work (exit 2) before any check runs."""
    if offline and metrics_url is not None:
        raise UsageError("--offline means no network: save the bot's /metrics, pass --metrics-file instead")
    if metrics_file is not None and metrics_url is not None:
        raise UsageError("give one of --metrics-file and --metrics-url, not both")
    if evidence is not None and not evidence.exists():
        raise UsageError(
            f"--evidence {evidence}: no such file or folder; pass a run_local_bot report or its folder"
        )
    if metrics_file is not None and not metrics_file.is_file():
        raise UsageError(f"--metrics-file {metrics_file}: no such file; pass a .prom file the bot wrote")
    if metrics_url is not None and not metrics_url.startswith(("http://", "https://")):
        raise UsageError("--metrics-url: give an http:// or https:// URL of the bot's /metrics")


def parse_fail_on(value: str) -> FailOn:
    """Return the FailOn for ``value``; UsageError naming the choices otherwise."""
    try:
        return FailOn(value)
    except ValueError:
        raise UsageError(f"unknown --fail-on {value!r}; choose fail or warn") from None


def register(app: typer.Typer) -> None:
    """Register ``run`` on app."""
    app.command("run")(run)
