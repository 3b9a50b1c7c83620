"""The JUnit XML report: one testsuite per runbook section, exactly one testcase per check."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from preflight.baseline import BaselineDiff
from preflight.reporters.layout import group_results, verdict_text
from preflight.results import CheckResult, FailOn, RunReport, Status
from preflight.textsafe import xml_line


def _evidence_body(result: CheckResult) -> str:
    # Each piece on its own line, each kept to one line: data never starts a line of the body.
    lines = [xml_line(result.message)]
    lines += [f"  {xml_line(str(evidence))}" for evidence in result.evidence]
    if result.remediation:
        lines.append(f"fix: {xml_line(result.remediation)}")
    lines += [f"note: {xml_line(note)}" for note in result.notes]
    return "\n".join(lines)


def _failing(result: CheckResult, fail_on: FailOn) -> bool:
    return result.status is Status.FAIL or (result.status is Status.WARN and fail_on is FailOn.WARN)


def _testcase(parent: ET.Element, result: CheckResult, fail_on: FailOn) -> None:
    case = ET.SubElement(
        parent,
        "testcase",
        {
            "classname": xml_line(result.group),
            "name": xml_line(result.check_id),
            "time": f"{result.duration_s:.6f}",
        },
    )
    if _failing(result, fail_on):
        failure = ET.SubElement(
            case, "failure", {"message": xml_line(result.message), "type": result.status.value}
        )
        failure.text = _evidence_body(result)
    elif result.status is Status.ERROR:
        error = ET.SubElement(case, "error", {"message": xml_line(result.message), "type": "error"})
        error.text = _evidence_body(result)
    elif result.status is Status.SKIP:
        ET.SubElement(case, "skipped", {"message": xml_line(result.message)})
    elif result.status is Status.WAIVED and result.waiver is not None:
        waiver = result.waiver
        out = ET.SubElement(case, "system-out")
        out.text = (
            f"WAIVED ({result.original_status.value if result.original_status else 'fail'}): "
            f"{xml_line(result.message)}\njustification: {xml_line(waiver.justification)}\n"
            f"approver: {xml_line(waiver.approver)}\nexpires: {waiver.expires.isoformat()}"
        )
    elif result.status is Status.WARN:
        out = ET.SubElement(case, "system-out")
        out.text = "WARNING: " + _evidence_body(result)


def _suite_counts(results: tuple[CheckResult, ...], fail_on: FailOn) -> dict[str, str]:
    return {
        "tests": str(len(results)),
        "failures": str(sum(_failing(r, fail_on) for r in results)),
        "errors": str(sum(r.status is Status.ERROR for r in results)),
        "skipped": str(sum(r.status is Status.SKIP for r in results)),
        "time": f"{sum(r.duration_s for r in results):.6f}",
    }


def _properties(report: RunReport) -> list[tuple[str, str]]:
    properties = [
        ("entrypoint", report.entrypoint),
        ("root", report.root),
        ("runbook", report.runbook_id),
        ("verdict", verdict_text(report)),
        ("incomplete", "true" if report.incomplete else "false"),
    ]
    # Run-level notices (expired waivers) must reach CI viewers too; properties are where suites keep them.
    return properties + [("note", note) for note in report.notes]


class JunitReporter:
    """Render the report as JUnit XML for CI test-result viewers."""

    name = "junit"
    file_suffix = ".xml"

    def render(self, report: RunReport, baseline: BaselineDiff | None = None) -> str:
        """Return the XML document (UTF-8 declaration, indented)."""
        del baseline  # JUnit has no place for a diff; the Markdown and terminal outputs show it
        root = ET.Element(
            "testsuites", {"name": xml_line(f"preflight {report.runbook_id} {report.entrypoint}")}
        )
        root.attrib.update(_suite_counts(report.results, report.fail_on))
        for group in group_results(report):
            results = tuple(r for item in group.items for r in item.results)
            suite = ET.SubElement(
                root,
                "testsuite",
                {
                    "name": xml_line(group.section.title),
                    "id": xml_line(group.section.id),
                    "timestamp": report.started_at.isoformat(),
                },
            )
            suite.attrib.update(_suite_counts(results, report.fail_on))
            properties = ET.SubElement(suite, "properties")
            for name, value in _properties(report):
                ET.SubElement(properties, "property", {"name": name, "value": xml_line(value)})
            for result in results:
                _testcase(suite, result, report.fail_on)
        ET.indent(root)
        return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
