"""Render a run report as the Markdown sign-off that mirrors the runbook document.

Order: title, simulation banner, verdict, every runbook section with ``[x]``/``[ ]`` items and their
evidence, the paper session's metrics, waivers, notices, input digests, and the attestation (operator,
time, tool version, runbook id) ending in the verdict line. The output is pure text: signing and
writing are :mod:`preflight.signoff.service`'s job.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from preflight.reporters.layout import exception_lines
from preflight.results import CheckResult, Evidence, RunReport, Status
from preflight.signoff.assess import Assessment, ItemAssessment, ItemState, SignoffVerdict
from preflight.signoff.digests import DigestRow, display_path
from preflight.signoff.metrics_table import parse_paper_metrics, render_paper_metrics
from preflight.textsafe import md_cell, md_cell_code, one_line
from preflight.textsafe import md_code as code
from preflight.textsafe import md_text as plain

_VALUE_LIMIT = 80  # longer evidence values are cut: the evidence line stays one readable line

_MEANING = {
    SignoffVerdict.GO: "every required item of the runbook is ticked: all of its checks passed.",
    SignoffVerdict.GO_WITH_EXCEPTIONS: (
        "no check failed, but the exceptions listed below ran against a simulator, were skipped "
        "(or offline), waived, only warned or not run: they are not verified against the real thing, "
        "and whoever signs this accepts them as exceptions."
    ),
    SignoffVerdict.NO_GO: (
        "at least one check failed or errored, or the run did not complete — do not go live; fix the "
        "items marked FAILED and run the sign-off again."
    ),
}

_COUNT_WORDS = {
    Status.PASS: "passed",
    Status.FAIL: "failed",
    Status.ERROR: "errors",
    Status.WARN: "warnings",
    Status.SKIP: "skipped",
    Status.WAIVED: "waived",
}

_STATE_WORD = {
    ItemState.FAILED: "FAILED",
    ItemState.WAIVED: "waived",
    ItemState.WARNED: "warning",
    ItemState.SKIPPED: "skipped",
    ItemState.SIMULATED: "simulated",
    ItemState.NOT_RUN: "not run",
    ItemState.NO_CHECKS: "not evaluated",
}


@dataclass(frozen=True)
class SignoffMeta:
    """Who signs, when, with which tool and key, and how the report was obtained."""

    operator: str
    signed_at: datetime
    tool_version: str
    key_id: str
    source: str  # "a fresh run of the runbook" or "report <path>"
    variables: Mapping[str, str] = field(default_factory=dict)  # runbook variables for item text


def utc(moment: datetime) -> str:
    """Format a time as UTC ISO-8601 (``2026-11-24T21:40:00Z``); naive times are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _template(text: str, variables: Mapping[str, str]) -> str:
    # The runbook's text is the renderer's own Markdown; the values put into it are data.
    text = one_line(text)
    for name, value in variables.items():
        text = text.replace("{" + name + "}", plain(value))
    return text


def _where(evidence: Evidence, root: str) -> str:
    location = evidence.location
    if location is None:
        return ""
    # Locations under the deployment root are shown relative to it, like the runbook names them.
    shown = display_path(location.file, Path(root)) if root else location.file
    return f" ({plain(str(replace(location, file=shown)))})"


def _evidence(evidence: Evidence, root: str) -> str:
    value = one_line(evidence.value)
    if len(value) > _VALUE_LIMIT:
        value = value[: _VALUE_LIMIT - 1] + "…"
    return f"{plain(evidence.label)} {code(value)}{_where(evidence, root)}"


def evidence_line(results: Iterable[CheckResult], root: str = "") -> str:
    """Return one line of evidence for an item: the values found and where, each piece once."""
    pieces: dict[str, None] = {}  # ordered and without repeats: several checks often cite one value
    for result in results:
        if result.evidence:
            pieces.update((_evidence(e, root), None) for e in result.evidence)
        elif result.status is Status.PASS:  # other statuses state their message on their own line
            pieces[f"{code(result.check_id)}: {plain(result.message)}"] = None
    return "; ".join(pieces) if pieces else "none recorded"


def _problem(result: CheckResult) -> str | None:
    """Say why a result does not count as passed (without the check id), or None when it passed."""
    message = plain(result.message)
    if result.status is Status.WAIVED and result.waiver is not None:
        waiver = result.waiver
        before = f" (was {result.original_status}: {message})" if result.original_status else f" ({message})"
        justification = plain(waiver.justification)
        return f"waived by {plain(waiver.approver)} until {utc(waiver.expires)}: {justification}{before}"
    if result.status is Status.SKIP:
        return f"skipped: {message}"
    if result.status in (Status.FAIL, Status.ERROR):
        fix = f" Fix: {plain(result.remediation)}" if result.remediation else ""
        return f"**{'FAILED' if result.status is Status.FAIL else 'ERROR'}**: {message}{fix}"
    if result.status is Status.WARN:
        return f"warning: {message}"
    if result.status is Status.WAIVED:
        return f"waived: {message}"
    if result.simulated:
        return f"simulated: {plain(result.simulated)}"
    return None


def problem_lines(results: Iterable[CheckResult]) -> list[str]:
    """Return one line per distinct problem, naming every check it applies to (``a``, ``b`` skipped: ...)."""
    grouped: dict[str, list[str]] = {}
    for result in results:
        problem = _problem(result)
        if problem is not None:
            grouped.setdefault(problem, []).append(code(result.check_id))
    return [f"{', '.join(ids)} {problem}" for problem, ids in grouped.items()]


def _item_lines(assessment: ItemAssessment, kind: str, variables: Mapping[str, str], root: str) -> list[str]:
    box = "[x]" if assessment.ticked else "[ ]"
    label = f"**Step {assessment.number}.** " if kind == "steps" else ""
    state = "" if assessment.ticked else f" — **{_STATE_WORD[assessment.state]}**"
    lines = [f"- {box} {label}{_template(assessment.item.text, variables)}{state}"]
    if assessment.state is ItemState.NO_CHECKS:
        lines.append("  - not evaluated: the runbook declares no check for this item.")
        return lines
    own = assessment.own_results
    if own:
        lines.append(f"  - Evidence: {evidence_line(own, root)}")
    referenced = [r for r in assessment.results if r not in own]
    if referenced:
        # The evidence of checks proven elsewhere is already shown at their own item; say so, not again.
        passed_here = sum(1 for r in referenced if r.status is Status.PASS)
        selectors = ", ".join(code(s) for s in assessment.see)
        lines.append(
            f"  - Proven by the {selectors} checks shown above: {passed_here}/{len(referenced)} passed."
        )
    lines.extend(f"  - {line}" for line in problem_lines(assessment.results))
    lines.extend(
        f"  - {code(missing)} not run: no result in the report (not selected, or the run stopped early)."
        for missing in assessment.missing
    )
    passed = sum(1 for r in assessment.results if r.status is Status.PASS)
    total = len(assessment.results) + len(assessment.missing)
    ids = [code(r.check_id) for r in assessment.results]
    ids += [f"{code(missing)} (not run)" for missing in assessment.missing]
    lines.append(f"  - Checks ({passed}/{total} passed): {', '.join(ids)}")
    return lines


def _banner(report: RunReport) -> list[str]:
    if not report.simulated:
        return ["> **Nothing was simulated.** No part of this run used the embedded exchange simulator."]
    lines = [
        "> **SIMULATED — not everything below touched the real exchange.** These parts of the run ran "
        "against the embedded simulator (or other stand-ins), not Bybit:",
        ">",
    ]
    lines += [f"> - {plain(line)}" for line in report.simulated]
    lines += [
        ">",
        f"> **Real:** every other check read this deployment's own files under {code(report.root)} "
        "(configuration, license, fingerprint, secrets store).",
    ]
    return lines


def _deployment_lines(report: RunReport) -> list[str]:
    """Name the deployment format and the runbook variables the run used (issue 13), when recorded."""
    if not report.deployment_format and not report.variables:
        return []
    names = ", ".join(f"{name}={value}" for name, value in report.variables.items()) or "-"
    return [f"Deployment {report.deployment_format or '-'} · variables {code(names)}", ""]


def _counts(report: RunReport) -> str:
    counts = report.counts()
    words = [f"{counts[status]} {word}" for status, word in _COUNT_WORDS.items()]
    return f"Checks: {', '.join(words)} ({len(report.results)} in all; fail-on {report.fail_on})."


def _waiver_lines(report: RunReport) -> list[str]:
    waived = [r for r in report.results if r.waiver is not None]
    if not waived:
        return ["None."]
    lines = [
        "| Check | Approver | Expires (UTC) | Justification | Status before the waiver |",
        "|---|---|---|---|---|",
    ]
    for result in waived:
        assert result.waiver is not None  # narrowed by the filter above
        cells = (
            md_cell_code(result.check_id),
            md_cell(result.waiver.approver),
            utc(result.waiver.expires),
            md_cell(result.waiver.justification),
            str(result.original_status or result.status),
        )
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _digest_lines(digests: Iterable[DigestRow]) -> list[str]:
    lines = ["| File | SHA-256 | Digested by |", "|---|---|---|"]
    for row in digests:
        sha = code(row.sha256) if row.sha256 else "(file not found)"
        lines.append(f"| {md_cell_code(row.path)} | {sha} | {row.recorded_by} |")
    return lines


def _attestation(report: RunReport, assessment: Assessment, meta: SignoffMeta) -> list[str]:
    version = f"preflight {meta.tool_version}"
    if report.tool_version != meta.tool_version:
        version += f" (the run: preflight {report.tool_version})"
    rows = (
        ("Verdict", f"**{assessment.verdict}**"),
        ("Operator", plain(meta.operator)),
        ("Signed at (UTC)", utc(meta.signed_at)),
        ("Run (UTC)", f"{utc(report.started_at)} to {utc(report.finished_at)}"),
        ("Evaluated from", plain(meta.source)),
        ("Tool version", plain(version)),
        ("Runbook", f"{md_cell_code(report.runbook_id)} — {plain(report.runbook_title)}"),
        ("Entrypoint", md_cell_code(report.entrypoint)),
        ("Signing key", f"Ed25519, key id {code(meta.key_id)} (public key in the signature block below)"),
    )
    return ["| Field | Value |", "|---|---|", *(f"| {name} | {value} |" for name, value in rows)]


def render_signoff(
    report: RunReport, assessment: Assessment, digests: Iterable[DigestRow], meta: SignoffMeta
) -> str:
    """Return the unsigned Markdown sign-off (ends with a newline)."""
    variables = {**meta.variables, "entrypoint": report.entrypoint}
    verdict = assessment.verdict
    lines = [
        f"# Go-live sign-off: {plain(report.runbook_title)}",
        "",
        f"Entrypoint {code(report.entrypoint)} · runbook {code(report.runbook_id)} · exchange "
        f"{plain(report.exchange)} · deployment {code(report.root)}",
        "",
        *_deployment_lines(report),
        *_banner(report),
        "",
        f"## Verdict: {verdict.verdict}",
        "",
        f"**{verdict}** — {_MEANING[verdict.verdict]}",
        "",
        _counts(report),
    ]
    if report.exceptions:
        count = sum(e.count for e in report.exceptions)
        lines += ["", f"Exceptions ({count}): not proven against the real thing", ""]
        lines += [f"- {plain(line)}" for line in exception_lines(report)]
    if report.incomplete:
        lines += ["", "**The run was interrupted: its report is incomplete.**"]
    for section in report.sections:
        lines += ["", f"## {plain(section.title)}", ""]
        for item in assessment.for_section(section.id):
            lines += _item_lines(item, section.kind, variables, report.root)
    if assessment.unassigned:
        lines += ["", "## Checks outside the runbook's items", ""]
        for result in assessment.unassigned:
            lines.append(f"- {code(result.check_id)} {result.status}: {plain(result.message)}")
    lines += ["", "## Paper session metrics", ""]
    if report.paper_source is not None:
        source = report.paper_source
        who = "the bot's own paper run" if source.origin == "bot" else "the embedded paper session"
        lines.append(f"Evidence: {who} — {plain(source.description)}; session {plain(source.session)}.")
        if source.chosen:
            lines.append(f"Chosen as the {plain(source.chosen)}.")
        lines += [f"- {code(f.path)} SHA-256 {code(f.sha256)}" for f in source.files]
        lines.append("")
    if report.paper_metrics is None:
        lines.append("The paper session did not run in this report: there are no metrics to show.")
    else:
        lines += render_paper_metrics(parse_paper_metrics(report.paper_metrics))
    lines += ["", "## Waivers applied", "", *_waiver_lines(report)]
    if report.notes:
        lines += ["", "## Notices", "", *(f"- {plain(note)}" for note in report.notes)]
    lines += ["", "## Input digests (SHA-256)", "", *_digest_lines(digests)]
    lines += ["", "## Sign-off", "", *_attestation(report, assessment, meta)]
    # The trailing empty line keeps the signature block (an HTML comment) apart from the verdict.
    lines += ["", f"**Verdict: {verdict}**", "", ""]
    return "\n".join(lines)
