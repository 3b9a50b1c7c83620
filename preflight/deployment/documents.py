"""Position-keeping YAML documents of a deployment root, loaded once per run."""

from __future__ import annotations

from pathlib import Path

from preflight.context import RunContext
from preflight.errors import ConfigError, PreflightError
from preflight.results import Evidence, Outcome, Status
from preflight.yamlio import YamlDocument, load_yaml

RUNTIME_FILE = "config/runtime.yaml"
CORE_FILE = "config/core.yaml"
# The check that reports each config file's own error in full; dependent checks only point at it.
SCHEMA_CHECKS = {RUNTIME_FILE: "runtime.schema", CORE_FILE: "core.schema"}


def blocked_by(error: PreflightError) -> Outcome | None:
    """Return the failure of a check blocked by a config file's own error, which its schema check reports.

    Every check reading a broken config/runtime.yaml or config/core.yaml fails with it: stated once, at its
    file:line, naming the schema check that carries the fix (the check's own remediation does not apply).
    """
    if not isinstance(error, ConfigError) or error.location is None or error.location.line is None:
        return None  # not a located error inside the file (e.g. file missing): the message is short anyway
    location = error.location
    check = SCHEMA_CHECKS.get(location.file)
    if check is None:
        return None
    message = f"blocked by {location}: {error.message}; see {check} for the fix"
    return Outcome(Status.FAIL, message, (Evidence("blocked by", check, location),), blocked_by=check)


def resolve_under(root: Path, relpath: str) -> Path:
    """Return ``relpath`` under ``root``; ConfigError when it is absolute or escapes the root."""
    candidate = Path(relpath)
    if candidate.is_absolute() or ".." in candidate.parts:
        raise ConfigError(f"path {relpath!r} must be relative to the deployment root and stay inside it")
    return root / candidate


def load_document(root: Path, relpath: str) -> YamlDocument:
    """Load ``relpath`` under ``root``; locations name the file by ``relpath``."""
    return load_yaml(resolve_under(root, relpath), display=relpath)


def document_for(ctx: RunContext, relpath: str) -> YamlDocument:
    """Return the YAML document ``relpath`` of the run's root, loaded once and recorded as an input."""
    path = resolve_under(ctx.root, relpath)
    if path.is_file():
        ctx.record_input(path)
    return ctx.memo(f"yaml:{relpath}", lambda: load_document(ctx.root, relpath))
