"""Shared presentation helpers: results grouped as the runbook reads, status glyphs, count lines."""

from __future__ import annotations

from dataclasses import dataclass

from preflight.results import (
    CheckResult,
    ItemInfo,
    RunException,
    RunReport,
    SectionInfo,
    Status,
    Verdict,
    exception_summary,
)

GLYPHS: dict[Status, str] = {
    Status.PASS: "✓",
    Status.FAIL: "✗",
    Status.WARN: "!",
    Status.SKIP: "-",
    Status.ERROR: "E",
    Status.WAIVED: "~",
}

# The order statuses are counted in on a verdict line: problems first.
COUNT_ORDER: tuple[tuple[Status, str], ...] = (
    (Status.PASS, "passed"),
    (Status.FAIL, "failed"),
    (Status.ERROR, "error"),
    (Status.WARN, "warning"),
    (Status.WAIVED, "waived"),
    (Status.SKIP, "skipped"),
)

# Statuses whose message, evidence and remediation a reader needs to see.
NEEDS_DETAIL = frozenset({Status.FAIL, Status.ERROR, Status.WARN})

UNPLACED_SECTION = SectionInfo(id="other", title="Other checks", kind="checklist", items=())
UNPLACED_ITEM = ItemInfo(id="other", text="Checks not placed in a runbook item", check_ids=())


@dataclass(frozen=True)
class ItemGroup:
    """One runbook item with the results of its checks, in runbook order."""

    item: ItemInfo
    results: tuple[CheckResult, ...]


@dataclass(frozen=True)
class SectionGroup:
    """One runbook section with its items that have results."""

    section: SectionInfo
    items: tuple[ItemGroup, ...]


def group_results(report: RunReport) -> tuple[SectionGroup, ...]:
    """Group results by section and item in runbook order; results the sections do not name come last."""
    by_key: dict[tuple[str, str], list[CheckResult]] = {}
    for result in report.results:
        by_key.setdefault((result.section_id, result.item_id), []).append(result)
    groups: list[SectionGroup] = []
    for section in report.sections:
        items = tuple(
            ItemGroup(item, tuple(by_key.pop((section.id, item.id))))
            for item in section.items
            if (section.id, item.id) in by_key
        )
        if items:
            groups.append(SectionGroup(section, items))
    leftovers = tuple(result for results in by_key.values() for result in results)
    if leftovers:
        groups.append(SectionGroup(UNPLACED_SECTION, (ItemGroup(UNPLACED_ITEM, leftovers),)))
    return tuple(groups)


def _plural(label: str, count: int) -> str:
    # "passed"/"failed"/"waived"/"skipped" read the same for any count; nouns take an "s".
    return "s" if count != 1 and label in ("error", "warning") else ""


def counts_text(report: RunReport) -> str:
    """Return ``3 passed · 1 failed · ...`` with every non-zero count (``no checks`` when empty)."""
    counts = report.counts()
    parts = [
        f"{counts[status]} {label}{_plural(label, counts[status])}"
        for status, label in COUNT_ORDER
        if counts[status]
    ]
    return " · ".join(parts) if parts else "no checks"


def verdict_head(report: RunReport) -> str:
    """Return the verdict word with what it rests on: ``GO WITH EXCEPTIONS (6 simulated, 3 skipped)``."""
    summary = exception_summary(report.exceptions)
    if report.incomplete:
        return f"{report.verdict.value} (INCOMPLETE: the run was interrupted)"
    if report.verdict is Verdict.GO_WITH_EXCEPTIONS:
        return f"{report.verdict.value} ({summary})"
    failed = any(r.status in (Status.FAIL, Status.ERROR) for r in report.results)
    if report.verdict is Verdict.NO_GO and report.require_real and summary and not failed:
        return f"{report.verdict.value} (--require-real: {summary})"
    return report.verdict.value


def policy_text(report: RunReport) -> str:
    """Return the gate policy the verdict was decided under: ``fail on: fail`` (+ ``require real``)."""
    return f"fail on: {report.fail_on.value}" + (", require real" if report.require_real else "")


def verdict_text(report: RunReport) -> str:
    """Return the one verdict line every format starts and ends with."""
    return f"{verdict_head(report)} — {counts_text(report)} ({policy_text(report)})"


def exception_lines(report: RunReport) -> tuple[str, ...]:
    """Return the run's exceptions worded alike in every output: one line per check, or per shared reason.

    Checks skipped for the same reason (``--no-paper``) make one line naming how many and which, so a
    list of 28 identical skips does not hide the one simulated key check.
    """
    from preflight.reporters.recap import some_ids

    groups: dict[tuple[str, str], list[RunException]] = {}
    for exception in report.exceptions:
        groups.setdefault((exception.kind.value, exception.reason), []).append(exception)
    lines = []
    for (kind, reason), members in groups.items():
        ids = [e.check_id for e in members if e.check_id]
        if len(ids) > 1:
            lines.append(f"{kind} ({len(ids)} checks: {some_ids(ids, limit=10)}): {reason}")
        else:
            lines.extend(str(e) for e in members)
    return tuple(lines)


def duration_s(report: RunReport) -> float:
    """Return the run's wall time in seconds."""
    return max(0.0, (report.finished_at - report.started_at).total_seconds())
