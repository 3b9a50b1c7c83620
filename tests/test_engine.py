"""The engine: selection, templating, exception mapping, interruption, and what the RunReport carries."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from preflight import engine
from preflight.context import RunContext, RunOptions
from preflight.errors import ConfigError, Location, UsageError
from preflight.kinds import KINDS
from preflight.kinds.base import CheckKind
from preflight.resources import sample_config_dir
from preflight.results import FailOn, Outcome, Severity, Status, Verdict
from preflight.runbook import CheckSpec, Item, Runbook, Section

CALLS: list[tuple[str, Mapping[str, Any]]] = []


def _run_probe(params: Mapping[str, Any], ctx: RunContext) -> Outcome:
    """A kind whose params say what to do, so each test scripts its checks."""
    CALLS.append((str(params.get("name")), params))
    action = params.get("do", "pass")
    if action == "raise":
        raise ValueError("boom")
    if action == "input":
        raise ConfigError("bad value; fix it", Location("config/x.yaml", 3, 5))
    if action == "interrupt":
        raise KeyboardInterrupt
    if action == "record":
        ctx.record_artefact("report", ctx.root / "reports" / "r.json")
        ctx.record_simulated("exchange: simulated")
        ctx.record_input(ctx.root / "config" / "runtime.yaml")
        ctx.paper_metrics = {"summary": {"status": "ok"}}
    return Outcome(Status(params.get("status", "pass")), f"did {action}")


PROBE: CheckKind[Mapping[str, Any]] = CheckKind(
    name="probe", summary="Test probe.", params_schema={"type": "object"}, parse=dict, run=_run_probe
)


@pytest.fixture(autouse=True)
def probe(monkeypatch: pytest.MonkeyPatch) -> None:
    CALLS.clear()
    monkeypatch.setitem(KINDS, "probe", PROBE)  # type: ignore[arg-type]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    shutil.copytree(sample_config_dir(), tmp_path / "config")
    return tmp_path


def _spec(check_id: str, tags: tuple[str, ...] = (), item: str = "one", **params: Any) -> CheckSpec:
    return CheckSpec(
        id=check_id,
        title=f"title of {check_id} for {{entrypoint}}",
        kind="probe",
        severity=Severity.MAJOR,
        params={"name": check_id, **params},
        rationale="r",
        remediation="fix {entrypoint}",
        tags=tags,
        section_id="steps",
        item_id=item,
        location=Location("checks/t.yaml", 1),
    )


def _runbook(*specs: CheckSpec, variables: Mapping[str, str] | None = None) -> Runbook:
    items = {}
    for spec in specs:
        items.setdefault(spec.item_id, []).append(spec)
    section = Section(
        id="steps",
        title="Steps",
        kind="steps",
        items=tuple(
            Item(id=i, text=f"item {i} of {{entrypoint}}", checks=tuple(c)) for i, c in items.items()
        ),
    )
    return Runbook(
        id="t",
        title="T",
        exchange="bybit",
        description="",
        variables=variables or {},
        sections=(section,),
        source=Location("checks/t.yaml"),
    )


def _options(root: Path, entrypoint: str = "bybit_desktop_paper") -> RunOptions:
    return RunOptions(root=root, entrypoint=entrypoint)


RUNBOOK = _runbook(
    _spec("runtime.a", tags=("static",)),
    _spec("runtime.b"),
    _spec("license.valid", tags=("trust",), item="two"),
    _spec("paper.summary.ok", item="two"),
)


@pytest.mark.parametrize(
    ("only", "skip", "expected"),
    [
        ((), (), ["runtime.a", "runtime.b", "license.valid", "paper.summary.ok"]),
        (("runtime.",), (), ["runtime.a", "runtime.b"]),
        (("runtime",), (), ["runtime.a", "runtime.b"]),
        (("runtime.a",), (), ["runtime.a"]),
        (("trust", "static"), (), ["runtime.a", "license.valid"]),
        (("paper.summary",), (), ["paper.summary.ok"]),
        ((), ("runtime.", "trust"), ["paper.summary.ok"]),
        (("runtime",), ("runtime.b",), ["runtime.a"]),
    ],
)
def test_selection_by_id_prefix_or_tag_evaluates_only_what_it_selects(
    root: Path, only: tuple[str, ...], skip: tuple[str, ...], expected: list[str]
) -> None:
    report = engine.run_checks(RUNBOOK, _options(root), selection=engine.Selection(only=only, skip=skip))
    assert [r.check_id for r in report.results] == expected
    assert [name for name, _ in CALLS] == expected  # the others never ran


def test_a_prefix_does_not_match_a_longer_group_name(root: Path) -> None:
    runbook = _runbook(_spec("paper.a"), _spec("papertrail.b"))
    report = engine.run_checks(runbook, _options(root), selection=engine.Selection(only=("paper",)))
    assert [r.check_id for r in report.results] == ["paper.a"]


def test_only_selector_matching_nothing_is_a_usage_error(root: Path) -> None:
    with pytest.raises(UsageError, match=r"--only 'licence.' selects no check; groups: .*license."):
        engine.run_checks(RUNBOOK, _options(root), selection=engine.Selection(only=("licence.",)))
    assert CALLS == []


def test_skipping_everything_is_a_usage_error(root: Path) -> None:
    with pytest.raises(UsageError, match="no check to evaluate"):
        engine.run_checks(
            RUNBOOK, _options(root), selection=engine.Selection(skip=("runtime", "license", "paper"))
        )


def test_not_selected_checks_are_noted_and_left_out_of_items(root: Path) -> None:
    report = engine.run_checks(RUNBOOK, _options(root), selection=engine.Selection(only=("runtime.a",)))
    assert "3 of 4 checks were not selected (--only/--skip)" in report.notes
    items = {i.id: i for s in report.sections for i in s.items}
    assert items["one"].check_ids == ("runtime.a",) and items["two"].check_ids == ()


def test_params_titles_and_texts_are_templated_recursively(root: Path) -> None:
    runbook = _runbook(
        _spec(
            "runtime.a",
            path="x.{environment}.{entrypoint}",
            nested={"list": ["{environment}", 3, {"k": "{missing}"}]},
        ),
        variables={"environment": "bybit_paper", "label": "{entrypoint}-label"},
    )
    report = engine.run_checks(runbook, _options(root))
    params = CALLS[0][1]
    assert params["path"] == "x.bybit_paper.bybit_desktop_paper"
    assert params["nested"] == {"list": ["bybit_paper", 3, {"k": "{missing}"}]}
    result = report.results[0]
    assert result.title == "title of runtime.a for bybit_desktop_paper"
    assert result.remediation == "fix bybit_desktop_paper"
    assert report.sections[0].items[0].text == "item one of bybit_desktop_paper"


def test_variables_may_refer_to_the_entrypoint(root: Path) -> None:
    runbook = _runbook(_spec("runtime.a", value="{label}"), variables={"label": "{entrypoint}-x"})
    engine.run_checks(runbook, _options(root))
    assert CALLS[0][1]["value"] == "bybit_desktop_paper-x"


def test_an_escaping_exception_becomes_an_error_result(root: Path) -> None:
    runbook = _runbook(_spec("runtime.a", do="raise"), _spec("runtime.b"))
    report = engine.run_checks(runbook, _options(root))
    bad, good = report.results
    assert (bad.status, bad.message) == (Status.ERROR, "ValueError: boom")
    assert good.status is Status.PASS  # the other checks still ran
    assert report.verdict is Verdict.NO_GO


def test_an_input_error_keeps_its_location(root: Path) -> None:
    report = engine.run_checks(_runbook(_spec("runtime.a", do="input")), _options(root))
    result = report.results[0]
    assert result.status is Status.ERROR
    assert result.message == "config/x.yaml:3:5: bad value; fix it"
    assert result.evidence[0].location == Location("config/x.yaml", 3, 5)


def test_an_unregistered_kind_is_an_error_not_a_crash(root: Path) -> None:
    spec = _spec("runtime.a")
    ghost = CheckSpec(**{**spec.__dict__, "kind": "ghost"})
    report = engine.run_checks(_runbook(ghost), _options(root))
    assert report.results[0].status is Status.ERROR
    assert "'ghost' is not registered" in report.results[0].message


def test_keyboard_interrupt_returns_a_partial_report(root: Path) -> None:
    runbook = _runbook(_spec("runtime.a"), _spec("runtime.b", do="interrupt"), _spec("runtime.c"))
    report = engine.run_checks(runbook, _options(root))
    assert report.incomplete and report.verdict is Verdict.NO_GO
    assert [r.check_id for r in report.results] == ["runtime.a"]
    assert any("interrupted: 1 of 3" in note for note in report.notes)


def test_fail_on_warn_turns_a_warning_into_no_go(root: Path) -> None:
    runbook = _runbook(_spec("runtime.a", status="warn"))
    # A warning is not a pass: an exception under --fail-on fail, NO-GO under warn and exceptions.
    assert engine.run_checks(runbook, _options(root)).verdict is Verdict.GO_WITH_EXCEPTIONS
    assert engine.run_checks(runbook, _options(root), fail_on=FailOn.WARN).verdict is Verdict.NO_GO
    assert engine.run_checks(runbook, _options(root), fail_on=FailOn.EXCEPTIONS).verdict is Verdict.NO_GO


def test_report_carries_what_the_context_recorded(root: Path) -> None:
    seen = []
    times = iter([datetime(2026, 1, 1, 12, 0, s, tzinfo=UTC) for s in range(10)])
    report = engine.run_checks(
        _runbook(_spec("runtime.a", do="record")),
        _options(root),
        on_result=seen.append,
        clock=lambda: next(times),
    )
    assert seen == list(report.results)
    assert report.artefacts == {"report": str(root / "reports" / "r.json")}
    assert report.simulated == ("exchange: simulated",)
    assert report.paper_metrics == {"summary": {"status": "ok"}}
    digest = hashlib.sha256((root / "config" / "runtime.yaml").read_bytes()).hexdigest()
    assert [(d.path, d.sha256) for d in report.inputs] == [("config/runtime.yaml", digest)]
    assert report.started_at < report.finished_at
    assert (report.runbook_id, report.exchange, report.entrypoint) == ("t", "bybit", "bybit_desktop_paper")
    assert report.results[0].duration_s >= 0


def test_missing_root_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        engine.run_checks(RUNBOOK, _options(tmp_path / "nowhere"))


def test_unknown_entrypoint_is_one_line_naming_the_known_ones(root: Path) -> None:
    with pytest.raises(UsageError) as caught:
        engine.run_checks(RUNBOOK, _options(root, "bybit_desktop"))
    message = str(caught.value)
    assert "\n" not in message
    assert "unknown entrypoint 'bybit_desktop'" in message
    assert "known: bybit_desktop_live, bybit_desktop_paper" in message


def test_a_broken_runtime_file_is_a_failing_check_not_a_usage_error(root: Path) -> None:
    (root / "config" / "runtime.yaml").write_text("trading: [\n")
    report = engine.run_checks(RUNBOOK, _options(root, "anything"))
    assert len(report.results) == 4
