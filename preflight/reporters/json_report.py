"""The JSON report: stable key order, schemas/report.schema.json, and a parser that reads it back."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from preflight import jsonsafe
from preflight.baseline import BaselineDiff
from preflight.errors import ConfigError, Location
from preflight.results import (
    CheckResult,
    Evidence,
    FailOn,
    InputDigest,
    ItemInfo,
    PaperSource,
    RunReport,
    SectionInfo,
    Severity,
    Status,
    Verdict,
    WaiverApplied,
)
from preflight.textsafe import json_text

FORMAT_VERSION = 1


def _location(location: Location | None) -> dict[str, Any] | None:
    if location is None:
        return None
    return {"file": location.file, "line": location.line, "col": location.col}


def _result(result: CheckResult) -> dict[str, Any]:
    waiver = result.waiver
    return {
        "id": result.check_id,
        "title": result.title,
        "section": result.section_id,
        "item": result.item_id,
        "group": result.group,
        "kind": result.kind,
        "severity": result.severity.value,
        "tags": list(result.tags),
        "status": result.status.value,
        "original_status": result.original_status.value if result.original_status else None,
        "message": result.message,
        "evidence": [
            {"label": e.label, "value": e.value, "location": _location(e.location)} for e in result.evidence
        ],
        "remediation": result.remediation,
        "duration_s": round(result.duration_s, 6),
        "waiver": None
        if waiver is None
        else {
            "justification": waiver.justification,
            "approver": waiver.approver,
            "expires": waiver.expires.isoformat(),
        },
        "notes": list(result.notes),
        "blocked_by": result.blocked_by,
        "simulated": result.simulated,
        "offline": result.offline,
    }


def _baseline(diff: BaselineDiff) -> dict[str, Any]:
    return {
        "path": diff.baseline_path,
        "started_at": diff.baseline_started_at.isoformat(),
        "verdict": diff.baseline_verdict.value,
        "changes": [
            {
                "id": change.check_id,
                "title": change.title,
                "change": change.change.value,
                "before": change.before.value if change.before else None,
                "after": change.after.value if change.after else None,
            }
            for change in diff.changes
        ],
    }


def to_document(report: RunReport, baseline: BaselineDiff | None = None) -> dict[str, Any]:
    """Return the report as a JSON-able mapping (the shape schemas/report.schema.json describes)."""
    document: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "tool_version": report.tool_version,
        "runbook": {"id": report.runbook_id, "title": report.runbook_title, "exchange": report.exchange},
        "entrypoint": report.entrypoint,
        "root": report.root,
        "started_at": report.started_at.isoformat(),
        "finished_at": report.finished_at.isoformat(),
        "fail_on": report.fail_on.value,
        "verdict": report.verdict.value,
        "incomplete": report.incomplete,
        "counts": {status.value: count for status, count in report.counts().items()},
        "sections": [
            {
                "id": section.id,
                "title": section.title,
                "kind": section.kind,
                "items": [
                    {"id": item.id, "text": item.text, "check_ids": list(item.check_ids)}
                    for item in section.items
                ],
            }
            for section in report.sections
        ],
        "results": [_result(result) for result in report.results],
        "simulated": list(report.simulated),
        "artefacts": dict(report.artefacts),
        "inputs": [{"path": digest.path, "sha256": digest.sha256} for digest in report.inputs],
        "paper_metrics": None if report.paper_metrics is None else dict(report.paper_metrics),
        "notes": list(report.notes),
        "require_real": report.require_real,
        "not_selected": list(report.not_selected),
        "exceptions": [
            {"check": e.check_id, "kind": e.kind.value, "reason": e.reason, "text": str(e)}
            for e in report.exceptions
        ],
    }
    if report.deployment_format is not None:  # issue 13: present whenever a run read a deployment
        document["deployment_format"] = report.deployment_format
        document["variables"] = dict(report.variables)
    if report.paper_source is not None:  # absent, not null, when no paper evidence: older readers agree
        source = report.paper_source
        document["paper_source"] = {
            "origin": source.origin,
            "description": source.description,
            "files": [{"path": f.path, "sha256": f.sha256} for f in source.files],
            "session": source.session,
            "chosen": source.chosen,
        }
    if baseline is not None:
        document["baseline"] = _baseline(baseline)
    return document


class JsonReporter:
    """Render the report as indented JSON with sorted keys (diffable, stable across runs)."""

    name = "json"
    file_suffix = ".json"

    def render(self, report: RunReport, baseline: BaselineDiff | None = None) -> str:
        """Return the JSON text (newline-terminated)."""
        document = to_document(report, baseline)
        text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False, default=_fallback)
        return json_text(text) + "\n"


def _fallback(value: object) -> object:
    """Encode what the stdlib cannot; the paper metrics come from another module and may hold these."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)


def _parse_location(raw: Mapping[str, Any] | None) -> Location | None:
    if raw is None:
        return None
    return Location(raw["file"], raw.get("line"), raw.get("col"))


def _parse_result(raw: Mapping[str, Any]) -> CheckResult:
    waiver = raw.get("waiver")
    original = raw.get("original_status")
    return CheckResult(
        check_id=raw["id"],
        title=raw["title"],
        section_id=raw["section"],
        item_id=raw["item"],
        kind=raw["kind"],
        severity=Severity(raw["severity"]),
        tags=tuple(raw["tags"]),
        status=Status(raw["status"]),
        message=raw["message"],
        evidence=tuple(
            Evidence(e["label"], e["value"], _parse_location(e.get("location"))) for e in raw["evidence"]
        ),
        remediation=raw["remediation"],
        duration_s=float(raw["duration_s"]),
        waiver=None
        if waiver is None
        else WaiverApplied(
            justification=waiver["justification"],
            approver=waiver["approver"],
            expires=datetime.fromisoformat(waiver["expires"]),
        ),
        notes=tuple(raw["notes"]),
        original_status=Status(original) if original else None,
        blocked_by=raw.get("blocked_by"),
        simulated=raw.get("simulated"),
        offline=bool(raw.get("offline", False)),
    )


def _parse_document(document: Mapping[str, Any]) -> RunReport:
    runbook = document["runbook"]
    return RunReport(
        tool_version=document["tool_version"],
        runbook_id=runbook["id"],
        runbook_title=runbook["title"],
        exchange=runbook["exchange"],
        entrypoint=document["entrypoint"],
        root=document["root"],
        started_at=datetime.fromisoformat(document["started_at"]),
        finished_at=datetime.fromisoformat(document["finished_at"]),
        fail_on=FailOn(document["fail_on"]),
        sections=tuple(
            SectionInfo(
                id=section["id"],
                title=section["title"],
                kind=section["kind"],
                items=tuple(
                    ItemInfo(item["id"], item["text"], tuple(item["check_ids"])) for item in section["items"]
                ),
            )
            for section in document["sections"]
        ),
        results=tuple(_parse_result(raw) for raw in document["results"]),
        verdict=Verdict(document["verdict"]),
        incomplete=bool(document["incomplete"]),
        simulated=tuple(document["simulated"]),
        artefacts=dict(document["artefacts"]),
        inputs=tuple(InputDigest(d["path"], d["sha256"]) for d in document["inputs"]),
        paper_metrics=document["paper_metrics"],
        deployment_format=document.get("deployment_format"),
        variables=dict(document.get("variables") or {}),
        notes=tuple(document["notes"]),
        require_real=bool(document.get("require_real", False)),
        not_selected=tuple(document.get("not_selected", ())),
        paper_source=_parse_source(document.get("paper_source")),
    )


def _parse_source(raw: Any) -> PaperSource | None:
    """Read ``paper_source`` back (validated by the schema already)."""
    if raw is None:
        return None
    files = tuple(InputDigest(f["path"], f["sha256"]) for f in raw["files"])
    return PaperSource(raw["origin"], raw["description"], files, raw["session"], raw["chosen"])


def parse_report(text: str, source: str = "<report>") -> RunReport:
    """Read a JSON report back into a RunReport; ConfigError naming ``source`` when it is not one."""
    from preflight.schemas import load_schema, validator_for

    try:
        document = jsonsafe.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"not valid JSON ({error.msg}); pass a file written by --format json",
            Location(source, error.lineno, error.colno),
        ) from None
    problem = next(iter(validator_for(load_schema("report")).iter_errors(document)), None)
    if problem is not None:
        where = "/".join(str(part) for part in problem.absolute_path) or "(top level)"
        raise ConfigError(
            f"not a preflight JSON report at {where}: {problem.message}; "
            "pass a file written by --format json",
            Location(source),
        )
    return _parse_document(document)
