"""The JUnit XML report: one testsuite per runbook section, exactly one testcase per check.

``junit`` validates against the Jenkins/Surefire junit-10.xsd (the schema pytest's own JUnit output
passes): times with at most three decimals, ``skipped`` counted per suite only. Evidence paths are
repository-relative (:mod:`preflight.reporters.findings`). ``junit-xunit1`` adds the ``file`` and
``line`` attributes of pytest's xunit1 family to every testcase with a location — what JUnit-reading
GitHub actions use to annotate a line, and the only thing it adds beyond junit-10.xsd.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from preflight.baseline import BaselineDiff
from preflight.reporters.findings import RepoPaths, default_paths, first_location
from preflight.reporters.layout import exception_lines, group_results, verdict_text
from preflight.results import CheckResult, Evidence, FailOn, RunReport, Status
from preflight.textsafe import xml_line


@dataclass(frozen=True)
class _Style:
    paths: RepoPaths
    root: str
    fail_on: FailOn
    locations: bool  # xunit1: file/line attributes on testcases


def _time(seconds: float) -> str:
    return f"{max(0.0, seconds):.3f}"  # junit-10.xsd SUREFIRE_TIME: at most three decimals


def _evidence(evidence: Evidence, style: _Style) -> str:
    if evidence.location is None:
        return xml_line(str(evidence))
    located = Evidence(evidence.label, evidence.value, style.paths.location(evidence.location, style.root))
    return xml_line(str(located))


def _evidence_body(result: CheckResult, style: _Style) -> str:
    # Each piece on its own line, each kept to one line: data never starts a line of the body.
    lines = [xml_line(result.message)]
    lines += [f"  {_evidence(evidence, style)}" for evidence in result.evidence]
    if result.remediation:
        lines.append(f"fix: {xml_line(result.remediation)}")
    lines += [f"note: {xml_line(note)}" for note in result.notes]
    return "\n".join(lines)


def _failing(result: CheckResult, fail_on: FailOn) -> bool:
    return result.status is Status.FAIL or (result.status is Status.WARN and fail_on is not FailOn.FAIL)


def _case_attributes(result: CheckResult, style: _Style) -> dict[str, str]:
    attributes = {
        "classname": xml_line(result.group),
        "name": xml_line(result.check_id),
        "time": _time(result.duration_s),
    }
    location = first_location(result) if style.locations else None
    if location is not None:
        attributes["file"] = xml_line(style.paths.uri(location.file, style.root))
        if location.line is not None:
            attributes["line"] = str(location.line)
    return attributes


def _testcase(parent: ET.Element, result: CheckResult, style: _Style) -> None:
    case = ET.SubElement(parent, "testcase", _case_attributes(result, style))
    if _failing(result, style.fail_on):
        failure = ET.SubElement(
            case, "failure", {"message": xml_line(result.message), "type": result.status.value}
        )
        failure.text = _evidence_body(result, style)
    elif result.status is Status.ERROR:
        error = ET.SubElement(case, "error", {"message": xml_line(result.message), "type": "error"})
        error.text = _evidence_body(result, style)
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
        out.text = "WARNING: " + _evidence_body(result, style)
    elif result.simulated:
        out = ET.SubElement(case, "system-out")
        out.text = f"SIMULATED: {xml_line(result.simulated)}"


def _suite_counts(results: tuple[CheckResult, ...], fail_on: FailOn, *, skipped: bool) -> dict[str, str]:
    counts = {
        "tests": str(len(results)),
        "failures": str(sum(_failing(r, fail_on) for r in results)),
        "errors": str(sum(r.status is Status.ERROR for r in results)),
        "time": _time(sum(r.duration_s for r in results)),
    }
    if skipped:  # junit-10.xsd allows "skipped" on <testsuite>, not on <testsuites>
        counts["skipped"] = str(sum(r.status is Status.SKIP for r in results))
    return counts


def _properties(report: RunReport) -> list[tuple[str, str]]:
    properties = [
        ("entrypoint", report.entrypoint),
        ("root", report.root),
        ("runbook", report.runbook_id),
        ("verdict", verdict_text(report)),
        ("incomplete", "true" if report.incomplete else "false"),
    ]
    # Run-level notices (expired waivers) and the verdict's exceptions must reach CI viewers too;
    # properties are where suites keep them.
    properties += [("exception", line) for line in exception_lines(report)]
    return properties + [("note", note) for note in report.notes]


class JunitReporter:
    """Render the report as JUnit XML for CI test-result viewers."""

    name = "junit"
    file_suffix = ".xml"

    def __init__(self, paths: RepoPaths | None = None, *, locations: bool = False) -> None:
        self.paths = paths
        self.locations = locations

    def with_paths(self, paths: RepoPaths) -> JunitReporter:
        """Return this reporter with repository-relative paths from ``paths``."""
        return JunitReporter(paths, locations=self.locations)

    def render(self, report: RunReport, baseline: BaselineDiff | None = None) -> str:
        """Return the XML document (UTF-8 declaration, indented)."""
        del baseline  # JUnit has no place for a diff; the Markdown and terminal outputs show it
        style = _Style(self.paths or default_paths(), report.root, report.fail_on, self.locations)
        root = ET.Element(
            "testsuites", {"name": xml_line(f"preflight {report.runbook_id} {report.entrypoint}")}
        )
        root.attrib.update(_suite_counts(report.results, report.fail_on, skipped=False))
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
            suite.attrib.update(_suite_counts(results, report.fail_on, skipped=True))
            properties = ET.SubElement(suite, "properties")
            for name, value in _properties(report):
                ET.SubElement(properties, "property", {"name": name, "value": xml_line(value)})
            for result in results:
                _testcase(suite, result, style)
        ET.indent(root)
        return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


class JunitXunit1Reporter(JunitReporter):
    """JUnit XML with pytest's xunit1 ``file``/``line`` testcase attributes (beyond junit-10.xsd)."""

    name = "junit-xunit1"

    def __init__(self, paths: RepoPaths | None = None, *, locations: bool = True) -> None:
        super().__init__(paths, locations=locations)
