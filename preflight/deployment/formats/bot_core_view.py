"""The bot_core files as its loader reads them, split into parts that break (and block) on their own.

bot_core reads ``config/runtime.yaml`` and the core file it names (``core.path``, relative to
``config/``) with PyYAML: duplicate keys keep the last copy, unknown sections are ignored. Here the
documents are read the same way (every duplicate kept on record), validated against the bot_core
schemas, which cover only what the runbook reads, and every schema problem is filed under the *part*
of the file it sits in (one entrypoint, one environment, the io_queue section, ...). A lookup inside a
broken part raises :class:`Blocked`, so a broken part blocks exactly the checks that read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from preflight.context import RunContext
from preflight.deployment.documents import RUNTIME_FILE, document_for, resolve_under
from preflight.errors import ConfigError, Location
from preflight.yamlio import Located, YamlDocument, split_path

Path_ = tuple[str | int, ...]
RUNTIME_SCHEMA = "bot_core_runtime"
CORE_SCHEMA = "bot_core_core"
# the runbook's schema check of each file (the owner of its problems), by file role
SCHEMA_CHECK = {"runtime": "runtime.schema", "core": "core.schema"}
# collections whose members break on their own: a problem in one member blocks only that member
_MEMBERS: dict[str, tuple[Path_, ...]] = {
    "runtime": (
        ("trading", "entrypoints"),
        ("execution", "paper_profiles"),
        ("execution", "trading_profiles"),
    ),
    "core": (
        ("environments",),
        ("risk_profiles",),
        ("permission_profiles",),
        ("instrument_universes",),
        ("runtime", "controllers"),
    ),
}


def is_strategy_section(name: str) -> bool:
    """Say whether a top-level core key holds strategies (``strategies``, ``*_strategies``, ...)."""
    return name in ("strategies", "strategy_definitions") or name.endswith("_strategies")


def core_relpath(runtime: YamlDocument) -> str:
    """Return the core file bot_core loads: ``core.path`` relative to config/ (default config/core.yaml)."""
    found = runtime.lookup("core.path")
    if found is None or not isinstance(found.value, str) or not found.value.strip():
        return "config/core.yaml"
    value = found.value.strip()
    relpath = value if value.startswith("config/") else f"config/{value}"
    parts = [p for p in relpath.split("/") if p not in ("", ".")]
    return "/".join(parts)


class Blocked(Exception):
    """A lookup met a broken part of a file; carries the problem and the check owning it."""

    def __init__(self, check: str, error: ConfigError) -> None:
        super().__init__(error.message)
        self.check = check
        self.error = error


@dataclass
class View:
    """Both documents, their problems by part, and lookups that refuse broken parts."""

    runtime: YamlDocument
    core: YamlDocument
    core_file: str
    problems: dict[str, list[tuple[Path_, ConfigError]]] = field(default_factory=dict)

    def doc(self, role: str) -> YamlDocument:
        """Return the document of ``role`` (runtime | core)."""
        return self.runtime if role == "runtime" else self.core

    def part_of(self, role: str, path: Path_) -> Path_:
        """Return the part of the file ``path`` lies in (a member of a collection, else its section)."""
        collections: tuple[Path_, ...] = _MEMBERS[role]
        if role == "core" and path and is_strategy_section(str(path[0])):
            collections = (*collections, (path[0],))
        for collection in collections:
            if path[: len(collection)] == collection and len(path) > len(collection):
                return path[: len(collection) + 1]
        return path[:1]

    def check_readable(self, role: str, path: Path_) -> None:
        """Raise Blocked when a broken part covers ``path``."""
        for part, error in self.problems.get(role, ()):
            if path[: len(part)] == part:
                raise Blocked(SCHEMA_CHECK[role], error)

    def get(self, role: str, path: str | Path_) -> Located | None:
        """Return the value at ``path`` of the role's document (None if absent); Blocked if broken."""
        segments = split_path(path)
        self.check_readable(role, segments)
        return self.doc(role).lookup(segments)

    def mapping(self, role: str, path: str | Path_) -> Mapping[str, Any]:
        """Return the mapping at ``path`` ({} when absent or not a mapping); Blocked if broken."""
        found = self.get(role, path)
        return found.value if found is not None and isinstance(found.value, dict) else {}

    def where(self, role: str, path: str | Path_) -> Location:
        """Return where ``path`` (or its deepest existing parent) is written; never blocked."""
        return self.doc(role).location_of(split_path(path))

    def problem_list(self, role: str) -> list[tuple[Path_, ConfigError]]:
        """Return the schema problems of the role's document, in document order."""
        return self.problems.get(role, [])


def strategy_sections_of(view: View) -> dict[str, Mapping[str, Any]]:
    """Return every strategy section of the core file (``strategies``, ``*_strategies``, ...) by name."""
    top = view.core.to_plain()
    names = [str(k) for k in top] if isinstance(top, dict) else []
    return {name: view.mapping("core", name) for name in names if is_strategy_section(name)}


def view_for(ctx: RunContext) -> View:
    """Return the run's bot_core view, read and validated once (InputError when a file cannot be read)."""
    return ctx.memo("bot_core.view", lambda: _load(ctx))


def _load(ctx: RunContext) -> View:
    runtime = document_for(ctx, RUNTIME_FILE)
    core_file = core_relpath(runtime)
    resolve_under(ctx.root, core_file)  # a core.path escaping the root is a located error, not a read
    core = document_for(ctx, core_file)
    view = View(runtime, core, core_file)
    for role, schema in (("runtime", RUNTIME_SCHEMA), ("core", CORE_SCHEMA)):
        view.problems[role] = _problems(view, role, schema)
    return view


def _problems(view: View, role: str, schema: str) -> list[tuple[Path_, ConfigError]]:
    """Validate the role's document and file every problem under its part, first problem per part."""
    from preflight.schemas import load_schema, located_error, validator_for

    document = view.doc(role)
    validator = validator_for(load_schema(schema))
    found: dict[Path_, ConfigError] = {}
    for error in sorted(validator.iter_errors(document.to_plain()), key=lambda e: list(map(str, e.path))):
        part = view.part_of(role, tuple(error.absolute_path))
        if part not in found:
            found[part] = located_error(document, error)
    return sorted(found.items(), key=lambda item: (item[1].location.line or 0) if item[1].location else 0)
