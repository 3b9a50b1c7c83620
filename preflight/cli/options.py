"""Command-line options that several commands share, declared once so their flag and help stay alike."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

MAX_TICKS = 10_000  # runtime.schema.json's bound on a session's ticks

RootOption = Annotated[Path, typer.Option("--root", help="Deployment root (default: current directory).")]


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
