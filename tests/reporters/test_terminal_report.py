"""The terminal report prints operator text literally and colours only when asked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from preflight.reporters.terminal import TerminalReporter
from preflight.results import RunReport

MakeReport = Callable[..., RunReport]


def test_brackets_in_messages_and_paths_are_not_rich_markup(make_report: MakeReport) -> None:
    report = make_report()
    tagged = replace(report.results[1], message="tags [bold]missing[/bold] in [desktop, bybit]")
    report = replace(report, root="/srv/[prod]", results=(report.results[0], tagged, *report.results[2:]))
    text = TerminalReporter(color=False, width=120).render(report)
    assert "tags [bold]missing[/bold] in [desktop, bybit]" in text
    assert "/srv/[prod]" in text


def test_colour_only_when_asked(make_report: MakeReport) -> None:
    assert "\x1b[" in TerminalReporter(color=True).render(make_report())
    assert "\x1b[" not in TerminalReporter(color=False).render(make_report())


def test_a_long_unbreakable_title_is_folded_not_cut(make_report: MakeReport) -> None:
    report = make_report()
    node = "tests/exchanges/test_bybit_signing.py::test_bybit_adapter_populates_credentials_and_signs_request"
    first = replace(report.results[0], title=node)
    report = replace(report, results=(first, *report.results[1:]))
    text = TerminalReporter(color=False, width=100).render(report)
    assert "…" not in text
    assert node in "".join(line.strip() for line in text.splitlines())
