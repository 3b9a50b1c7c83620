"""CLI: ``preflight run ENTRYPOINT`` evaluates a runbook and answers GO / NO-GO (exit codes: SPEC 3)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from preflight.cli.options import (
    REQUIRE_REAL_HELP,
    SHOW_HELP,
    VERBOSE_HELP,
    DeploymentFormatOption,
    VarOption,
    VarsFileOption,
    check_faults,
)
from preflight.cli.options import require_real as require_real_policy
from preflight.cli.options import verbose as verbose_policy
from preflight.errors import UsageError

if TYPE_CHECKING:  # imported where parsed: the results model is not needed for `preflight --help`
    from preflight.results import FailOn

FORMAT_HELP = (
    "Output format (terminal|json|junit|junit-xunit1|markdown|sarif|github); pairs in order with -o; "
    "repeatable."
)
REPO_ROOT_HELP = (
    "SARIF/GitHub/JUnit paths relative to this folder (default: GITHUB_WORKSPACE, else the current folder)."
)
PATH_PREFIX_HELP = "SARIF/GitHub/JUnit paths as PREFIX/<path in the deployment> instead of --repo-root."
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
    only: list[str] = typer.Option(
        [], "--only", metavar="SEL", help="Evaluate only checks with this id, id prefix or tag."
    ),
    skip: list[str] = typer.Option(
        [], "--skip", metavar="SEL", help="Do not evaluate checks with this id, id prefix or tag."
    ),
    formats: list[str] = typer.Option([], "--format", metavar="FORMAT", help=FORMAT_HELP),
    outputs: list[str] = typer.Option([], "-o", "--output", metavar="PATH", help=OUTPUT_HELP),
    waivers: Path | None = typer.Option(None, "--waivers", help="Waivers file (YAML, schema 'waivers')."),
    fail_on: str = typer.Option(
        "fail",
        "--fail-on",
        help="Gate policy: fail, warn (warnings are NO-GO too) or exceptions (warn, and exit 4 on "
        "GO WITH EXCEPTIONS).",
    ),
    require_real: bool = typer.Option(False, "--require-real", help=REQUIRE_REAL_HELP),
    exchange_url: str | None = typer.Option(None, "--exchange-url", help="Exchange base URL for probes."),
    offline: bool = typer.Option(False, "--offline", help="No network: exchange probes are skipped."),
    no_paper: bool = typer.Option(False, "--no-paper", help="Skip the paper session and its checks."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal and check errors."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the verdict line."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help=VERBOSE_HELP),
    show: str | None = typer.Option(None, "--show", metavar="WHAT", help=SHOW_HELP),
    baseline: Path | None = typer.Option(None, "--baseline", help="A previous JSON report to compare with."),
    ticks: int | None = typer.Option(
        None, "--ticks", help="Paper session length in market ticks (1 to 10000)."
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
    deployment_format: DeploymentFormatOption = None,
    var: VarOption = None,
    vars_file: VarsFileOption = None,
    repo_root: Path | None = typer.Option(None, "--repo-root", help=REPO_ROOT_HELP),
    path_prefix: str | None = typer.Option(None, "--path-prefix", help=PATH_PREFIX_HELP),
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
    """Run the runbook's checks for ENTRYPOINT: GO / GO WITH EXCEPTIONS (0, or 4) or NO-GO (1)."""
    from preflight.cli.execution import RunRequest, execute
    from preflight.cli.options import check_artefacts_dir, check_exchange_url, check_root, deployment_inputs
    from preflight.cli.outputs import pair_outputs

    forced_format, variables = deployment_inputs(deployment_format, var, vars_file)
    check_evidence_flags(evidence, metrics_file, metrics_url, offline=offline)

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
        require_real=require_real_policy(require_real, os.environ),
        exchange_url=check_exchange_url(exchange_url),
        offline=offline,
        no_paper=no_paper,
        debug=debug,
        quiet=quiet,
        verbose=verbose_policy(verbose, show),
        baseline_path=baseline,
        paper_ticks=check_ticks(ticks),
        paper_seed=seed,
        paper_faults=faults,  # parsed by the option callback (check_faults)
        deployment_format=forced_format,
        variables=variables,
        repo_root=check_repo_paths(repo_root, path_prefix),
        path_prefix=path_prefix,
        evidence=evidence.resolve() if evidence is not None else None,
        metrics_url=metrics_url,
        metrics_file=metrics_file.resolve() if metrics_file is not None else None,
        probe_deadline_s=probe_deadline,
        session_deadline_s=session_deadline,
        artefacts_dir=check_artefacts_dir(artefacts_dir),
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
    from preflight.results import FailOn

    try:
        return FailOn(value)
    except ValueError:
        choices = ", ".join(policy.value for policy in FailOn)
        raise UsageError(f"unknown --fail-on {value!r}; choose one of: {choices}") from None


def check_ticks(ticks: int | None) -> int | None:
    """Return ``ticks`` when the paper session accepts it; UsageError (exit 2) otherwise."""
    from preflight.papertrade.plan import MAX_TICKS  # not at import time: --help stays fast

    if ticks is not None and not 1 <= ticks <= MAX_TICKS:
        raise UsageError(f"--ticks must be between 1 and {MAX_TICKS}, got {ticks}")
    return ticks


def check_repo_paths(repo_root: Path | None, path_prefix: str | None) -> Path | None:
    """Return ``repo_root`` resolved; UsageError when both flags are given or the folder is missing."""
    if repo_root is not None and path_prefix is not None:
        raise UsageError("--repo-root and --path-prefix both say where paths start; give one of them")
    if repo_root is None:
        return None
    if not repo_root.is_dir():
        raise UsageError(f"--repo-root {repo_root} is not a directory; pass the repository checkout")
    return repo_root.resolve()


def register(app: typer.Typer) -> None:
    """Register ``run`` on app."""
    app.command("run")(run)
