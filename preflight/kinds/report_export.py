"""Kind ``report_export``: the session's Markdown export exists, is not empty and records no throttling.

With ``--evidence`` the exports are the bot's (``preflight.evidence.exports``); ``agree_with_report``
also holds the export's warning and error counts to the JSON report's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from preflight.context import RunContext
from preflight.errors import Location
from preflight.kinds.base import CheckKind
from preflight.results import Evidence, Outcome

PARAMS_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "forbid_words": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "default": ["throttle", "throttling"],
            "description": "Words (case-insensitive) the export must not contain; it names an event only "
            "when one occurred.",
        },
        "agree_with_report": {
            "type": "boolean",
            "default": False,
            "description": "Also require the export's warning and error counts to equal the JSON report's.",
        },
    },
}


@dataclass(frozen=True)
class ReportExportParams:
    """The words whose presence means the export recorded a problem."""

    forbid_words: tuple[str, ...] = ("throttle", "throttling")
    agree_with_report: bool = False


def parse(params: Mapping[str, Any]) -> ReportExportParams:
    """Build the params value."""
    words = params.get("forbid_words", ["throttle", "throttling"])
    agree = bool(params.get("agree_with_report", False))
    return ReportExportParams(forbid_words=tuple(str(w) for w in words), agree_with_report=agree)


def _bullets(text: str, heading: str) -> int:
    """Count the ``- `` items under ``## heading`` of the session's export."""
    count, inside = 0, False
    for line in text.splitlines():
        if line.startswith("## "):
            inside = line[3:].strip() == heading
        elif inside and line.startswith("- "):
            count += 1
    return count


def _agreement(text: str, shown: str, report: Mapping[str, object]) -> Outcome:
    """Compare the export's warning and error items with the session report's lists."""
    for heading, key in (("Warnings", "warnings"), ("Errors", "errors")):
        listed = report.get(key)
        actual = len(listed) if isinstance(listed, list) else 0
        stated = _bullets(text, heading)
        if stated != actual:
            return Outcome.failed(
                f"the export {shown} lists {stated} {key}, the session report {actual}: they disagree",
                Evidence("export", shown),
            )
    return Outcome.passed(
        f"the export {shown} lists the session report's warnings and errors", Evidence("export", shown)
    )


def run(params: ReportExportParams, ctx: RunContext) -> Outcome:
    """Read the session's Markdown export (or the bot's exports) and look for the forbidden words."""
    from preflight.papertrade.provider import session_file_or_outcome, session_for, unavailable_reason

    if ctx.options.bot_evidence:
        from preflight.evidence.checks import export_outcome

        reason = unavailable_reason(ctx)
        if reason is not None:
            return Outcome.skipped(reason)
        return export_outcome(ctx, params.forbid_words, params.agree_with_report)
    found = session_file_or_outcome(ctx, lambda s: s.markdown_path, "Markdown export", "export")
    if isinstance(found, Outcome):
        return found
    path, shown = found
    text = path.read_text(encoding="utf-8")
    if not text.strip():
        return Outcome.failed(f"the Markdown export {shown} is empty", Evidence("export", shown))
    for number, line in enumerate(text.splitlines(), start=1):
        lowered = line.lower()
        word = next((w for w in params.forbid_words if w.lower() in lowered), None)
        if word is not None:
            return Outcome.failed(
                f"the Markdown export records {word} (line {number})",
                Evidence("export", shown),
                Evidence("line", line.strip()[:300], Location(shown, number)),
            )
    if params.agree_with_report:
        return _agreement(text, shown, session_for(ctx).report)
    words = " / ".join(params.forbid_words)
    return Outcome.passed(
        f"the Markdown export is present ({len(text)} characters) and records no {words}",
        Evidence("export", shown),
    )


KIND: CheckKind[ReportExportParams] = CheckKind(
    name="report_export",
    summary="The session's Markdown export exists, is not empty and records no throttling.",
    params_schema=PARAMS_SCHEMA,
    parse=parse,
    run=run,
)
