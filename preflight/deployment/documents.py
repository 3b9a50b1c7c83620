"""Position-keeping YAML documents of a deployment root, loaded once per run."""

from __future__ import annotations

from pathlib import Path

from preflight.context import RunContext
from preflight.errors import ConfigError
from preflight.yamlio import YamlDocument, load_yaml

RUNTIME_FILE = "config/runtime.yaml"
CORE_FILE = "config/core.yaml"


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
