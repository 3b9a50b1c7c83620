"""How a report folds for reading: root causes once, blocked checks under them, plain passes counted.

Shared by the terminal report (and any format that wants the same grouping): a check whose
``blocked_by`` names another check of the report is not a finding of its own; the root cause lists how
many checks it blocked.
"""

from __future__ import annotations

from dataclasses import dataclass

from preflight.results import CheckResult, RunReport, Status

PROBLEMS = frozenset({Status.FAIL, Status.ERROR, Status.WARN})


@dataclass(frozen=True)
class RootCause:
    """A failing, erroring or warning check that is not blocked by another, and what it blocked."""

    result: CheckResult
    blocked: tuple[CheckResult, ...]


def is_plain_pass(result: CheckResult) -> bool:
    """Say whether a result passed against the real thing (nothing a reader must look at)."""
    return result.status is Status.PASS and not result.simulated and not result.notes


def blocker_of(result: CheckResult, present: frozenset[str]) -> str | None:
    """Return the id of the check in the report that blocked ``result``, or None when it stands alone."""
    root = result.blocked_by
    return root if root and root != result.check_id and root in present else None


def problem_ids(report: RunReport) -> frozenset[str]:
    """Return the ids of the report's failing, erroring and warning checks (the possible root causes)."""
    return frozenset(r.check_id for r in report.results if r.status in PROBLEMS)


def root_causes(report: RunReport) -> tuple[RootCause, ...]:
    """Return every problem that is its own cause, in report order, with the checks it blocked."""
    present = problem_ids(report)
    blocked: dict[str, list[CheckResult]] = {}
    for result in report.results:
        root = blocker_of(result, present)
        if root is not None:
            blocked.setdefault(root, []).append(result)
    return tuple(
        RootCause(result, tuple(blocked.get(result.check_id, ())))
        for result in report.results
        if result.status in PROBLEMS and blocker_of(result, present) is None
    )


def some_ids(ids: list[str] | tuple[str, ...], limit: int = 6) -> str:
    """Return up to ``limit`` ids, then how many more: ``a, b, c and 4 more``."""
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")
