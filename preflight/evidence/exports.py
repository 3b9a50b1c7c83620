"""run_local_bot's Markdown exports: ``demo_paper_<mode>_<stamp>.md`` and ``guardrails_<stamp>.md``.

The demo → paper report (bot_core ``core/reporting/e2e_reporter.py``) has a KPI table whose warning and
error counts must agree with the JSON report: run_local_bot bad092ec appends its metric warnings to the
JSON after the export is written, so 12 warnings in the JSON and 0 in the export is a real finding. The
guardrail report lists per-queue timeouts and waits and the last ``events.log`` records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from preflight.evidence.files import EvidenceFile

# KPI labels as bot_core writes them (Polish), and English ones a translated reporter might use.
WARNING_LABELS = ("liczba ostrzeżeń", "warning count", "warnings")
ERROR_LABELS = ("liczba błędów", "error count", "errors")
_ROW = re.compile(r"^\|\s*(?P<label>[^|]+?)\s*\|\s*(?P<value>[^|]*?)\s*\|\s*$")


@dataclass(frozen=True)
class KpiCounts:
    """The warning and error counts an export states (None when its table has no such row)."""

    warnings: int | None
    errors: int | None
    warnings_line: int | None
    errors_line: int | None


def _count(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def kpi_counts(file: EvidenceFile) -> KpiCounts:
    """Read the KPI table's warning and error counts."""
    found: dict[str, tuple[int | None, int]] = {}
    for number, line in enumerate(file.text.splitlines(), start=1):
        row = _ROW.match(line.strip())
        if row is None:
            continue
        label = row.group("label").strip().lower()
        for key, labels in (("warnings", WARNING_LABELS), ("errors", ERROR_LABELS)):
            if label in labels and key not in found:
                found[key] = (_count(row.group("value")), number)
    warnings, errors = found.get("warnings", (None, None)), found.get("errors", (None, None))
    return KpiCounts(warnings[0], errors[0], warnings[1], errors[1])


@dataclass(frozen=True)
class GuardrailRow:
    """One queue row of the guardrail report's metrics table."""

    number: int
    text: str
    timeouts: float
    waits: float


def guardrail_rows(file: EvidenceFile) -> tuple[GuardrailRow, ...]:
    """Return the metrics table rows (environment | queue | timeouts | avg | waits | avg | level)."""
    rows = []
    for number, line in enumerate(file.text.splitlines(), start=1):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.lstrip().startswith("|") or len(cells) != 7:
            continue
        try:
            timeouts, waits = float(cells[2]), float(cells[4])
        except ValueError:
            continue  # the header and separator rows
        rows.append(GuardrailRow(number, line.strip(), timeouts, waits))
    return tuple(rows)


def guardrail_records(file: EvidenceFile) -> tuple[tuple[int, str], ...]:
    """Return the ``events.log`` records the report lists that are waits or timeouts."""
    return tuple(
        (number, line.strip())
        for number, line in enumerate(file.text.splitlines(), start=1)
        if line.lstrip().startswith(("* ", "- ")) and re.search(r"\b(RATE_LIMIT|TIMEOUT)\b", line)
    )
