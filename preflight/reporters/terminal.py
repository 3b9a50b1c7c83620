"""The terminal report (rich): grouped by runbook section and item, evidence under every problem."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import IO

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from preflight.baseline import BaselineDiff, ChangeKind, describe
from preflight.reporters.layout import GLYPHS, NEEDS_DETAIL, duration_s, group_results, verdict_text
from preflight.results import CheckResult, RunReport, Status, Verdict
from preflight.textsafe import terminal as safe

STYLES: dict[Status, str] = {
    Status.PASS: "green",
    Status.FAIL: "bold red",
    Status.WARN: "yellow",
    Status.SKIP: "dim",
    Status.ERROR: "bold magenta",
    Status.WAIVED: "cyan",
}

_CHANGE_TITLES: tuple[tuple[ChangeKind, str], ...] = (
    (ChangeKind.NEW_FAILURE, "new failures"),
    (ChangeKind.FIXED, "fixed"),
    (ChangeKind.CHANGED, "other status changes"),
    (ChangeKind.NEW_CHECK, "new checks"),
    (ChangeKind.REMOVED_CHECK, "removed checks"),
)


def _status_cell(status: Status) -> Text:
    return Text(f"{GLYPHS[status]} {status.value.upper()}", style=STYLES[status])


def _detail_lines(result: CheckResult) -> Iterator[Text]:
    if result.status in NEEDS_DETAIL:
        yield Text(safe(result.message))
        for evidence in result.evidence:
            where = f" ({safe(str(evidence.location))})" if evidence.location else ""
            yield Text.assemble(
                "· ", (f"{safe(evidence.label)}: ", "bold"), safe(evidence.value), (where, "cyan")
            )
        if result.remediation:
            yield Text.assemble(("fix: ", "bold"), safe(result.remediation))
    elif result.status is Status.SKIP:
        yield Text(safe(result.message), style="dim")
    elif result.status is Status.WAIVED and result.waiver is not None:
        waiver = result.waiver
        was = f" (was {result.original_status.value})" if result.original_status else ""
        yield Text(f"{safe(result.message)}{was}", style="dim")
        yield Text.assemble(("waived: ", "bold cyan"), safe(waiver.justification))
        yield Text(f"approved by {safe(waiver.approver)}, expires {waiver.expires.isoformat()}", style="cyan")
    for note in result.notes:
        yield Text.assemble(("NOTE: ", "bold yellow"), safe(note))


def _check_table(results: tuple[CheckResult, ...]) -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True, min_width=8)
    table.add_column(ratio=1)
    for result in results:
        heading = Text.assemble((safe(result.check_id), "bold"), "  ", safe(result.title))
        lines = [heading, *_detail_lines(result)]
        for line in lines:
            line.overflow = "fold"  # a long node id or path must wrap, never lose its end to an ellipsis
        table.add_row(_status_cell(result.status), Group(*lines))
    return table


def _header(report: RunReport) -> Iterator[RenderableType]:
    yield Text.assemble(
        (f"preflight {report.tool_version}", "bold"),
        " — ",
        safe(report.runbook_title),
        f" ({safe(report.runbook_id)})",
    )
    facts = Table.grid(padding=(0, 2))
    facts.add_column(no_wrap=True, style="dim")
    facts.add_column()
    facts.add_row("entrypoint", Text(safe(report.entrypoint), style="bold"))
    facts.add_row("root", Text(safe(report.root)))  # Text, never str: a path may hold [brackets]
    facts.add_row(
        "started",
        f"{report.started_at.isoformat()}   took {duration_s(report):.2f} s   "
        f"fail on: {report.fail_on.value}",
    )
    for line in report.simulated:
        facts.add_row(Text("simulated", style="bold yellow"), Text(safe(line)))
    yield Padding(facts, (0, 0, 0, 2))


def _sections(report: RunReport) -> Iterator[RenderableType]:
    for group in group_results(report):
        yield Text("")
        yield Text(safe(group.section.title), style="bold underline")
        for item_group in group.items:
            item = item_group.item
            yield Padding(Text.assemble((safe(item.id), "bold"), " · ", safe(item.text)), (0, 0, 0, 2))
            yield Padding(_check_table(item_group.results), (0, 0, 0, 4))


def _notes(report: RunReport) -> Iterator[RenderableType]:
    if not report.notes:
        return
    yield Text("")
    for note in report.notes:
        yield Text.assemble(("!! NOTICE: ", "bold white on red"), (safe(note), "bold red"))


def _artefacts(report: RunReport) -> Iterator[RenderableType]:
    if not report.artefacts:
        return
    yield Text("")
    yield Text("Artefacts", style="bold underline")
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True)
    table.add_column()
    for name in sorted(report.artefacts):
        table.add_row(Text(safe(name)), Text(safe(report.artefacts[name])))
    yield Padding(table, (0, 0, 0, 2))


def baseline_lines(diff: BaselineDiff) -> Iterator[RenderableType]:
    """Yield the 'changes since baseline' block."""
    yield Text("")
    yield Text(
        f"Changes since baseline {safe(diff.baseline_path)} "
        f"({diff.baseline_started_at.isoformat()}, {diff.baseline_verdict.value})",
        style="bold underline",
    )
    if not diff.changes:
        yield Padding(Text("no check changed status"), (0, 0, 0, 2))
        return
    for kind, title in _CHANGE_TITLES:
        changes = diff.of_kind(kind)
        if changes:
            style = "bold red" if kind is ChangeKind.NEW_FAILURE else ""
            yield Padding(Text(f"{title} ({len(changes)})", style=style or "bold"), (0, 0, 0, 2))
            for change in changes:
                yield Padding(Text(safe(describe(change)), style=style), (0, 0, 0, 4))


def verdict_renderable(report: RunReport) -> Text:
    """Return the final verdict line, styled."""
    style = "bold white on green" if report.verdict is Verdict.GO else "bold white on red"
    head, _, tail = verdict_text(report).partition(" ")
    return Text.assemble((head, style), " ", safe(tail))


class TerminalReporter:
    """Render for a terminal; ``color=False`` gives plain text without any ANSI code."""

    name = "terminal"
    file_suffix = ".txt"

    def __init__(self, *, color: bool = False, width: int = 100, quiet: bool = False) -> None:
        self.color = color
        self.width = width
        self.quiet = quiet

    def renderables(
        self, report: RunReport, baseline: BaselineDiff | None = None
    ) -> Iterator[RenderableType]:
        """Yield the report's blocks in display order."""
        if not self.quiet:
            yield from _header(report)
            yield from _sections(report)
            yield from _artefacts(report)
            if baseline is not None:
                yield from baseline_lines(baseline)
            yield from _notes(report)
            yield Text("")
        yield verdict_renderable(report)

    def render(self, report: RunReport, baseline: BaselineDiff | None = None) -> str:
        """Return the report as text (with ANSI styles only when ``color``)."""
        return render_text(self.renderables(report, baseline), color=self.color, width=self.width)


def render_text(renderables: Iterable[RenderableType], *, color: bool, width: int) -> str:
    """Render rich blocks to text; plain (no ANSI) unless ``color``, without trailing blanks."""
    buffer = io.StringIO()
    console = make_console(buffer, color=color, width=width)
    for renderable in renderables:
        console.print(renderable)
    # rich pads grid cells to the full width; trailing blanks only make diffs and logs noisy.
    return "".join(line.rstrip(" ") + "\n" for line in buffer.getvalue().splitlines())


def make_console(file: IO[str], *, color: bool, width: int) -> Console:
    """Return a console that writes plain text unless ``color`` (no markup, no highlighting)."""
    return Console(
        file=file,
        width=width,
        force_terminal=color,
        color_system="standard" if color else None,
        no_color=not color,
        markup=False,
        emoji=False,
        highlight=False,
        soft_wrap=False,
        legacy_windows=False,
    )
