"""The declarative runbook model: a runbook has sections, sections have items, items have checks.

Loading and validating ``checks/*.yaml`` is :mod:`preflight.catalog`'s job; this module only holds the
frozen values it produces.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from preflight.errors import Location
from preflight.results import Severity


@dataclass(frozen=True)
class CheckSpec:
    """One declared check. ``params`` are schema-validated but not yet templated with variables."""

    id: str
    title: str
    kind: str
    severity: Severity
    params: Mapping[str, object]
    rationale: str
    remediation: str
    tags: tuple[str, ...]
    section_id: str
    item_id: str
    location: Location

    @property
    def group(self) -> str:
        """Return the id's group prefix (``runtime``, ``license``, ...)."""
        return self.id.split(".", 1)[0]


@dataclass(frozen=True)
class Item:
    """A runbook step or checklist line and the checks that prove it."""

    id: str
    text: str
    checks: tuple[CheckSpec, ...]
    see: tuple[str, ...] = ()  # ids or prefixes of checks elsewhere that also prove this item


@dataclass(frozen=True)
class Section:
    """A runbook section (the numbered steps, a checklist, the smoke test)."""

    id: str
    title: str
    kind: str  # "steps" | "checklist"
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Runbook:
    """A whole runbook file."""

    id: str
    title: str
    exchange: str
    description: str
    variables: Mapping[str, str]
    sections: tuple[Section, ...]
    source: Location

    def checks(self) -> Iterator[CheckSpec]:
        """Yield every check in document order."""
        for section in self.sections:
            for item in section.items:
                yield from item.checks

    def check(self, check_id: str) -> CheckSpec | None:
        """Return the check with ``check_id``, or None."""
        return next((c for c in self.checks() if c.id == check_id), None)
