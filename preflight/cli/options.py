"""Command-line options that several commands share, declared once so their flag and help stay alike."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer

RootOption = Annotated[Path, typer.Option("--root", help="Deployment root (default: current directory).")]

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
