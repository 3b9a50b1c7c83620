"""Kind ``report_export``: the session's Markdown export exists, is not empty and records no throttling."""

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
    },
}


@dataclass(frozen=True)
class ReportExportParams:
    """The words whose presence means the export recorded a problem."""

    forbid_words: tuple[str, ...] = ("throttle", "throttling")


def parse(params: Mapping[str, Any]) -> ReportExportParams:
    """Build the params value."""
    words = params.get("forbid_words", ["throttle", "throttling"])
    return ReportExportParams(forbid_words=tuple(str(w) for w in words))


def run(params: ReportExportParams, ctx: RunContext) -> Outcome:
    """Read the session's Markdown export and look for the forbidden words."""
    from preflight.papertrade.provider import session_file_or_outcome

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
