"""CLI: ``preflight signoff ENTRYPOINT`` writes a signed sign-off; ``signoff verify FILE`` checks one.

Both documented forms share the name ``signoff``: the group below sends any first argument that is not
one of its sub-commands to ``create``, so ``preflight signoff bybit_desktop_paper --operator ...`` and
``preflight signoff create bybit_desktop_paper --operator ...`` are the same command.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup

from preflight.cli.options import REQUIRE_REAL_HELP, DeploymentFormatOption, VarOption, VarsFileOption
from preflight.cli.options import require_real as require_real_policy

if TYPE_CHECKING:
    from preflight.context import RunOptions
    from preflight.results import RunReport
    from preflight.signoff.service import SignoffRequest

_HELP = """Write a signed Markdown sign-off of a run, or verify one.

\b
  preflight signoff ENTRYPOINT --operator NAME [--root DIR] [-o FILE] [--signing-key FILE]
                    [--from-report report.json] [--waivers FILE] [--offline] [--no-paper]
                    [--exchange-url URL] [--require-real]
  preflight signoff verify FILE [--root DIR | --public-key FILE | --trust-list FILE]

\b
The verdict is the run's: GO only when every required check passed against the real thing;
GO WITH EXCEPTIONS when nothing failed but checks were simulated, skipped, offline, waived, only
warned or not run (listed); NO-GO when a check failed or errored, the run was interrupted, or
--require-real met an exception. Exit code: 0 unless NO-GO (1).
"""


class _SignoffGroup(TyperGroup):
    """A group whose default sub-command is ``create``: ``signoff X`` means ``signoff create X``."""

    # ``ctx`` is typer's vendored click Context, which typer does not export under a public name.
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Insert ``create`` unless the first argument names a sub-command or asks for help."""
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["create", *args]
        return super().parse_args(ctx, args)


signoff_app = typer.Typer(
    cls=_SignoffGroup,
    help=_HELP,
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


def _say(text: str, *, to_stderr: bool) -> None:
    (sys.stderr if to_stderr else sys.stdout).write(text + "\n")


def _load_report(path: Path, entrypoint: str) -> RunReport:
    from preflight.errors import ConfigError, UsageError
    from preflight.reporters.json_report import parse_report

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"--from-report {path}: cannot read ({error.strerror})") from None
    try:
        report = parse_report(text, source=str(path))
    except ConfigError as error:
        raise UsageError(str(error)) from None
    if report.entrypoint != entrypoint:
        raise UsageError(
            f"--from-report {path} is a run of entrypoint {report.entrypoint!r}, not {entrypoint!r}"
        )
    return report


def _runbook_maps(
    runbook_id: str,
) -> tuple[dict[str, str], dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Return the runbook's variables, ``see:`` selectors and declared checks ({} when it is unknown)."""
    from preflight import catalog
    from preflight.errors import PreflightError
    from preflight.signoff.selectors import declared_checks, see_selectors

    try:
        runbook = catalog.load_runbook(runbook_id)
    except PreflightError:
        return {}, {}, {}
    return dict(runbook.variables), see_selectors(runbook), declared_checks(runbook)


def _run(options: RunOptions, runbook_id: str | None, waivers: Path | None, strict: bool) -> RunReport:
    from preflight import catalog, engine
    from preflight.waivers import load_waivers

    runbook = catalog.load_runbook(runbook_id)
    waived = load_waivers(waivers) if waivers else None
    return engine.run_checks(runbook, options, waivers=waived, require_real=strict)


def _strict(report: RunReport, strict: bool) -> RunReport:
    """Return ``report`` judged under --require-real when asked (a report read back keeps its results)."""
    if not strict or report.require_real:
        return report
    from dataclasses import replace

    from preflight.results import verdict_for

    verdict = verdict_for(
        report.results,
        report.fail_on,
        require_real=True,
        incomplete=report.incomplete,
        not_selected=report.not_selected,
    )
    return replace(report, require_real=True, verdict=verdict)


def _request(
    report: RunReport,
    root: Path,
    operator: str,
    output: Path | None,
    signing_key: Path | None,
    from_report: Path | None,
) -> SignoffRequest:
    from preflight.signoff.service import SignoffRequest

    variables, see, declared = _runbook_maps(report.runbook_id)
    variables = {**variables, **report.variables}  # the names the run used (--var), not only the seed's
    return SignoffRequest(
        root=root,
        operator=operator,
        output=output,
        signing_key=signing_key,
        source=f"report {from_report}" if from_report else "a fresh run of the runbook",
        variables=variables,
        see=see,
        declared=declared,
        extra_inputs=(from_report,) if from_report else (),
    )


@signoff_app.command("create", short_help="Write a signed sign-off (the default: signoff ENTRYPOINT ...).")
def create_command(
    entrypoint: str = typer.Argument(..., help="The entrypoint to sign off (e.g. bybit_desktop_paper)."),
    operator: str = typer.Option(..., "--operator", help="Who signs off (recorded in the sign-off)."),
    root: Path | None = typer.Option(
        None, "--root", help="Deployment root (default: the current directory, or the report's root)."
    ),
    output: Path | None = typer.Option(
        None,
        "-o",
        "--output",
        help="Output file (default: reports/signoff/<entrypoint>-<UTC>.md; - = stdout).",
    ),
    signing_key: Path | None = typer.Option(
        None,
        "--signing-key",
        help="PEM Ed25519 private key (default: <root>/var/signoff/signing_key.pem, created on first use).",
    ),
    from_report: Path | None = typer.Option(
        None, "--from-report", help="Sign off an existing JSON report (--format json) instead of running."
    ),
    waivers: Path | None = typer.Option(None, "--waivers", help="Waivers file applied to the run."),
    runbook: str | None = typer.Option(None, "--runbook", help="Runbook id (default: bybit_go_live)."),
    offline: bool = typer.Option(False, "--offline", help="No network requests (live probes skip)."),
    no_paper: bool = typer.Option(False, "--no-paper", help="Skip the paper session (its items skip)."),
    exchange_url: str | None = typer.Option(None, "--exchange-url", help="Exchange base URL (live probes)."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
    deployment_format: DeploymentFormatOption = None,
    var: VarOption = None,
    vars_file: VarsFileOption = None,
    require_real: bool = typer.Option(False, "--require-real", help=REQUIRE_REAL_HELP),
    artefacts_dir: Path | None = typer.Option(
        None, "--artefacts-dir", envvar="PREFLIGHT_ARTEFACTS_DIR", help="Where the run writes its artefacts."
    ),
) -> None:
    """Run the runbook (or read --from-report) and write a signed Markdown sign-off."""
    from preflight.cli.options import check_artefacts_dir, check_exchange_url, deployment_inputs
    from preflight.context import RunOptions
    from preflight.errors import UsageError
    from preflight.signoff.assess import SignoffVerdict
    from preflight.signoff.service import STDOUT, check_operator, create_signoff

    check_operator(operator)
    forced_format, variables = deployment_inputs(deployment_format, var, vars_file)
    strict = require_real_policy(require_real, os.environ)
    if from_report is not None:
        report = _strict(_load_report(from_report, entrypoint), strict)
        root = (root or Path(report.root)).resolve()
    else:
        root = (root or Path.cwd()).resolve()
    if not root.is_dir():
        raise UsageError(f"deployment root {root} does not exist or is not a directory; pass --root")
    if from_report is None:
        options = RunOptions(
            root=root,
            entrypoint=entrypoint,
            offline=offline,
            no_paper=no_paper,
            exchange_url=check_exchange_url(exchange_url),
            artefacts_dir=check_artefacts_dir(artefacts_dir),
            debug=debug,
            progress=sys.stderr.isatty(),
            deployment_format=forced_format,
            variables=variables,
            env=dict(os.environ),
        )
        report = _run(options, runbook, waivers, strict)
    if output is not None and output != STDOUT:
        from preflight.cli.outputs import refuse_input_targets

        given = [p for p in (from_report, signing_key, waivers) if p is not None]
        refuse_input_targets([output], root, [*given, *(Path(i.path) for i in report.inputs)])
    request = _request(report, root, operator, output, signing_key, from_report)
    result = create_signoff(report, request)
    to_stdout = output == STDOUT
    if to_stdout:
        sys.stdout.write(result.text)
    key = result.key
    if key.created:
        _say(
            f"created signing key {key.path} (mode 0600, key id {key.key_id}); keep it private. "
            f"Public key: {key.public_path}",
            to_stderr=to_stdout,
        )
    if key.warning:
        _say(f"warning: {key.warning}", to_stderr=True)
    if result.path is not None:
        _say(f"sign-off written: {result.path}", to_stderr=False)
    _say(f"verdict: {result.verdict}", to_stderr=to_stdout)
    _say(f"signed with Ed25519 key id {key.key_id} ({key.path})", to_stderr=to_stdout)
    if result.verdict.verdict is SignoffVerdict.NO_GO:
        # SystemExit, not typer.Exit: click returns (not raises) Exit codes when not in standalone mode.
        raise SystemExit(1)


@signoff_app.command(
    "verify", short_help="Verify a sign-off against a trusted key; exit 1 naming the problem."
)
def verify_command(
    file: Path = typer.Argument(..., help="The signed sign-off (Markdown with a trailing signature block)."),
    public_key: Path | None = typer.Option(
        None, "--public-key", help="PEM Ed25519 public key the sign-off must be signed with."
    ),
    trust_list: Path | None = typer.Option(
        None,
        "--trust-list",
        help="File of trusted PEM public keys (default: $PREFLIGHT_SIGNOFF_TRUST_LIST).",
    ),
    root: Path | None = typer.Option(
        None,
        "--root",
        help="Deployment whose var/signoff/signing_key.pub.pem is trusted (default: current directory).",
    ),
) -> None:
    """Check a sign-off against a trusted key: exit 0 when valid, 1 naming the problem otherwise."""
    from preflight.errors import UsageError
    from preflight.signoff.verify import resolve_trust, verify_file

    if not file.is_file():
        raise UsageError(f"{file}: no such file; pass the signed sign-off to verify")
    if root is not None and not root.is_dir():
        raise UsageError(f"--root {root} does not exist or is not a directory")
    trusted = resolve_trust(public_key, trust_list, (root or Path.cwd()).resolve(), os.environ)
    verification = verify_file(file, trusted)
    _say(verification.summary(), to_stderr=False)


def register(app: typer.Typer) -> None:
    """Register ``signoff`` (create by default, and ``verify``) on the app."""
    app.add_typer(signoff_app, name="signoff")
