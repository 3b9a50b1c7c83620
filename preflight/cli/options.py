"""Command-line options that several commands share, declared once so their flag and help stay alike."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer

MAX_TICKS = 10_000  # runtime.schema.json's bound on a session's ticks

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


def check_exchange_url(value: str | None) -> str | None:
    """Return ``value`` when it is an http(s) URL with a host (and a valid port); UsageError otherwise.

    Caught here, a typo costs nothing; passed on, it costs seconds of retries and reads as an exchange
    failure (exit 1) instead of the usage error it is.
    """
    if value is None:
        return None
    from urllib.parse import urlsplit

    from preflight.errors import UsageError
    from preflight.textsafe import one_line

    shown = one_line(value)
    hint = "give a base URL such as http://127.0.0.1:8080 or https://api-testnet.bybit.com"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https"):
        raise UsageError(f"--exchange-url {shown!r} is not an http:// or https:// URL; {hint}")
    try:
        port = parts.port
    except ValueError:
        raise UsageError(f"--exchange-url {shown!r} has an invalid port; {hint}") from None
    if not parts.hostname or port == 0 or any(c.isspace() for c in value):
        raise UsageError(f"--exchange-url {shown!r} names no host; {hint}")
    return value


def check_root(value: str) -> Path:
    """Return ``value`` as a path; UsageError when it is empty (``Path('')`` would silently be the cwd)."""
    if not value:
        from preflight.errors import UsageError

        raise UsageError("--root is empty; pass the deployment folder (or . for the current directory)")
    return Path(value)


def check_artefacts_dir(value: Path | None) -> Path | None:
    """Return ``value`` resolved (created if missing); UsageError when it cannot be a writable folder."""
    if value is None:
        return None
    from preflight.errors import UsageError

    try:
        value.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"--artefacts-dir {value}: cannot create it ({error.strerror or error})") from None
    if not os.access(value, os.W_OK | os.X_OK):
        raise UsageError(f"--artefacts-dir {value} is not writable; pass a folder this user can write")
    return value.resolve()


def check_faults(value: str | None) -> str | None:
    """Parse ``--faults`` while the options are read: a bad spec is a usage error (exit 2) at once."""
    if value is not None:
        from preflight.simulator.faults import FaultSpec

        FaultSpec.parse(value)  # UsageError naming the bad part
    return value
