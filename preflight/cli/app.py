"""The ``preflight`` command: one Typer app, sub-commands registered from one module each.

Only typer and the standard library are imported at start-up; every command imports what it needs
when it runs, so ``preflight --help`` stays fast.
"""

from __future__ import annotations

import os
import sys

import typer
from typer.exceptions import TyperException

from preflight.cli import (
    catalog_cmd,
    demo_cmd,
    fingerprint_cmd,
    init_cmd,
    license_cmd,
    paper_cmd,
    run_cmd,
    schema_cmd,
    secrets_cmd,
    signoff_cmd,
    simulator_cmd,
)
from preflight.errors import Interrupted, PreflightError, UsageError
from preflight.exitcodes import (
    EXIT_GO,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_NO_GO,
    EXIT_USAGE,
)

app = typer.Typer(
    name="preflight",
    help="Go-live verification for trading-bot deployments: runbook checks, a paper session, a sign-off.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    # -h as well as --help, on every command (click passes help_option_names down to sub-contexts).
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _show_version(value: bool) -> None:
    if value:
        from preflight import __version__

        sys.stdout.write(f"preflight {__version__}\n")
        raise typer.Exit(EXIT_GO)


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        "-V",
        help="Print the version and exit.",
        callback=_show_version,
        is_eager=True,
    ),
) -> None:
    """Go-live verification for trading-bot deployments: runbook checks, a paper session, a sign-off."""


# The explicit command registry: one module per command or command group.
COMMAND_MODULES = (
    demo_cmd,
    init_cmd,
    run_cmd,
    catalog_cmd,
    paper_cmd,
    signoff_cmd,
    simulator_cmd,
    license_cmd,
    fingerprint_cmd,
    secrets_cmd,
    schema_cmd,
)
for _module in COMMAND_MODULES:
    _module.register(app)


def _debug_requested(argv: list[str]) -> bool:
    return "--debug" in argv or os.environ.get("PREFLIGHT_DEBUG") == "1"


def main() -> None:
    """Run the CLI and map errors to the exit codes of SPEC.md section 3."""
    from preflight.signals import Terminated, interrupted_exit_code, sigterm_as_interrupt

    argv = sys.argv[1:]
    try:
        with sigterm_as_interrupt():
            code = app(args=argv, prog_name="preflight", standalone_mode=False)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except SystemExit:
        raise
    except Terminated:
        sys.stderr.write("preflight: terminated (SIGTERM)\n")
        sys.exit(interrupted_exit_code())
    except (KeyboardInterrupt, typer.Abort):
        code = interrupted_exit_code()
        sys.stderr.write(
            "preflight: terminated (SIGTERM)\n" if code != EXIT_INTERRUPTED else "preflight: interrupted\n"
        )
        sys.exit(code)
    except Interrupted as error:
        sys.stderr.write(f"preflight: {error}\n")
        sys.exit(interrupted_exit_code())
    except UsageError as error:
        sys.stderr.write(f"preflight: {error}\n")
        sys.exit(EXIT_USAGE)
    except PreflightError as error:
        sys.stderr.write(f"preflight: {error}\n")
        sys.exit(EXIT_NO_GO)
    except TyperException as error:  # click usage errors (bad flags, missing arguments)
        show = getattr(error, "show", None)
        if callable(show):
            show()
        else:
            sys.stderr.write(f"preflight: {error}\n")
        sys.exit(EXIT_USAGE)
    except Exception as error:  # a bug: one line unless --debug
        if _debug_requested(argv):
            raise
        sys.stderr.write(
            f"preflight: internal error: {type(error).__name__}: {error} "
            "(rerun with --debug for a traceback)\n"
        )
        sys.exit(EXIT_INTERNAL)
    # With standalone_mode=False, typer returns the code of `raise typer.Exit(code)` instead of raising.
    sys.exit(code if isinstance(code, int) else EXIT_GO)
