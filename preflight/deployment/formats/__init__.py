"""Deployment formats: which dialect a root's files are written in, detected from the files.

A format is one module beside this one, behind :class:`DeploymentFormat`: it says whether a root is
written in it (and why, for the report header), reads its YAML the way its bot does, builds the typed
deployment model, and resolves the runbook's facts (:mod:`preflight.deployment.facts`) to its own keys
and file:line:col. Kinds and runbooks only ever talk to this interface, so a third format is one new
module, one :class:`FormatName` and one line in :func:`formats` - plus its fixtures and schemas.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from preflight.context import RunContext
    from preflight.deployment.facts import Address, Resolution
    from preflight.deployment.model import Deployment
    from preflight.errors import Location
    from preflight.results import Outcome


class FormatName(StrEnum):
    """The deployment dialects preflight reads."""

    PREFLIGHT = "preflight"
    BOT_CORE = "bot_core"


@dataclass(frozen=True)
class DetectedFormat:
    """The format of a root and why it was chosen (shown in the report header)."""

    name: FormatName
    reason: str


class DeploymentFormat(Protocol):
    """One deployment dialect: detection, reading, the typed model and the runbook's facts."""

    name: FormatName
    last_duplicate_wins: bool  # read YAML as its bot does: PyYAML keeps the last copy of a key

    def claims(self, root: Path) -> str | None:
        """Return why ``root`` is written in this format ("format x (...)"), or None."""

    def schema_for(self, relpath: str, default: str) -> str:
        """Return the packaged schema that ``relpath`` of this format is validated against."""

    def load(self, ctx: RunContext) -> Deployment:
        """Build the typed deployment of the run's root (InputError when it cannot be)."""

    def resolve(self, ctx: RunContext, address: Address) -> Resolution:
        """Resolve one fact to a key of its files, a derived value, or a gap saying why there is none."""

    def where(self, ctx: RunContext, address: Address) -> Location:
        """Return where ``address`` (or its deepest existing parent) is written."""

    def path_of(self, ctx: RunContext, address: Address) -> str:
        """Return the key path ``address`` has in its file, as the operator writes it."""

    def review(self, ctx: RunContext, relpath: str, schema: str) -> Outcome | None:
        """Judge ``relpath`` as a whole (duplicates, broken parts) for its schema check; None: as usual."""


@cache
def formats() -> Mapping[FormatName, DeploymentFormat]:
    """Return the registry of formats, in detection order (the last one claims every root)."""
    from preflight.deployment.formats import bot_core, preflight

    return {FormatName.BOT_CORE: bot_core.FORMAT, FormatName.PREFLIGHT: preflight.FORMAT}


def detect_format(root: Path) -> DetectedFormat:
    """Detect the format of ``root`` from its files, without loading them."""
    for name, candidate in formats().items():
        reason = candidate.claims(root)
        if reason is not None:
            return DetectedFormat(name, reason)
    raise AssertionError("the last format claims every root")  # pragma: no cover - registry invariant


def format_for(ctx: RunContext) -> DetectedFormat:
    """Return the format of the run's root: forced by ``--deployment-format`` or detected; memoised."""

    def pick() -> DetectedFormat:
        forced = ctx.options.deployment_format
        if forced is not None:
            name = FormatName(forced)
            return DetectedFormat(name, f"format {name.value} (forced by --deployment-format)")
        return detect_format(ctx.root)

    return ctx.memo("deployment.format", pick)


def format_of(ctx: RunContext) -> DeploymentFormat:
    """Return the format module of the run's root."""
    return formats()[format_for(ctx).name]


def parse_format_name(value: str | None) -> str | None:
    """Validate a ``--deployment-format`` value; UsageError naming the formats otherwise."""
    from preflight.errors import UsageError

    if value is None:
        return None
    try:
        return FormatName(value).value
    except ValueError:
        known = ", ".join(name.value for name in FormatName)
        raise UsageError(f"unknown --deployment-format {value!r}; choose one of {known}") from None


def runtime_names_core(runtime: Path) -> bool:
    """Say whether runtime.yaml has bot_core's top-level ``core:`` mapping with a ``path`` key.

    Only a regular file is opened (a FIFO would block the run before any check could say so).
    """
    import stat

    try:
        if not stat.S_ISREG(runtime.stat().st_mode):
            return False
        with runtime.open("r", encoding="utf-8", errors="replace") as handle:
            in_core = False
            for line in handle:
                if line.startswith("core:"):
                    in_core = True
                    continue
                if in_core:
                    if line.strip() == "" or line.lstrip().startswith("#"):
                        continue
                    if not line[0].isspace():
                        in_core = False
                        continue
                    if line.strip().startswith("path:"):
                        return True
    except OSError:
        return False
    return False
