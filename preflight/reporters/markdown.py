"""The Markdown report: a summary table and every problem with its evidence (GITHUB_STEP_SUMMARY)."""

from __future__ import annotations

from collections.abc import Iterator

from preflight.baseline import BaselineDiff, ChangeKind, describe
from preflight.reporters.layout import (
    COUNT_ORDER,
    GLYPHS,
    duration_s,
    exception_lines,
    group_results,
    policy_text,
    verdict_head,
    verdict_text,
)
from preflight.results import CheckResult, RunReport, Status, Verdict
from preflight.textsafe import md_cell as cell
from preflight.textsafe import md_cell_code
from preflight.textsafe import md_code as _code
from preflight.textsafe import md_text as text

_ICONS = {Verdict.GO: "✅", Verdict.GO_WITH_EXCEPTIONS: "⚠️", Verdict.NO_GO: "❌"}

_CHANGE_TITLES: tuple[tuple[ChangeKind, str], ...] = (
    (ChangeKind.NEW_FAILURE, "New failures"),
    (ChangeKind.FIXED, "Fixed"),
    (ChangeKind.CHANGED, "Other status changes"),
    (ChangeKind.NEW_CHECK, "New checks"),
    (ChangeKind.REMOVED_CHECK, "Removed checks"),
)


def _header(report: RunReport) -> Iterator[str]:
    icon = _ICONS[report.verdict]
    yield f"## {icon} preflight: {verdict_head(report)} — {_code(report.entrypoint)}"
    yield ""
    yield (
        f"**Runbook:** {text(report.runbook_title)} ({_code(report.runbook_id)}) · "
        f"**root:** {_code(report.root)} · "
        f"**{policy_text(report)}** · **took:** {duration_s(report):.2f} s · "
        f"**preflight** {report.tool_version}"
    )
    yield ""
    if report.deployment_format or report.variables:  # the dialect read and the runbook's names (issue 13)
        shown = ", ".join(f"{k}={v}" for k, v in report.variables.items())
        yield f"**Deployment:** {report.deployment_format or ''} · **variables:** {_code(shown or '-')}"
        yield ""
    if report.incomplete:
        yield "> **⚠️ INCOMPLETE:** the run was interrupted; checks that did not run are missing."
        yield ""
    for note in report.notes:
        yield f"> **⚠️ NOTICE:** {text(note)}"
        yield ""
    if report.simulated:
        yield "**Simulated:** " + "; ".join(text(line) for line in report.simulated)
        yield ""
    if report.paper_source is not None:
        yield "**Paper evidence:** " + cell(report.paper_source.headline().removeprefix("Paper evidence: "))
        yield ""


def _exceptions(report: RunReport) -> Iterator[str]:
    lines = exception_lines(report)
    if not lines:
        return
    suffix = " — NO-GO under --require-real" if report.require_real else ""
    count = sum(e.count for e in report.exceptions)
    yield f"### Exceptions ({count}): not proven against the real thing{suffix}"
    yield ""
    yield from (f"- {cell(line)}" for line in lines)
    yield ""


def _summary_table(report: RunReport) -> Iterator[str]:
    labels = [f"{GLYPHS[status]} {label}" for status, label in COUNT_ORDER]
    yield "| Section | " + " | ".join(labels) + " |"
    yield "|---|" + "---:|" * len(labels)
    for group in group_results(report):
        results = [r for item in group.items for r in item.results]
        counts = [sum(r.status is status for r in results) for status, _ in COUNT_ORDER]
        yield f"| {cell(group.section.title)} | " + " | ".join(str(n) for n in counts) + " |"
    totals = report.counts()
    yield "| **Total** | " + " | ".join(f"**{totals[status]}**" for status, _ in COUNT_ORDER) + " |"
    yield ""


def _problem(result: CheckResult, where: str) -> Iterator[str]:
    status = f"{GLYPHS[result.status]} {result.status.value.upper()}"
    yield f"#### {status} {_code(result.check_id)} — {text(result.title)}"
    yield ""
    yield f"*{text(where)}* · severity {result.severity.value}"
    yield ""
    yield text(result.message)
    yield ""
    for evidence in result.evidence:
        location = f" — {_code(str(evidence.location))}" if evidence.location else ""
        yield f"- **{text(evidence.label)}:** {text(evidence.value)}{location}"
    for note in result.notes:
        yield f"- **note:** {text(note)}"
    if result.evidence or result.notes:
        yield ""
    if result.remediation:
        yield f"**Fix:** {text(result.remediation)}"
        yield ""


def _problems(report: RunReport, statuses: frozenset[Status], title: str) -> Iterator[str]:
    found = [
        (result, f"{group.section.title} › {item.item.id}")
        for group in group_results(report)
        for item in group.items
        for result in item.results
        if result.status in statuses
    ]
    if not found:
        return
    yield f"### {title} ({len(found)})"
    yield ""
    for result, where in found:
        yield from _problem(result, where)


def _waived(report: RunReport) -> Iterator[str]:
    waived = [(r, r.waiver) for r in report.results if r.status is Status.WAIVED and r.waiver is not None]
    if not waived:
        return
    yield f"### Waived ({len(waived)})"
    yield ""
    yield "| Check | Was | Justification | Approver | Expires |"
    yield "|---|---|---|---|---|"
    for result, waiver in waived:
        was = result.original_status.value if result.original_status else "fail"
        yield (
            f"| {md_cell_code(result.check_id)} | {was} | {cell(waiver.justification)} | "
            f"{cell(waiver.approver)} | {waiver.expires.isoformat()} |"
        )
    yield ""


def baseline_markdown(diff: BaselineDiff) -> Iterator[str]:
    """Yield the 'changes since baseline' block."""
    yield "### Changes since baseline"
    yield ""
    yield (
        f"Baseline {_code(diff.baseline_path)} from {diff.baseline_started_at.isoformat()} "
        f"({diff.baseline_verdict.value})."
    )
    yield ""
    if not diff.changes:
        yield "No check changed status."
        yield ""
        return
    for kind, title in _CHANGE_TITLES:
        changes = diff.of_kind(kind)
        if changes:
            yield f"**{title} ({len(changes)})**"
            yield ""
            yield from (f"- {cell(describe(change))} — {text(change.title)}" for change in changes)
            yield ""


class MarkdownReporter:
    """Render the report as GitHub-flavoured Markdown."""

    name = "markdown"
    file_suffix = ".md"

    def render(self, report: RunReport, baseline: BaselineDiff | None = None) -> str:
        """Return the Markdown text."""
        lines = [*_header(report), *_summary_table(report)]
        lines += _problems(report, frozenset({Status.FAIL, Status.ERROR}), "Failures and errors")
        lines += _problems(report, frozenset({Status.WARN}), "Warnings")
        lines += _waived(report)
        lines += _exceptions(report)
        if baseline is not None:
            lines += baseline_markdown(baseline)
        if report.artefacts:
            lines += ["### Artefacts", ""]
            lines += [f"- {text(name)}: {_code(report.artefacts[name])}" for name in sorted(report.artefacts)]
            lines.append("")
        lines.append(f"**Verdict:** {verdict_text(report)}")
        return "\n".join(lines) + "\n"
