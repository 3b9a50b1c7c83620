"""Compare a run with a previous run's report: which checks changed status since the baseline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from preflight.results import RunReport, Status, Verdict

# The statuses that make a check "failing" for the diff: what a CI reviewer wants to see appear or vanish.
_FAILING = frozenset({Status.FAIL, Status.ERROR})


class ChangeKind(StrEnum):
    """How a check's status moved between the baseline and this run."""

    NEW_FAILURE = "new_failure"
    FIXED = "fixed"
    CHANGED = "changed"
    NEW_CHECK = "new_check"
    REMOVED_CHECK = "removed_check"


@dataclass(frozen=True)
class StatusChange:
    """One check whose status differs from the baseline (``None`` = absent on that side)."""

    check_id: str
    title: str
    change: ChangeKind
    before: Status | None
    after: Status | None


@dataclass(frozen=True)
class BaselineDiff:
    """Every status change since a baseline report, in the order of this run's checks."""

    baseline_path: str
    baseline_started_at: datetime
    baseline_verdict: Verdict
    changes: tuple[StatusChange, ...]

    def of_kind(self, kind: ChangeKind) -> tuple[StatusChange, ...]:
        """Return the changes of one kind."""
        return tuple(change for change in self.changes if change.change is kind)


def _classify(before: Status, after: Status) -> ChangeKind:
    if after in _FAILING and before not in _FAILING:
        return ChangeKind.NEW_FAILURE
    if before in _FAILING and after not in _FAILING:
        return ChangeKind.FIXED
    return ChangeKind.CHANGED


def diff_reports(baseline: RunReport, current: RunReport, baseline_path: str) -> BaselineDiff:
    """Return the status changes from ``baseline`` to ``current``."""
    before = {result.check_id: result for result in baseline.results}
    now_ids = {result.check_id for result in current.results}
    changes: list[StatusChange] = []
    for result in current.results:
        old = before.get(result.check_id)
        if old is None:
            changes.append(
                StatusChange(result.check_id, result.title, ChangeKind.NEW_CHECK, None, result.status)
            )
        elif old.status is not result.status:
            kind = _classify(old.status, result.status)
            changes.append(StatusChange(result.check_id, result.title, kind, old.status, result.status))
    for old in baseline.results:
        if old.check_id not in now_ids:
            changes.append(StatusChange(old.check_id, old.title, ChangeKind.REMOVED_CHECK, old.status, None))
    return BaselineDiff(
        baseline_path=baseline_path,
        baseline_started_at=baseline.started_at,
        baseline_verdict=baseline.verdict,
        changes=tuple(changes),
    )


def describe(change: StatusChange) -> str:
    """Return one human line for a change (``runtime.x: pass -> fail``)."""
    before = change.before.value if change.before else "absent"
    after = change.after.value if change.after else "absent"
    return f"{change.check_id}: {before} -> {after}"
