"""Kind ``document_present``: a document under the root exists, is not empty and mentions what it must.

The path is given directly (templated) or read from a YAML file of the deployment (``path_from``), e.g.
the offline access document named by ``licensing.offline_access_doc`` in runtime.yaml.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from preflight.context import RunContext
from preflight.deployment.facts import Fact, Target, fact_names
from preflight.errors import InputError, Location
from preflight.kinds.base import CheckKind
from preflight.results import Evidence, Outcome, Status

MAX_READ = 1024 * 1024  # enough to search a document; a bigger one is read only this far

PARAMS_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "oneOf": [{"required": ["path"]}, {"required": ["path_from"]}],
    "properties": {
        "path": {
            "type": "string",
            "minLength": 1,
            "description": "Document path relative to the root (templated).",
        },
        "path_from": {
            "type": "object",
            "additionalProperties": False,
            "oneOf": [{"required": ["file", "key"]}, {"required": ["fact"], "not": {"required": ["file"]}}],
            "description": "Read the document path from a YAML file of the deployment, or from a fact.",
            "properties": {
                "fact": {
                    "enum": [name for name in fact_names() if name.startswith("licensing.")],
                    "description": "The fact naming the document, e.g. licensing.offline_access_doc.",
                },
                "file": {
                    "type": "string",
                    "minLength": 1,
                    "description": "The YAML file, e.g. config/runtime.yaml.",
                },
                "key": {
                    "type": "string",
                    "minLength": 1,
                    "description": "Dotted path, e.g. licensing.offline_access_doc.",
                },
            },
        },
        "min_bytes": {
            "type": "integer",
            "minimum": 1,
            "default": 1,
            "description": "Smallest acceptable size.",
        },
        "mentions": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "description": "Words the document must contain (case-insensitive).",
        },
    },
}


@dataclass(frozen=True)
class DocumentParams:
    """Which document, and what it must hold."""

    path: str | None
    path_file: str | None
    path_key: str | None
    min_bytes: int
    mentions: tuple[str, ...]
    path_fact: str | None = None


def parse(params: Mapping[str, Any]) -> DocumentParams:
    """Build the params value from templated params."""
    source = params.get("path_from") or {}
    return DocumentParams(
        path=params.get("path"),
        path_file=source.get("file"),
        path_key=source.get("key"),
        min_bytes=int(params.get("min_bytes", 1)),
        mentions=tuple(params.get("mentions", ())),
        path_fact=source.get("fact"),
    )


def run(params: DocumentParams, ctx: RunContext) -> Outcome:
    """Resolve the path, then require the file to exist, be big enough and mention every word."""
    from preflight.deployment.documents import blocked_by, document_for, resolve_under

    named_at: Location | None = None
    relpath = params.path
    path_file, path_key = params.path_file, params.path_key
    if params.path_fact is not None:
        resolved = _from_fact(ctx, params.path_fact)
        if isinstance(resolved, Outcome):
            return resolved
        if isinstance(resolved, Fact):
            if not isinstance(resolved.value, str) or not resolved.value:
                return Outcome.failed(f"the deployment does not name the document ({resolved.location})")
            relpath, named_at = resolved.value, resolved.location
        else:
            path_file, path_key = resolved.file, resolved.path
    if path_file is not None and path_key is not None:
        try:
            found = document_for(ctx, path_file).lookup(path_key)
        except InputError as error:
            return blocked_by(error) or Outcome.failed(
                f"{path_file} cannot be used: {error}", Evidence("file", error.message, error.location)
            )
        if found is None or not isinstance(found.value, str) or not found.value:
            return Outcome.failed(f"{path_file} does not name the document at {path_key}")
        relpath, named_at = found.value, found.location
    if relpath is None:  # the params schema requires path or path_from; parse() may be called directly
        return Outcome.errored("the check names neither path nor path_from")
    try:
        path = resolve_under(ctx.root, relpath)
    except InputError as error:
        return Outcome.failed(f"{error.message} ({named_at or relpath})")
    named = Evidence("named at", relpath, named_at) if named_at else Evidence("document", relpath)
    if not path.is_file():
        return Outcome.failed(f"{relpath} does not exist under the deployment root", named)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_READ)
    except OSError as error:
        return Outcome.failed(f"{relpath} cannot be read ({error.strerror or error})", named)
    if len(data.strip()) < params.min_bytes:
        return Outcome.failed(f"{relpath} is empty or shorter than {params.min_bytes} bytes", named)
    ctx.record_input(path)
    text = data.decode("utf-8", errors="replace").lower()
    missing = [word for word in params.mentions if word.lower() not in text]
    if missing:
        return Outcome.failed(f"{relpath} does not mention {', '.join(missing)}", named)
    return Outcome.passed(
        f"{relpath} is present ({path.stat().st_size} bytes)",
        named,
        Evidence("file", relpath, Location(relpath)),
    )


def _from_fact(ctx: RunContext, fact: str) -> Outcome | Fact | Target:
    """Resolve the fact naming the document through the root's format."""
    from preflight.deployment.documents import blocked_by
    from preflight.deployment.facts import Gap, GapKind, resolve
    from preflight.deployment.formats import format_of

    try:
        found = format_of(ctx).resolve(ctx, resolve(fact, ctx.variables))
    except InputError as error:
        return blocked_by(error) or Outcome.failed(
            str(error), Evidence("file", error.message, error.location)
        )
    if isinstance(found, Gap):
        if found.kind is GapKind.NOT_APPLICABLE:
            return Outcome.skipped(found.message, *found.evidence)
        return Outcome(Status.FAIL, found.message, found.evidence, blocked_by=found.blocked_by)
    return found


KIND: CheckKind[DocumentParams] = CheckKind(
    name="document_present",
    summary="A document under the root exists, is not empty and mentions what it must.",
    params_schema=PARAMS_SCHEMA,
    parse=parse,
    run=run,
)
