"""Deployment formats: which dialect a root's files are written in, detected from the files.

A format turns a root's files into the typed deployment model. This module is the seam: it names the
formats, detects which one a root holds (and says why, for the report header) and honours a forced
choice (``RunOptions.deployment_format``). Each format lives in a module of its own beside this one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from preflight.context import RunContext


class FormatName(StrEnum):
    """The deployment dialects preflight reads."""

    PREFLIGHT = "preflight"
    BOT_CORE = "bot_core"


@dataclass(frozen=True)
class DetectedFormat:
    """The format of a root and why it was chosen (shown in the report header)."""

    name: FormatName
    reason: str


def _has_core_path(runtime: Path) -> bool:
    """Say whether runtime.yaml has bot_core's top-level ``core:`` mapping with a ``path`` key."""
    if not runtime.is_file():  # a FIFO would block detection forever; the schema check reports it
        return False
    try:
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


def detect_format(root: Path) -> DetectedFormat:
    """Detect the format of ``root`` from its files, without loading them."""
    runtime = root / "config" / "runtime.yaml"
    if _has_core_path(runtime):
        return DetectedFormat(FormatName.BOT_CORE, "format bot_core (core.path in config/runtime.yaml)")
    return DetectedFormat(FormatName.PREFLIGHT, "format preflight (no core.path in config/runtime.yaml)")


def format_for(ctx: RunContext) -> DetectedFormat:
    """Return the format of the run's root: forced by ``--deployment-format`` or detected; memoised."""

    def pick() -> DetectedFormat:
        forced = ctx.options.deployment_format
        if forced is not None:
            name = FormatName(forced)
            return DetectedFormat(name, f"format {name.value} (forced by --deployment-format)")
        return detect_format(ctx.root)

    return ctx.memo("deployment.format", pick)
