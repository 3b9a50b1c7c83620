"""The one verdict rule (preflight.results.verdict_for) and the exceptions it rests on."""

from __future__ import annotations

from dataclasses import replace

from preflight.results import (
    CheckResult,
    ExceptionKind,
    FailOn,
    Severity,
    Status,
    Verdict,
    exception_summary,
    exceptions_for,
    verdict_for,
)


def _result(check_id: str, status: Status = Status.PASS, **extra: object) -> CheckResult:
    base = CheckResult(
        check_id=check_id,
        title=check_id,
        section_id="s",
        item_id="i",
        kind="k",
        severity=Severity.MAJOR,
        tags=(),
        status=status,
        message=f"{check_id} {status.value}",
        evidence=(),
        remediation="",
        duration_s=0.0,
    )
    return replace(base, **extra)  # type: ignore[arg-type]


def test_every_required_pass_against_the_real_thing_is_go() -> None:
    assert verdict_for((_result("a"), _result("b")), FailOn.FAIL) is Verdict.GO


def test_a_simulated_pass_is_an_exception_named_with_its_reason() -> None:
    results = (_result("a"), _result("keys.x", simulated="answered by the embedded simulator"))
    assert verdict_for(results, FailOn.FAIL) is Verdict.GO_WITH_EXCEPTIONS
    (exception,) = exceptions_for(results)
    assert exception.kind is ExceptionKind.SIMULATED
    assert str(exception) == "keys.x simulated: answered by the embedded simulator"


def test_skip_offline_waived_and_warned_are_exceptions_of_their_own_kind() -> None:
    results = (
        _result("a", Status.SKIP),
        _result("b", Status.SKIP, offline=True),
        _result("c", Status.WAIVED),
        _result("d", Status.WARN),
    )
    kinds = [e.kind for e in exceptions_for(results)]
    assert kinds == [ExceptionKind.SKIPPED, ExceptionKind.OFFLINE, ExceptionKind.WAIVED, ExceptionKind.WARNED]
    assert exception_summary(exceptions_for(results)) == "1 offline, 1 skipped, 1 waived, 1 warned"


def test_info_checks_are_not_required() -> None:
    results = (_result("a"), _result("b", Status.SKIP, severity=Severity.INFO))
    assert verdict_for(results, FailOn.FAIL) is Verdict.GO


def test_not_selected_required_checks_are_one_run_level_exception_counting_them() -> None:
    exceptions = exceptions_for((_result("a"),), FailOn.FAIL, ("b", "c", "d"))
    assert exception_summary(exceptions) == "3 not selected"
    assert verdict_for((_result("a"),), FailOn.FAIL, not_selected=("b",)) is Verdict.GO_WITH_EXCEPTIONS


def test_a_failure_or_an_interruption_is_no_go_whatever_the_exceptions() -> None:
    skipped = _result("s", Status.SKIP)
    assert verdict_for((skipped, _result("f", Status.FAIL)), FailOn.FAIL) is Verdict.NO_GO
    assert verdict_for((skipped, _result("e", Status.ERROR)), FailOn.FAIL) is Verdict.NO_GO
    assert verdict_for((_result("a"),), FailOn.FAIL, incomplete=True) is Verdict.NO_GO


def test_require_real_turns_exceptions_into_no_go_but_leaves_a_real_go() -> None:
    simulated = (_result("a", simulated="simulator"),)
    assert verdict_for(simulated, FailOn.FAIL, require_real=True) is Verdict.NO_GO
    assert verdict_for((_result("a"),), FailOn.FAIL, require_real=True) is Verdict.GO


def test_warnings_are_no_go_under_warn_and_exceptions() -> None:
    warned = (_result("w", Status.WARN),)
    assert verdict_for(warned, FailOn.FAIL) is Verdict.GO_WITH_EXCEPTIONS
    assert verdict_for(warned, FailOn.WARN) is Verdict.NO_GO
    assert verdict_for(warned, FailOn.EXCEPTIONS) is Verdict.NO_GO
