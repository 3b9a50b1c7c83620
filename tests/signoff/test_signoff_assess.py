"""Ticks and the verdict line: never a tick or a plain GO for what was not proven."""

from __future__ import annotations

from dataclasses import replace
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from preflight.results import FailOn, RunReport, Severity, Status, Verdict, verdict_for
from preflight.signoff.assess import ItemState, SignoffVerdict, assess, selector_matches
from preflight.signoff.render import SignoffMeta, render_signoff


def _with_statuses(report: RunReport, statuses: dict[str, Status]) -> RunReport:
    results = tuple(
        replace(
            r, status=statuses.get(r.check_id, r.status), waiver=None if r.check_id in statuses else r.waiver
        )
        for r in report.results
    )
    return replace(report, results=results, verdict=verdict_for(results, report.fail_on))


def test_all_passing_report_reads_plain_go(samples: ModuleType) -> None:
    assessment = assess(samples.all_passing_report(), samples.SEE)
    assert assessment.verdict.verdict is SignoffVerdict.GO
    assert str(assessment.verdict) == "GO: all 14 required items ticked"
    assert all(item.ticked for item in assessment.items)


def test_skipped_and_waived_items_are_not_ticked_and_verdict_says_so(
    report: RunReport, samples: ModuleType
) -> None:
    assessment = assess(report, samples.SEE)
    states = {a.item.id: a.state for a in assessment.items}
    assert states["api_keys"] is ItemState.SKIPPED
    assert states["rate_limit_test"] is ItemState.WAIVED
    assert not any(a.ticked for a in assessment.items if a.item.id in ("api_keys", "rate_limit_test"))
    assert str(assessment.verdict) == "GO WITH EXCEPTIONS: 1 skipped, 1 waived"
    assert report.verdict is Verdict.GO_WITH_EXCEPTIONS  # the run and its sign-off say the same


def test_a_failure_makes_no_go(report: RunReport, samples: ModuleType) -> None:
    failing = _with_statuses(report, {"license.profile": Status.FAIL})
    verdict = assess(failing, samples.SEE).verdict
    assert verdict.verdict is SignoffVerdict.NO_GO
    assert verdict.reasons[0] == "1 item failed"


def test_an_interrupted_run_is_no_go(samples: ModuleType) -> None:
    verdict = assess(replace(samples.all_passing_report(), incomplete=True), samples.SEE).verdict
    assert verdict.verdict is SignoffVerdict.NO_GO
    assert "run incomplete (interrupted)" in verdict.reasons


def test_a_warning_is_an_exception_not_a_tick(samples: ModuleType) -> None:
    warned = _with_statuses(samples.all_passing_report(), {"fingerprint.current": Status.WARN})
    assessment = assess(warned, samples.SEE)
    assert str(assessment.verdict) == "GO WITH EXCEPTIONS: 1 warned"


def test_strict_fail_on_warn_turns_a_warning_into_no_go(samples: ModuleType) -> None:
    warned = _with_statuses(samples.all_passing_report(), {"fingerprint.current": Status.WARN})
    strict = replace(warned, fail_on=FailOn.WARN, verdict=verdict_for(warned.results, FailOn.WARN))
    assert assess(strict, samples.SEE).verdict.verdict is SignoffVerdict.NO_GO


def test_an_info_only_item_that_skipped_does_not_block_go(samples: ModuleType) -> None:
    base = samples.all_passing_report()
    results = tuple(
        replace(r, status=Status.SKIP, severity=Severity.INFO)
        if r.check_id == "adapter.signing_vectors"
        else r
        for r in base.results
    )
    assessment = assess(replace(base, results=results), samples.SEE)
    signing = next(a for a in assessment.items if a.item.id == "signing_test")
    assert signing.state is ItemState.SKIPPED and not signing.ticked and not signing.required
    assert assessment.verdict.verdict is SignoffVerdict.GO


def test_unselected_declared_checks_show_as_not_run(samples: ModuleType) -> None:
    base = samples.all_passing_report()
    results = tuple(r for r in base.results if not r.check_id.startswith("license."))
    report = replace(base, results=results)
    assessment = assess(report, samples.SEE, declared={"license_oem": ("license.profile",)})
    item = next(a for a in assessment.items if a.item.id == "license_oem")
    assert item.state is ItemState.NOT_RUN and item.missing == ("license.profile",)
    assert str(assessment.verdict) == "GO WITH EXCEPTIONS: 1 item not run"


def test_an_item_without_any_check_is_not_evaluated(samples: ModuleType) -> None:
    assessment = assess(samples.all_passing_report(), see={})  # without its see:, paper_report has none
    item = next(a for a in assessment.items if a.item.id == "paper_report")
    assert item.state is ItemState.NO_CHECKS
    assert str(assessment.verdict) == "GO WITH EXCEPTIONS: 1 item without a check"


def test_see_selector_that_matches_nothing_is_not_run(samples: ModuleType) -> None:
    assessment = assess(samples.all_passing_report(), see={"paper_report": ("nothing.",)})
    item = next(a for a in assessment.items if a.item.id == "paper_report")
    assert item.state is ItemState.NOT_RUN and item.missing == ("nothing.",)


@pytest.mark.parametrize(
    ("selector", "check_id", "expected"),
    [
        ("paper.", "paper.summary.status", True),
        ("paper", "paper.summary.status", True),
        ("paper", "paperwork.x", False),
        ("paper.summary.status", "paper.summary.status", True),
        ("license.", "paper.summary", False),
    ],
)
def test_selector_matches(selector: str, check_id: str, expected: bool) -> None:
    assert selector_matches(selector, check_id) is expected


_STATUSES = st.sampled_from(list(Status))


# The ``samples`` fixture is a stateless module, safe to share across generated examples.
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_unproven_item_is_ever_ticked_and_no_plain_go_with_one(
    samples: ModuleType, data: st.DataObject
) -> None:
    base = samples.sample_report()
    statuses = {r.check_id: data.draw(_STATUSES, label=r.check_id) for r in base.results}
    report = _with_statuses(base, statuses)
    assessment = assess(report, samples.SEE)
    for item in assessment.items:
        assert item.ticked == (bool(item.results) and all(r.status is Status.PASS for r in item.results))
    if any(not a.ticked and a.required for a in assessment.items):
        assert assessment.verdict.verdict is not SignoffVerdict.GO
    meta = SignoffMeta("op", samples.SIGNED_AT, "0.1.0", "0" * 16, "test", samples.VARIABLES)
    text = render_signoff(report, assessment, (), meta)
    skipped_ids = [r.check_id for r in report.results if r.status is Status.SKIP]
    skip_lines = [line for line in text.splitlines() if line.startswith("  - `") and "` skipped: " in line]
    for check_id in skipped_ids:
        assert any(f"`{check_id}`" in line for line in skip_lines), check_id
    assert ("## Verdict: GO\n" in text) == (assessment.verdict.verdict is SignoffVerdict.GO)
