"""Which checks prove each runbook item: the checks it declares, and the ``see:`` selectors it points to.

The run report only lists the checks an item declares *and* the run selected; the sign-off also
needs the unselected ones (to say "not run") and the item's ``see:`` list (``paper_report`` is proven
by every ``paper.`` check). Both come from the runbook itself.
"""

from __future__ import annotations

from preflight.runbook import Runbook


def declared_checks(runbook: Runbook) -> dict[str, tuple[str, ...]]:
    """Return, per item id, every check id the runbook declares for it."""
    return {
        item.id: tuple(c.id for c in item.checks) for section in runbook.sections for item in section.items
    }


def see_selectors(runbook: Runbook) -> dict[str, tuple[str, ...]]:
    """Return, per item id, the ``see:`` selectors of the runbook (items without any are left out)."""
    return {item.id: item.see for section in runbook.sections for item in section.items if item.see}
