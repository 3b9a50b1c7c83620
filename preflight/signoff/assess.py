"""Decide, item by item, what the sign-off may tick, and the sign-off's verdict line.

An item is ticked only when every check that proves it passed against the real thing. A simulated,
skipped, waived, warned or unrun item is never ticked. The verdict is the run's own (see
:func:`preflight.results.verdict_for`) with the same exception counts, so the sign-off and every other
output of one run say the same thing:

- ``GO`` - every required check passed against the real thing and every required item is ticked.
- ``GO WITH EXCEPTIONS`` - nothing failed, but the run has exceptions, counted like the run's verdict
  line, e.g. ``GO WITH EXCEPTIONS: 6 simulated, 3 skipped``. Whoever signs accepts those exceptions.
- ``NO-GO`` - the run's verdict is NO-GO, a check failed or errored, or the run was interrupted.

An item is *required* unless every check behind it has severity ``info``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from preflight.results import CheckResult, ItemInfo, RunReport, Severity, Status, Verdict, exception_summary


class ItemState(StrEnum):
    """What the sign-off says about one runbook item."""

    PASSED = "passed"
    FAILED = "failed"
    WAIVED = "waived"
    WARNED = "warned"
    SKIPPED = "skipped"
    SIMULATED = "simulated"  # passed, but against a stand-in for the real thing
    NOT_RUN = "not run"
    NO_CHECKS = "not evaluated"


# The sign-off says the run's verdict word: one vocabulary (preflight.results.Verdict) everywhere.
SignoffVerdict = Verdict


@dataclass(frozen=True)
class ItemAssessment:
    """One runbook item with the results that prove it and the state they add up to."""

    section_id: str
    number: int  # 1-based position within its section
    item: ItemInfo
    results: tuple[CheckResult, ...]
    missing: tuple[str, ...]  # check ids (or ``see:`` selectors) with no result in the report
    state: ItemState
    required: bool
    see: tuple[str, ...] = ()  # the item's ``see:`` selectors: results proven elsewhere in the runbook

    @property
    def own_results(self) -> tuple[CheckResult, ...]:
        """Return the results of the item's own checks (not those it points to with ``see:``)."""
        return tuple(r for r in self.results if not any(selector_matches(s, r.check_id) for s in self.see))

    @property
    def ticked(self) -> bool:
        """Return True only when every check behind the item passed."""
        return self.state is ItemState.PASSED


@dataclass(frozen=True)
class VerdictLine:
    """The sign-off verdict and the counts that explain it."""

    verdict: SignoffVerdict
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.verdict}: {', '.join(self.reasons)}" if self.reasons else str(self.verdict)


@dataclass(frozen=True)
class Assessment:
    """Every item's assessment, the results no item claims, and the verdict line."""

    items: tuple[ItemAssessment, ...]
    unassigned: tuple[CheckResult, ...]
    verdict: VerdictLine

    def for_section(self, section_id: str) -> tuple[ItemAssessment, ...]:
        """Return the assessments of one section, in document order."""
        return tuple(a for a in self.items if a.section_id == section_id)


# Worst first: the first status found among an item's results names the item's state.
_STATE_BY_STATUS = (
    (Status.FAIL, ItemState.FAILED),
    (Status.ERROR, ItemState.FAILED),
    (Status.WAIVED, ItemState.WAIVED),
    (Status.WARN, ItemState.WARNED),
    (Status.SKIP, ItemState.SKIPPED),
)

# How each non-ticked state is counted in the verdict line (singular, plural).
_REASON_WORDS = {
    ItemState.FAILED: ("item failed", "items failed"),
    ItemState.SKIPPED: ("item skipped", "items skipped"),
    ItemState.SIMULATED: ("item simulated", "items simulated"),
    ItemState.NOT_RUN: ("item not run", "items not run"),
    ItemState.WAIVED: ("item waived", "items waived"),
    ItemState.WARNED: ("item with warnings", "items with warnings"),
    ItemState.NO_CHECKS: ("item without a check", "items without a check"),
}


def selector_matches(selector: str, check_id: str) -> bool:
    """Say whether a ``see:`` selector (an id or an id prefix such as ``paper.``) names ``check_id``."""
    if selector.endswith("."):
        return check_id.startswith(selector)
    return check_id == selector or check_id.startswith(selector + ".")


def _item_results(
    own: Sequence[str], see: Sequence[str], by_id: Mapping[str, CheckResult], ordered: Sequence[CheckResult]
) -> tuple[tuple[CheckResult, ...], tuple[str, ...]]:
    found: dict[str, CheckResult] = {}
    missing: list[str] = []
    for check_id in own:
        if check_id in by_id:
            found[check_id] = by_id[check_id]
        elif check_id not in missing:
            missing.append(check_id)
    for selector in see:
        matched = [r for r in ordered if selector_matches(selector, r.check_id)]
        if not matched:
            missing.append(selector)
        for result in matched:
            found.setdefault(result.check_id, result)
    return tuple(found.values()), tuple(missing)


def _state(results: tuple[CheckResult, ...], missing: tuple[str, ...]) -> ItemState:
    if not results and not missing:
        return ItemState.NO_CHECKS
    statuses = {r.status for r in results}
    for status, state in _STATE_BY_STATUS:
        if status in statuses:
            return state
    if missing:
        return ItemState.NOT_RUN
    return ItemState.SIMULATED if any(r.simulated for r in results) else ItemState.PASSED


def _verdict(
    report: RunReport, items: tuple[ItemAssessment, ...], unassigned: tuple[CheckResult, ...]
) -> VerdictLine:
    counts = {state: 0 for state in _REASON_WORDS}
    for assessment in items:
        if assessment.state in counts and (assessment.required or assessment.state is ItemState.FAILED):
            counts[assessment.state] += 1
    stray_failures = sum(1 for r in unassigned if r.status in (Status.FAIL, Status.ERROR))
    failed = counts[ItemState.FAILED] or stray_failures
    summary = exception_summary(report.exceptions)
    if report.verdict is Verdict.NO_GO or failed or report.incomplete:
        reasons = [_count(ItemState.FAILED, counts[ItemState.FAILED])] if counts[ItemState.FAILED] else []
        if stray_failures:
            reasons.append(
                f"{stray_failures} check{'s' if stray_failures > 1 else ''} outside the runbook failed"
            )
        if report.incomplete:
            reasons.insert(0, "run incomplete (interrupted)")
        if summary:
            reasons.append(f"--require-real: {summary}" if not reasons and report.require_real else summary)
        if not reasons:
            reasons.append(f"the run's verdict is NO-GO (fail-on {report.fail_on})")
        return VerdictLine(Verdict.NO_GO, tuple(reasons))
    # The run's exceptions, counted as the run counts them; then what only the item view can see.
    reasons = [summary] if summary else []
    if counts[ItemState.NO_CHECKS]:
        reasons.append(_count(ItemState.NO_CHECKS, counts[ItemState.NO_CHECKS]))
    if counts[ItemState.NOT_RUN] and not report.not_selected:  # a report older than not_selected
        reasons.append(_count(ItemState.NOT_RUN, counts[ItemState.NOT_RUN]))
    if reasons:
        verdict = Verdict.NO_GO if report.require_real else Verdict.GO_WITH_EXCEPTIONS
        return VerdictLine(verdict, tuple(reasons))
    required = sum(1 for a in items if a.required)
    return VerdictLine(Verdict.GO, (f"all {required} required items ticked",))


def _count(state: ItemState, n: int) -> str:
    return f"{n} {_REASON_WORDS[state][0] if n == 1 else _REASON_WORDS[state][1]}"


def assess(
    report: RunReport,
    see: Mapping[str, Sequence[str]] | None = None,
    declared: Mapping[str, Sequence[str]] | None = None,
) -> Assessment:
    """Assess every item of ``report``.

    ``see`` maps item ids to the selectors of their runbook ``see:`` list (checks elsewhere that also
    prove them); ``declared`` maps item ids to every check the runbook declares for them, so that a
    check the run did not select shows as "not run" instead of vanishing from the item.
    """
    see = see or {}
    declared = declared or {}
    by_id = {r.check_id: r for r in report.results}
    claimed: set[str] = set()
    items: list[ItemAssessment] = []
    for section in report.sections:
        for number, item in enumerate(section.items, start=1):
            own = (*item.check_ids, *declared.get(item.id, ()))
            selectors = tuple(see.get(item.id, ()))
            results, missing = _item_results(own, selectors, by_id, report.results)
            claimed.update(r.check_id for r in results)
            # No result to judge by counts as required: an unproven item must not pass silently.
            required = not results or any(r.severity is not Severity.INFO for r in results)
            state = _state(results, missing)
            items.append(
                ItemAssessment(section.id, number, item, results, missing, state, required, selectors)
            )
    unassigned = tuple(r for r in report.results if r.check_id not in claimed)
    frozen_items = tuple(items)
    return Assessment(frozen_items, unassigned, _verdict(report, frozen_items, unassigned))
