"""What the guardrails., report. and smoke. check kinds conclude from the bot's own evidence.

Each function returns the check's outcome. A source the run was not given, or an expectation the source
cannot express, is a skip saying so — an exception in the verdict, never a pass.
"""

from __future__ import annotations

from collections.abc import Sequence

from preflight.context import RunContext
from preflight.errors import Location, PreflightError
from preflight.evidence.exports import guardrail_records, guardrail_rows, kpi_counts
from preflight.evidence.guardrail_text import EXPRESSIBLE, read_events
from preflight.evidence.provider import BotEvidence, bot_evidence
from preflight.results import Evidence, Outcome, Status


def evidence_or_outcome(ctx: RunContext) -> BotEvidence | Outcome:
    """Return the bot's evidence, or the error every dependent check reports when it cannot be read."""
    from preflight.rootcause import failed_because

    try:
        return bot_evidence(ctx)
    except PreflightError as error:
        # Reported once, by the first check that meets it; the others point at that check.
        return failed_because(
            ctx,
            error,
            lead="the bot's evidence could not be read: ",
            fix="Pass --evidence a run_local_bot report, or the folder holding the bot's reports and logs.",
            status=Status.ERROR,
        )


def guardrail_outcome(ctx: RunContext, forbid: Sequence[str]) -> Outcome:
    """Judge ``events.log``: bot_core records throttles (RATE_LIMIT) and timeouts, nothing else."""
    evidence = evidence_or_outcome(ctx)
    if isinstance(evidence, Outcome):
        return evidence
    judged = [kind for kind in forbid if kind in EXPRESSIBLE]
    if not judged:
        return Outcome.skipped(
            f"bot_core's events.log records io_queue waits (RATE_LIMIT lines = throttle) and timeouts only: "
            f"it cannot show the absence of {' / '.join(forbid)} events; the paper. metrics judge those"
        )
    if evidence.report is None:
        return Outcome.skipped("no --evidence report: the bot's guardrail log (events.log) was not given")
    if evidence.events_log is None:
        looked = ", ".join(evidence.events_log_looked) or "no io_queue.log_directory configured"
        return Outcome.failed(
            f"no events.log from the bot's guardrails ({looked}): nothing shows its io_queue was watched; "
            "initialise the guardrails (io_queue.log_directory) and run the bot again"
        )
    shown = evidence.shown(evidence.events_log)
    try:
        lines = read_events(evidence.events_log, shown)
    except PreflightError as error:
        return Outcome.errored(str(error))
    hits = [line for line in lines if line.type in judged]
    counts = ", ".join(f"{kind} {sum(1 for h in hits if h.type == kind)}" for kind in judged)
    found = [Evidence("events", counts), Evidence("guardrail log", shown)]
    if not hits:
        return Outcome.passed(
            f"no {' / '.join(judged)} events in the bot's events.log ({len(lines)} lines)", *found
        )
    first = hits[0]
    found.append(Evidence("first offending line", first.text[:300], Location(shown, first.number)))
    return Outcome.failed(f"the bot's events.log records {len(hits)} {' / '.join(judged)} event(s)", *found)


def _agreement(evidence: BotEvidence) -> Outcome | None:
    """Return the failure when the export's KPI counts disagree with the JSON report, else None."""
    assert evidence.export is not None and evidence.report is not None
    shown, report_name = evidence.shown(evidence.export), evidence.shown(evidence.report.file)
    counts = kpi_counts(evidence.export)
    for what, stated, line, actual in (
        ("warning", counts.warnings, counts.warnings_line, len(evidence.report.warnings)),
        ("error", counts.errors, counts.errors_line, len(evidence.report.errors)),
    ):
        where = Location(shown, line) if line else Location(shown)
        if stated is None:
            return Outcome.failed(
                f"the export {shown} states no {what} count in its KPI table", Evidence("export", shown)
            )
        if stated != actual:
            return Outcome.failed(
                f"the export {shown} states {stated} {what}(s), the JSON report {report_name} holds "
                f"{actual}: the export disagrees with the report (run_local_bot adds warnings after "
                "writing it)",
                Evidence(f"export {what} count", str(stated), where),
                Evidence(f"report {what}s", str(actual), Location(report_name)),
            )
    return None


def export_outcome(ctx: RunContext, forbid_words: Sequence[str], agree: bool) -> Outcome:
    """Judge the bot's Markdown exports: present, not empty, no throttling, counts agreeing with the JSON."""
    evidence = evidence_or_outcome(ctx)
    if isinstance(evidence, Outcome):
        return evidence
    if evidence.report is None:
        return Outcome.skipped("no --evidence report: the bot's Markdown exports were not given")
    report_name = evidence.shown(evidence.report.file)
    if evidence.export is None:
        return Outcome.failed(
            f"no demo_paper Markdown export pairs with {report_name} (report_markdown, or "
            "reports/e2e/demo_paper_<mode>_<finished_at>.md); pass the folder holding the bot's exports"
        )
    shown = evidence.shown(evidence.export)
    if not evidence.export.text.strip():
        return Outcome.failed(f"the Markdown export {shown} is empty", Evidence("export", shown))
    for file in (evidence.export, evidence.guardrail_export):
        if file is None:
            continue
        for number, line in enumerate(file.text.splitlines(), start=1):
            word = next((w for w in forbid_words if w.lower() in line.lower()), None)
            if word is not None:
                return Outcome.failed(
                    f"the export {evidence.shown(file)} records {word} (line {number})",
                    Evidence("line", line.strip()[:300], Location(evidence.shown(file), number)),
                )
    if forbid_words and evidence.guardrail_export is not None:
        gshown = evidence.shown(evidence.guardrail_export)
        busy = [r for r in guardrail_rows(evidence.guardrail_export) if r.waits or r.timeouts]
        records = guardrail_records(evidence.guardrail_export)
        if busy or records:
            number, text = (busy[0].number, busy[0].text) if busy else records[0]
            return Outcome.failed(
                f"the guardrail export {gshown} records io_queue waits or timeouts (throttling)",
                Evidence("line", text[:300], Location(gshown, number)),
            )
    if agree:
        disagreement = _agreement(evidence)
        if disagreement is not None:
            return disagreement
        return Outcome.passed(
            f"the export {shown} states the JSON report's {len(evidence.report.warnings)} warning(s) and "
            f"{len(evidence.report.errors)} error(s)",
            Evidence("export", shown),
            Evidence("report", report_name),
        )
    extra = (
        [Evidence("guardrail export", evidence.shown(evidence.guardrail_export))]
        if evidence.guardrail_export
        else []
    )
    return Outcome.passed(
        f"the bot's Markdown export is present ({len(evidence.export.text)} characters) and records no "
        f"{' / '.join(forbid_words) or 'problem'}",
        Evidence("export", shown),
        *extra,
    )
