"""The runbook catalogue: load ``checks/*.yaml``, validate it (schema, kinds, params, unique ids)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

from preflight.errors import ConfigError, Location, UsageError
from preflight.kinds import KINDS
from preflight.resources import checks_dir
from preflight.results import Severity
from preflight.runbook import CheckSpec, Item, Runbook, Section
from preflight.schemas import best_error, located_error, validate_document
from preflight.yamlio import YamlDocument, load_yaml

# path -> (mtime_ns, size, runbook): a runbook file is parsed once per process unless it changes
_CACHE: dict[Path, tuple[int, int, Runbook]] = {}


def list_runbooks() -> tuple[Runbook, ...]:
    """Return every packaged runbook (``checks/*.yaml``), sorted by file name."""
    return tuple(load_runbook_file(path) for path in sorted(checks_dir().glob("*.yaml")))


def load_runbook(runbook_id: str | None = None) -> Runbook:
    """Return the runbook ``runbook_id`` (None: bybit_go_live, else the first); UsageError if unknown."""
    runbooks = list_runbooks()
    if not runbooks:
        raise UsageError(f"no runbook found in {checks_dir()}")
    if runbook_id is None:
        return next((r for r in runbooks if r.id == "bybit_go_live"), runbooks[0])
    for runbook in runbooks:
        if runbook.id == runbook_id:
            return runbook
    raise UsageError(f"unknown runbook {runbook_id!r}; known: {', '.join(r.id for r in runbooks)}")


def load_runbook_file(path: Path) -> Runbook:
    """Load and validate one runbook file; ConfigError at file:line:col for any problem."""
    try:
        stat = path.stat()
        cached = _CACHE.get(path)
        if cached and cached[0] == stat.st_mtime_ns and cached[1] == stat.st_size:
            return cached[2]
    except OSError:
        stat = None
    document = load_yaml(path, display=_display(path))
    runbook = _build(document)
    if stat is not None:
        _CACHE[path] = (stat.st_mtime_ns, stat.st_size, runbook)
    return runbook


def _display(path: Path) -> str:
    # Packaged runbooks are named as in the repository (checks/x.yaml); others as given.
    try:
        return str(Path("checks") / path.resolve().relative_to(checks_dir().resolve()))
    except ValueError:
        return str(path)


def _build(document: YamlDocument) -> Runbook:
    validate_document(document, "runbook")
    raw = cast(Mapping[str, Any], document.to_plain())
    seen_checks: dict[str, Location] = {}
    seen_items: dict[str, Location] = {}
    sections = []
    for s_index, section in enumerate(raw["sections"]):
        items = []
        for i_index, item in enumerate(section["items"]):
            item_path: tuple[str | int, ...] = ("sections", s_index, "items", i_index)
            _unique(document, seen_items, item["id"], (*item_path, "id"), "item")
            checks = []
            for c_index, check in enumerate(item["checks"]):
                check_path = (*item_path, "checks", c_index)
                _unique(document, seen_checks, check["id"], (*check_path, "id"), "check")
                checks.append(_check(document, check, check_path, section["id"], item["id"]))
            items.append(
                Item(
                    id=item["id"],
                    text=item["text"],
                    checks=tuple(checks),
                    see=tuple(str(selector) for selector in item.get("see", ())),
                )
            )
        sections.append(
            Section(id=section["id"], title=section["title"], kind=section["kind"], items=tuple(items))
        )
    return Runbook(
        id=raw["id"],
        title=raw["title"],
        exchange=raw["exchange"],
        description=raw.get("description", ""),
        variables=dict(raw.get("variables", {})),
        sections=tuple(sections),
        source=document.root_location(),
    )


def _unique(
    document: YamlDocument, seen: dict[str, Location], ident: str, path: tuple[str | int, ...], what: str
) -> None:
    location = document.location_of(path)
    if ident in seen:
        raise ConfigError(
            f"{what} id {ident!r} is used twice (first at line {seen[ident].line}); "
            f"give each {what} its own id",
            location,
        )
    seen[ident] = location


def _check(
    document: YamlDocument, raw: Mapping[str, Any], path: tuple[str | int, ...], section_id: str, item_id: str
) -> CheckSpec:
    kind = KINDS.get(raw["kind"])
    if kind is None:
        known = ", ".join(sorted(KINDS)) or "(none registered)"
        raise ConfigError(
            f"check {raw['id']!r} names unknown kind {raw['kind']!r}; registered kinds: {known}",
            document.location_of((*path, "kind")),
        )
    error = best_error(kind.params_schema, raw["params"])
    if error is not None:
        located = located_error(document, error, prefix=(*path, "params"))
        raise ConfigError(f"check {raw['id']!r} ({kind.name}): {located.message}", located.location)
    return CheckSpec(
        id=raw["id"],
        title=raw["title"],
        kind=raw["kind"],
        severity=Severity(raw["severity"]),
        params=raw["params"],
        rationale=raw["rationale"],
        remediation=raw["remediation"],
        tags=tuple(raw.get("tags", ())),
        section_id=section_id,
        item_id=item_id,
        location=document.location_of(path),
    )
