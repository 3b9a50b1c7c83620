"""Status changes between a baseline report and this run are classified for CI reviewers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from preflight.baseline import ChangeKind, diff_reports
from preflight.results import RunReport, Status

MakeReport = Callable[..., RunReport]


def _with_status(report: RunReport, check_id: str, status: Status) -> RunReport:
    results = tuple(replace(r, status=status) if r.check_id == check_id else r for r in report.results)
    return replace(report, results=results)


def test_identical_runs_have_no_changes(make_report: MakeReport) -> None:
    assert diff_reports(make_report(), make_report(), "b.json").changes == ()


def test_changes_are_classified(make_report: MakeReport) -> None:
    before = make_report()
    now = _with_status(before, "runtime.entrypoint.environment", Status.ERROR)  # pass -> error
    now = _with_status(now, "runtime.entrypoint.tags", Status.PASS)  # fail -> pass
    now = _with_status(now, "license.expiry", Status.PASS)  # warn -> pass
    now = replace(now, results=now.results[:-1])  # tests.rate_limit removed
    kinds = {c.check_id: c.change for c in diff_reports(before, now, "b.json").changes}
    assert kinds == {
        "runtime.entrypoint.environment": ChangeKind.NEW_FAILURE,
        "runtime.entrypoint.tags": ChangeKind.FIXED,
        "license.expiry": ChangeKind.CHANGED,
        "tests.rate_limit": ChangeKind.REMOVED_CHECK,
    }
    new_only = diff_reports(now, before, "b.json").of_kind(ChangeKind.NEW_CHECK)
    assert [(c.check_id, c.before, c.after) for c in new_only] == [("tests.rate_limit", None, Status.SKIP)]
