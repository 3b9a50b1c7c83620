"""The SARIF 2.1.0 report (GitHub code scanning): one rule per check, one result per finding."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from preflight.baseline import BaselineDiff
from preflight.reporters.findings import Finding, RepoPaths, default_paths, findings
from preflight.reporters.layout import exception_lines, verdict_text
from preflight.results import CheckResult, RunReport, Severity

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"

# A rule's default level follows the check's severity; a result's level is what the run found.
_RULE_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.MAJOR: "error",
    Severity.MINOR: "warning",
    Severity.INFO: "note",
}


@dataclass(frozen=True)
class _RuleText:
    rationale: str
    remediation: str


def _rule_texts(runbook_id: str) -> Mapping[str, _RuleText]:
    """Return each check's rationale and remediation from its runbook ({} when it cannot be loaded)."""
    from preflight import catalog
    from preflight.errors import PreflightError

    try:
        runbook = catalog.load_runbook(runbook_id)
    except PreflightError:
        return {}  # a report of a runbook this installation does not have: titles still name the rules
    return {spec.id: _RuleText(spec.rationale, spec.remediation) for spec in runbook.checks()}


def _rule(result: CheckResult, text: _RuleText | None) -> dict[str, Any]:
    rationale = text.rationale if text else ""
    remediation = (text.remediation if text else "") or result.remediation
    help_text = remediation or "See `preflight explain " + result.check_id + "`."
    return {
        "id": result.check_id,
        "name": result.check_id,
        "shortDescription": {"text": result.title},
        "fullDescription": {"text": rationale or result.title},
        "help": {
            "text": f"{help_text}\n\nExplain: preflight explain {result.check_id}",
            "markdown": f"**Fix:** {help_text}\n\n*Why:* {rationale or result.title}\n\n"
            f"`preflight explain {result.check_id}`",
        },
        "defaultConfiguration": {"level": _RULE_LEVEL[result.severity]},
        "properties": {
            "tags": ["preflight", result.group, *result.tags],
            "severity": result.severity.value,
            "kind": result.kind,
        },
    }


def _result(finding: Finding, index: int) -> dict[str, Any]:
    result, location = finding.result, finding.location
    region: dict[str, int] = {}
    if location.line is not None:
        region["startLine"] = location.line
        if location.col is not None:
            region["startColumn"] = location.col
    physical: dict[str, Any] = {"artifactLocation": {"uri": location.file}}
    if region:
        physical["region"] = region
    message = finding.message
    if result.remediation:
        message += f" Fix: {result.remediation}"
    entry: dict[str, Any] = {
        "ruleId": result.check_id,
        "ruleIndex": index,
        "level": finding.level,
        "message": {"text": message},
        "locations": [{"physicalLocation": physical}],
        # Stable across runs, so code scanning matches an alert to itself when lines move.
        "partialFingerprints": {"preflightCheck/v1": result.check_id},
        "properties": {"status": result.status.value, "evidence": [str(e) for e in result.evidence]},
    }
    if not finding.located:
        entry["properties"]["location"] = "no file evidence: reported at the entrypoint's config file"
    if finding.blocked:
        entry["properties"]["blocks"] = list(finding.blocked)
    return entry


class SarifReporter:
    """Render the report as SARIF 2.1.0 for code-scanning viewers (GitHub, IDE SARIF viewers)."""

    name = "sarif"
    file_suffix = ".sarif"

    def __init__(self, paths: RepoPaths | None = None) -> None:
        self.paths = paths

    def with_paths(self, paths: RepoPaths) -> SarifReporter:
        """Return this reporter with repository-relative paths from ``paths``."""
        return SarifReporter(paths)

    def render(self, report: RunReport, baseline: BaselineDiff | None = None) -> str:
        """Return the SARIF log as indented JSON."""
        del baseline  # code scanning tracks changes between analyses itself
        texts = _rule_texts(report.runbook_id)
        index = {result.check_id: number for number, result in enumerate(report.results)}
        rules = [_rule(result, texts.get(result.check_id)) for result in report.results]
        paths = self.paths or default_paths()
        results = [_result(f, index[f.result.check_id]) for f in findings(report, paths)]
        run: dict[str, Any] = {
            "tool": {
                "driver": {
                    "name": "preflight",
                    "version": report.tool_version,
                    "semanticVersion": report.tool_version,
                    "rules": rules,
                }
            },
            "automationDetails": {"id": f"preflight/{report.runbook_id}/{report.entrypoint}/"},
            "invocations": [
                {
                    "executionSuccessful": not report.incomplete,
                    "startTimeUtc": report.started_at.isoformat(),
                    "endTimeUtc": report.finished_at.isoformat(),
                    "properties": {
                        "verdict": report.verdict.value,
                        "verdictLine": verdict_text(report),
                        "exceptions": list(exception_lines(report)),
                        "notes": list(report.notes),
                    },
                }
            ],
            "results": results,
        }
        document = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
