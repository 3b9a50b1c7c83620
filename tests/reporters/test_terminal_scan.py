"""The terminal report people can scan: folded passes, one line per blocked group, a recap, no cut paths."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace

from preflight.cli.outputs import color_enabled, terminal_width
from preflight.reporters.terminal import TerminalReporter
from preflight.results import RunReport, Status, verdict_for

MakeReport = Callable[..., RunReport]


def _render(report: RunReport, **options: object) -> str:
    return TerminalReporter(color=False, width=100, **options).render(report)  # type: ignore[arg-type]


def _all_pass(report: RunReport) -> RunReport:
    results = tuple(
        replace(r, status=Status.PASS, waiver=None, original_status=None, notes=(), simulated=None)
        for r in report.results
    )
    return replace(report, results=results, verdict=verdict_for(results, report.fail_on), notes=())


def test_items_whose_checks_all_passed_fold_to_one_line(make_report: MakeReport) -> None:
    text = _render(_all_pass(make_report()))
    assert "✓ step1 · Check config/runtime.yaml: entrypoint points to [bybit_paper].  (2 passed)" in text
    assert "runtime.entrypoint.tags" not in text  # folded into the item's line
    assert text.splitlines()[0].startswith("GO — ") and text.rstrip().splitlines()[-1].startswith("GO — ")


def test_verbose_lists_every_passing_check(make_report: MakeReport) -> None:
    text = _render(_all_pass(make_report()), verbose=True)
    assert "✓ PASS   runtime.entrypoint.tags" in text


def test_blocked_checks_are_named_once_under_their_root_cause(make_report: MakeReport) -> None:
    report = make_report()
    root = report.results[1]  # runtime.entrypoint.tags fails
    blocked = tuple(
        replace(
            r, status=Status.FAIL, blocked_by=root.check_id, remediation="enable spot trading for the key"
        )
        for r in report.results[2:5]
    )
    report = replace(report, results=(report.results[0], root, *blocked, *report.results[5:]))
    text = _render(report)
    assert "enable spot trading" not in text  # a blocked check's own fix never shows
    assert text.count("blocked by runtime.entrypoint.tags") == 3  # once per item holding blocked checks
    recap = text[text.index("What failed and why") :]
    assert recap.startswith("What failed and why: 1 root cause; 3 more checks blocked by it")
    assert "blocks 3 other checks: execution.paper_profile.adapter, license.expiry" in recap
    assert recap.count("fix: ") == 1


def test_long_paths_wrap_instead_of_being_cut(make_report: MakeReport) -> None:
    path = "/srv/" + "/".join(["a-very-long-folder-name"] * 8) + "/report.json"
    report = replace(make_report(), artefacts={"paper_report": path}, root=path)
    text = _render(report)
    assert "…" not in text
    assert "".join(line.strip() for line in text.splitlines()).count(path) == 2


class _Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False


def test_columns_is_honoured_for_piped_output() -> None:
    assert terminal_width(_Pipe(), {"COLUMNS": "150"}) == 150
    assert terminal_width(_Pipe(), {}) == 100
    assert terminal_width(_Pipe(), {"COLUMNS": "12"}) == 100  # too narrow to lay out: ignored
    assert terminal_width(_Pipe(), {"COLUMNS": "wide"}) == 100


def test_force_color_styles_piped_output_and_no_color_wins() -> None:
    assert color_enabled(_Pipe(), {"FORCE_COLOR": "1"})
    assert not color_enabled(_Pipe(), {"FORCE_COLOR": "0"})
    assert not color_enabled(_Pipe(), {"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert not color_enabled(_Pipe(), {})
