"""The terminal report (rich): verdict first and last, grouped by runbook item, problems in full.

Items whose checks all passed against the real thing fold to one line (``verbose`` lists every check);
a check blocked by another is named once under its root cause; the recap at the end lists each root
cause with where it is and its fix, then the exceptions the verdict accepts.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import IO

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from preflight.baseline import BaselineDiff, ChangeKind, describe
from preflight.reporters.layout import (
    GLYPHS,
    NEEDS_DETAIL,
    duration_s,
    exception_lines,
    group_results,
    policy_text,
    verdict_text,
)
from preflight.reporters.recap import blocker_of, is_plain_pass, problem_ids, root_causes, some_ids
from preflight.results import CheckResult, ItemInfo, RunReport, Status, Verdict
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


def _row(table: Table, result: CheckResult, lines: list[Text]) -> None:
    for line in lines:
        line.overflow = "fold"  # a long node id or path must wrap, never lose its end to an ellipsis
    table.add_row(_status_cell(result.status), Group(*lines))


def _check_table(results: tuple[CheckResult, ...], *, verbose: bool, present: frozenset[str]) -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True, min_width=8)
    table.add_column(ratio=1)
    blocked: dict[str, list[str]] = {}
    skipped = _shared_skips(results) if not verbose else {}
    passed = 0
    for result in results:
        root = blocker_of(result, present)
        if root is not None:  # named once, under its root cause, not with a misleading fix of its own
            blocked.setdefault(root, []).append(result.check_id)
            continue
        if is_plain_pass(result) and not verbose:
            passed += 1
            continue
        if result.message in skipped:
            continue
        heading = Text.assemble((safe(result.check_id), "bold"), "  ", safe(result.title))
        if result.simulated:
            heading.append(f"  (simulated: {safe(result.simulated)})", style="yellow")
        _row(table, result, [heading, *_detail_lines(result)])
    for root, ids in blocked.items():
        status = Text(f"{GLYPHS[Status.FAIL]} BLOCKED", style="red")
        line = Text(f"{len(ids)} blocked by {root}: {some_ids(ids)}", style="red")
        line.overflow = "fold"
        table.add_row(status, line)
    for message, ids in skipped.items():
        line = Text(f"{len(ids)} skipped ({some_ids(ids)}): {safe(message)}", style="dim")
        line.overflow = "fold"
        table.add_row(_status_cell(Status.SKIP), line)
    if passed:
        table.add_row(_status_cell(Status.PASS), Text(f"{passed} more passed", style="green"))
    return table


def _shared_skips(results: tuple[CheckResult, ...]) -> dict[str, list[str]]:
    """Return skip message -> check ids, for messages several checks of one item share."""
    by_message: dict[str, list[str]] = {}
    for result in results:
        if result.status is Status.SKIP and not result.notes:
            by_message.setdefault(result.message, []).append(result.check_id)
    return {message: ids for message, ids in by_message.items() if len(ids) > 1}


def _item_line(item: ItemInfo, results: tuple[CheckResult, ...]) -> Text:
    """Return one folded line for an item whose checks all passed against the real thing."""
    count = f"{len(results)} passed" if len(results) > 1 else safe(results[0].check_id)
    line = Text.assemble(
        (f"{GLYPHS[Status.PASS]} ", STYLES[Status.PASS]), (safe(item.id), "bold"), " · ", safe(item.text)
    )
    line.append(f"  ({count})", style="green")
    line.overflow = "fold"
    return line


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
    facts.add_row(
        "root", Text(safe(report.root), overflow="fold")
    )  # Text, never str: a path may hold [brackets]
    if report.deployment_format:  # the dialect the root is read in, and why (issue 13)
        facts.add_row("format", Text(safe(report.deployment_format.removeprefix("format ")), overflow="fold"))
    if report.variables:
        facts.add_row(
            "variables",
            Text(safe(", ".join(f"{k}={v}" for k, v in report.variables.items())), overflow="fold"),
        )
    facts.add_row(
        "started",
        f"{report.started_at.isoformat()}   took {duration_s(report):.2f} s   {policy_text(report)}",
    )
    for line in report.simulated:
        facts.add_row(Text("simulated", style="bold yellow"), Text(safe(line)))
    if report.paper_source is not None:
        facts.add_row(
            "paper evidence", Text(safe(report.paper_source.headline().removeprefix("Paper evidence: ")))
        )
    yield Padding(facts, (0, 0, 0, 2))


def _sections(report: RunReport, *, verbose: bool) -> Iterator[RenderableType]:
    present = problem_ids(report)
    for group in group_results(report):
        yield Text("")
        yield Text(safe(group.section.title), style="bold underline")
        for item_group in group.items:
            item, results = item_group.item, item_group.results
            if not verbose and all(is_plain_pass(r) for r in results):
                yield Padding(_item_line(item, results), (0, 0, 0, 2))
                continue
            yield Padding(Text.assemble((safe(item.id), "bold"), " · ", safe(item.text)), (0, 0, 0, 2))
            yield Padding(_check_table(results, verbose=verbose, present=present), (0, 0, 0, 4))


def recap(report: RunReport) -> Iterator[RenderableType]:
    """Yield 'what failed and why': each root cause once, where it is, its fix, what it blocked."""
    causes = root_causes(report)
    if not causes:
        return
    yield Text("")
    failing = sum(1 for c in causes if c.result.status is not Status.WARN)
    blocked = sum(len(c.blocked) for c in causes)
    title = f"What failed and why: {failing} root cause{'s' if failing != 1 else ''}"
    if len(causes) > failing:
        title += f", {len(causes) - failing} warning{'s' if len(causes) - failing != 1 else ''}"
    if blocked:
        by = "it" if len(causes) == 1 else "them"
        title += f"; {blocked} more check{'s' if blocked != 1 else ''} blocked by {by}"
    yield Text(title, style="bold underline")
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True, min_width=8)
    table.add_column(ratio=1)
    for cause in causes:
        result = cause.result
        lines = [Text.assemble((safe(result.check_id), "bold"), "  ", safe(result.message))]
        where = next((e.location for e in result.evidence if e.location is not None), None)
        if where is not None:
            lines.append(Text.assemble(("at: ", "bold"), (safe(str(where)), "cyan")))
        if result.remediation:
            lines.append(Text.assemble(("fix: ", "bold"), safe(result.remediation)))
        if cause.blocked:
            ids = some_ids([r.check_id for r in cause.blocked])
            plural = "s" if len(cause.blocked) != 1 else ""
            lines.append(Text(f"blocks {len(cause.blocked)} other check{plural}: {ids}", style="red"))
        _row(table, result, lines)
    yield Padding(table, (0, 0, 0, 2))


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
        table.add_row(Text(safe(name)), Text(safe(report.artefacts[name]), overflow="fold"))  # never cut
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


_VERDICT_STYLES = {
    Verdict.GO: "bold white on green",
    Verdict.GO_WITH_EXCEPTIONS: "bold black on yellow",
    Verdict.NO_GO: "bold white on red",
}


def verdict_renderable(report: RunReport) -> Text:
    """Return the verdict line, styled (the report's first and last line)."""
    word = report.verdict.value
    tail = verdict_text(report)[len(word) :]
    return Text.assemble((word, _VERDICT_STYLES[report.verdict]), " ", safe(tail.strip()))


def exceptions_block(report: RunReport) -> Iterator[RenderableType]:
    """Yield the list of exceptions the verdict accepts (nothing when there are none)."""
    lines = exception_lines(report)
    if not lines:
        return
    yield Text("")
    title = "Exceptions" + (" (NO-GO under --require-real)" if report.require_real else "")
    count = sum(e.count for e in report.exceptions)
    yield Text(f"{title} ({count}): not proven against the real thing", style="bold underline")
    for line in lines:
        text = Text(safe(line), style="yellow")
        text.overflow = "fold"
        yield Padding(text, (0, 0, 0, 2))


class TerminalReporter:
    """Render for a terminal; ``color=False`` gives plain text without any ANSI code."""

    name = "terminal"
    file_suffix = ".txt"

    def __init__(
        self, *, color: bool = False, width: int = 100, quiet: bool = False, verbose: bool = False
    ) -> None:
        self.color = color
        self.width = width
        self.quiet = quiet
        self.verbose = verbose  # every passing check on its own line, not one line per runbook item

    def renderables(
        self, report: RunReport, baseline: BaselineDiff | None = None
    ) -> Iterator[RenderableType]:
        """Yield the report's blocks in display order."""
        if not self.quiet:
            yield verdict_renderable(report)
            yield from _header(report)
            yield from _sections(report, verbose=self.verbose)
            yield from _artefacts(report)
            if baseline is not None:
                yield from baseline_lines(baseline)
            yield from _notes(report)
            yield from recap(report)
            yield from exceptions_block(report)
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
