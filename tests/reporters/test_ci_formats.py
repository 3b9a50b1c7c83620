"""The CI formats against their real consumers: the SARIF 2.1.0 schema, junit-10.xsd and junitparser,
and GitHub's workflow-command syntax."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import junitparser
import pytest
import xmlschema
from jsonschema import Draft4Validator

from preflight.errors import Location
from preflight.reporters import REPORTERS, Format, get_reporter
from preflight.reporters.findings import RepoPaths, findings
from preflight.reporters.github import GithubReporter, command, escape_data, escape_property
from preflight.reporters.junit import JunitReporter, JunitXunit1Reporter
from preflight.reporters.sarif import SarifReporter
from preflight.results import Evidence, RunReport, Status

MakeReport = Callable[..., RunReport]
VENDOR = Path(__file__).parent / "vendor"
DIGESTS = {
    "sarif-schema-2.1.0.json": "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e",
    "junit-10.xsd": "a1a816f58d1bf95ebabf371994df0b9246dee66ea9572fbec4f9296f1b2c0ff6",
}
# The report's root is /srv/deploy; a repository checked out at /srv holds the deployment under deploy/.
REPO = RepoPaths(repo_root=Path("/srv"))
# GitHub's syntax: ::level key=value,key=value::message (no unescaped ',' or ':' inside a value).
COMMAND = re.compile(r"^::(error|warning|notice)(?: ((?:[a-z]+=[^,:\r\n]*)(?:,[a-z]+=[^,:\r\n]*)*))?::(.*)$")


def _unescape(text: str) -> str:
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


def _parse_command(line: str) -> tuple[str, dict[str, str], str]:
    match = COMMAND.match(line)
    assert match, f"not a workflow command: {line!r}"
    props = dict(part.split("=", 1) for part in (match.group(2) or "").split(",") if part)
    return match.group(1), {k: _unescape(v) for k, v in props.items()}, _unescape(match.group(3))


def test_vendored_schemas_are_the_recorded_files() -> None:
    for name, digest in DIGESTS.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name


def test_the_registry_offers_the_ci_formats() -> None:
    assert {"sarif", "github", "junit-xunit1"} <= set(REPORTERS)
    assert isinstance(get_reporter(Format.SARIF, REPO), SarifReporter)


def _sarif(report: RunReport, paths: RepoPaths = REPO) -> dict[str, object]:
    return json.loads(SarifReporter(paths).render(report))


def test_sarif_validates_against_the_sarif_2_1_0_schema(make_report: MakeReport) -> None:
    schema = json.loads((VENDOR / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    document = _sarif(make_report())
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in Draft4Validator(schema).iter_errors(document)]
    assert errors == []
    assert document["version"] == "2.1.0"


def test_sarif_has_one_rule_per_check_and_one_result_per_finding(make_report: MakeReport) -> None:
    report = make_report()
    (run,) = _sarif(report)["runs"]  # type: ignore[misc]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [r.check_id for r in report.results]
    assert all(rule["fullDescription"]["text"] and rule["help"]["text"] for rule in rules)
    flagged = {r.check_id for r in report.results if r.status in (Status.FAIL, Status.ERROR, Status.WARN)}
    assert {result["ruleId"] for result in run["results"]} == flagged
    by_rule = {result["ruleId"]: result for result in run["results"]}
    tags = by_rule["runtime.entrypoint.tags"]
    assert tags["level"] == "error"
    assert rules[tags["ruleIndex"]]["id"] == "runtime.entrypoint.tags"
    (location,) = tags["locations"]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": "deploy/config/runtime.yaml"},
        "region": {"startLine": 14, "startColumn": 11},
    }
    assert by_rule["license.expiry"]["level"] == "warning"
    properties = run["invocations"][0]["properties"]
    assert properties["verdict"] == report.verdict.value


def test_rules_carry_the_runbooks_rationale(make_report: MakeReport) -> None:
    from preflight import catalog

    spec = next(iter(catalog.load_runbook("bybit_go_live").checks()))
    report = make_report()
    report = replace(report, results=(replace(report.results[1], check_id=spec.id), *report.results[2:]))
    (run,) = _sarif(report)["runs"]  # type: ignore[misc]
    assert run["tool"]["driver"]["rules"][0]["fullDescription"]["text"] == spec.rationale


def test_path_prefix_and_paths_outside_the_repository(make_report: MakeReport) -> None:
    prefixed = _sarif(make_report(), RepoPaths(prefix="ops/deploy/"))
    uris = {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for result in prefixed["runs"][0]["results"]  # type: ignore[index]
        for loc in result["locations"]
    }
    assert "ops/deploy/config/runtime.yaml" in uris
    assert (
        RepoPaths(repo_root=Path("/elsewhere")).uri("config/core.yaml", "/srv/deploy") == "config/core.yaml"
    )
    assert (
        RepoPaths(repo_root=Path("/srv")).uri("/srv/deploy/var/x.json", "/srv/deploy") == "deploy/var/x.json"
    )


def test_a_blocked_check_is_named_by_its_root_cause_once(make_report: MakeReport) -> None:
    report = make_report()
    root, blocked = report.results[1], report.results[2]
    report = replace(report, results=(root, replace(blocked, blocked_by=root.check_id), *report.results[3:]))
    found = list(findings(report, REPO))
    assert [f.result.check_id for f in found].count(blocked.check_id) == 0
    (cause,) = [f for f in found if f.result.check_id == root.check_id]
    assert cause.blocked == (blocked.check_id,) and "blocks 1 other check" in cause.message


def test_github_escaping_follows_the_toolkit() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert command("error", "m", file="x", line=None) == "::error file=x::m"
    assert command("notice", "only a message") == "::notice::only a message"


def test_github_annotations_parse_and_round_trip(make_report: MakeReport) -> None:
    report = make_report()
    hostile = replace(
        report.results[1],
        message="50% of keys: a,b\nsecond line",
        evidence=(Evidence("k", "v", Location("config/we,ird:name.yaml", 3, 5)),),
    )
    report = replace(report, results=(report.results[0], hostile, *report.results[2:]))
    lines = GithubReporter(REPO).render(report).splitlines()
    parsed = [_parse_command(line) for line in lines]
    errors = [(props, message) for level, props, message in parsed if level == "error"]
    props, message = next((p, m) for p, m in errors if hostile.check_id in p.get("title", ""))
    assert props["file"] == "deploy/config/we,ird:name.yaml"
    assert (props["line"], props["col"]) == ("3", "5")
    assert message.startswith("50% of keys: a,b\nsecond line")
    warnings = [props for level, props, _ in parsed if level == "warning"]
    assert any(p["file"] == "deploy/var/licenses/active/license.json" and "line" not in p for p in warnings)
    level, props, verdict = parsed[-1]
    assert props["title"] == "preflight verdict" and verdict.startswith(report.verdict.value)
    assert level == "error"  # the sample is NO-GO
    notices = [m for level, p, m in parsed if level == "notice"]
    assert [str(e) for e in report.exceptions] == notices


@pytest.fixture(scope="module")
def junit_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(VENDOR / "junit-10.xsd"))


def test_junit_validates_against_junit_10_xsd(
    make_report: MakeReport, junit_schema: xmlschema.XMLSchema
) -> None:
    text = JunitReporter(REPO).render(make_report())
    junit_schema.validate(text)
    assert "deploy/config/runtime.yaml:14:11" in text  # evidence paths are repository-relative


def test_junit_xunit1_adds_only_file_and_line(
    make_report: MakeReport, junit_schema: xmlschema.XMLSchema
) -> None:
    import xml.etree.ElementTree as ET

    report = make_report()
    text = JunitXunit1Reporter(REPO).render(report)
    root = ET.fromstring(text.encode("utf-8"))
    cases = {case.get("name"): case for case in root.iter("testcase")}
    assert (cases["runtime.entrypoint.tags"].get("file"), cases["runtime.entrypoint.tags"].get("line")) == (
        "deploy/config/runtime.yaml",
        "14",
    )
    for case in cases.values():
        case.attrib.pop("file", None)
        case.attrib.pop("line", None)
    junit_schema.validate(ET.tostring(root, encoding="unicode"))  # nothing else beyond junit-10.xsd


@pytest.mark.parametrize("reporter", [JunitReporter(REPO), JunitXunit1Reporter(REPO)])
def test_junitparser_reads_every_check(
    make_report: MakeReport, tmp_path: Path, reporter: JunitReporter
) -> None:
    report = make_report()
    path = tmp_path / "r.xml"
    path.write_text(reporter.render(report), encoding="utf-8")
    xml = junitparser.JUnitXml.fromfile(str(path))
    cases = {case.name: case for suite in xml for case in suite}
    assert set(cases) == {r.check_id for r in report.results}
    failed = {
        name for name, case in cases.items() if any(isinstance(r, junitparser.Failure) for r in case.result)
    }
    assert failed == {r.check_id for r in report.results if r.status is Status.FAIL}
    skipped = {
        name for name, case in cases.items() if any(isinstance(r, junitparser.Skipped) for r in case.result)
    }
    assert skipped == {r.check_id for r in report.results if r.status is Status.SKIP}
    assert sum(suite.tests for suite in xml) == len(report.results)
