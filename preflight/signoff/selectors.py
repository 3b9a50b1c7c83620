"""Which checks prove each runbook item: the checks it declares, and the ``see:`` selectors it points to.

The run report only lists the checks an item declares *and* the run selected; the sign-off also
needs the unselected ones (to say "not run") and the item's ``see:`` list (``paper_report`` is proven
by every ``paper.`` check). Both come from the runbook itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path

from preflight.runbook import Item, Runbook


def declared_checks(runbook: Runbook) -> dict[str, tuple[str, ...]]:
    """Return, per item id, every check id the runbook declares for it."""
    return {
        item.id: tuple(c.id for c in item.checks) for section in runbook.sections for item in section.items
    }


def see_selectors(runbook: Runbook) -> dict[str, tuple[str, ...]]:
    """Return, per item id, the ``see:`` selectors of the runbook (empty when an item has none)."""
    if any(f.name == "see" for f in fields(Item)):
        return {
            item.id: tuple(getattr(item, "see", ()))
            for section in runbook.sections
            for item in section.items
            if getattr(item, "see", ())
        }
    # The runbook model does not carry ``see:`` yet: read it from the (already validated) source file.
    return _see_from_source(runbook)


def _source_path(runbook: Runbook) -> Path | None:
    from preflight.resources import checks_dir

    shown = Path(runbook.source.file)
    for candidate in (shown, checks_dir() / shown.name):
        if candidate.is_file():
            return candidate
    return None


def _see_from_source(runbook: Runbook) -> dict[str, tuple[str, ...]]:
    from preflight.yamlio import load_yaml

    path = _source_path(runbook)
    if path is None:
        return {}
    plain = load_yaml(path).to_plain()
    see: dict[str, tuple[str, ...]] = {}
    sections = plain.get("sections", ()) if isinstance(plain, Mapping) else ()
    for section in sections if isinstance(sections, list) else ():
        for item in section.get("items", ()) if isinstance(section, Mapping) else ():
            if isinstance(item, Mapping) and isinstance(item.get("see"), list) and item["see"]:
                see[str(item["id"])] = tuple(str(s) for s in item["see"])
    return see
