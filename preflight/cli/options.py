"""Command-line options that several commands share, declared once so their flag and help stay alike."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer

RootOption = Annotated[Path, typer.Option("--root", help="Deployment root (default: current directory).")]
DeploymentFormatOption = Annotated[
    str | None,
    typer.Option(
        "--deployment-format",
        help="Read the root as this deployment format (preflight|bot_core); default: detected.",
    ),
]
VarOption = Annotated[
    list[str] | None,
    typer.Option(
        "--var",
        metavar="NAME=VALUE",
        help="Set a runbook variable NAME=VALUE (environment=desk_a_paper); repeatable.",
    ),
]
VarsFileOption = Annotated[
    Path | None,
    typer.Option("--vars", help="A YAML file of runbook variables (a flat mapping NAME: VALUE); --var wins."),
]


def deployment_inputs(
    deployment_format: str | None, var: list[str] | None, vars_file: Path | None
) -> tuple[str | None, dict[str, str]]:
    """Validate ``--deployment-format`` and gather ``--vars``/``--var``; UsageError (exit 2) when bad."""
    from preflight.deployment.formats import parse_format_name
    from preflight.deployment.variables import collect

    return parse_format_name(deployment_format), collect(list(var or ()), vars_file)


REQUIRE_REAL_ENV = "PREFLIGHT_REQUIRE_REAL"
REQUIRE_REAL_HELP = (
    "Make every exception (simulated, skipped, offline, waived, warned, not selected) NO-GO; "
    f"default from {REQUIRE_REAL_ENV}=1."
)
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"", "0", "false", "no", "off"})


def require_real(flag: bool, env: Mapping[str, str]) -> bool:
    """Return whether every exception is NO-GO: the flag, or PREFLIGHT_REQUIRE_REAL set to a true word."""
    from preflight.errors import UsageError

    value = env.get(REQUIRE_REAL_ENV, "").strip().lower()
    if value not in TRUE_WORDS | FALSE_WORDS:
        raise UsageError(f"{REQUIRE_REAL_ENV}={value!r} is not a yes/no value; set it to 1 or 0")
    return flag or value in TRUE_WORDS


VERBOSE_HELP = "List every passing check (default: one line per runbook item whose checks all passed)."
SHOW_HELP = "What the terminal report lists in full: problems (default) or passing (as --verbose)."
SHOW_CHOICES = ("problems", "passing")


def verbose(flag: bool, show: str | None) -> bool:
    """Return whether the terminal report lists passing checks: ``--verbose`` or ``--show passing``."""
    from preflight.errors import UsageError

    if show is not None and show not in SHOW_CHOICES:
        raise UsageError(f"unknown --show {show!r}; choose one of: {', '.join(SHOW_CHOICES)}")
    return flag or show == "passing"
