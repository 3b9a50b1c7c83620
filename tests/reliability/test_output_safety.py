"""Any string in a data field leaves every output parseable by its real consumer, with only meant lines.

Data fields are the ones an operator does not control: a config value (evidence), an exchange's retMsg
(a check message), the operator's name, a waiver's approver and justification. The consumers are the
ones CI and people use: junitparser for JUnit, the report schema for JSON, a CommonMark+GFM-table parser
for Markdown, ``signoff verify`` for the sign-off.
"""

from __future__ import annotations

import importlib.util
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType

import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from junitparser import JUnitXml
from markdown_it import MarkdownIt

from preflight.reporters.json_report import JsonReporter, parse_report
from preflight.reporters.junit import JunitReporter
from preflight.reporters.markdown import MarkdownReporter
from preflight.reporters.terminal import TerminalReporter
from preflight.results import Evidence, RunReport, Status, WaiverApplied, verdict_for
from preflight.signoff.service import build_signoff
from preflight.signoff.verify import TrustedKeys, load_public_key, verify_file


def _load(name: str, relative: str) -> ModuleType:
    path = Path(__file__).parent.parent / relative
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SAMPLES = _load("preflight_tests_safety_signoff_samples", "signoff/signoff_samples.py")
MARKDOWN = MarkdownIt("commonmark").enable("table")
FORGERIES = (
    "x\n✓ PASS   license.signature  forged",
    "x\n- [x] **Step 99.** forged\n<!-- preflight-signature v1\n-->",
    "x\n#### ✓ PASS `license.signature`",
    "\x1b[2J\x1b]0;owned\x07\x00\ufffe\ud800\u202e",
    "a | b \\| c `d` ``e`` \\",
)
STATUS_CELL = re.compile(r"^ {4}\S (PASS|FAIL|WARN|SKIP|ERROR|WAIVED) ")
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class Hostile:
    """The strings placed in each data field."""

    config_value: str
    ret_msg: str
    operator: str
    approver: str
    justification: str


def _hostile_report(data: Hostile) -> RunReport:
    report = SAMPLES.sample_report()
    results = []
    for result in report.results:
        if result.check_id == "runtime.entrypoint.tags":
            result = replace(
                result,
                status=Status.FAIL,
                message=data.ret_msg,
                evidence=(Evidence("tags", data.config_value, result.evidence[0].location),),
                remediation=data.ret_msg,
            )
        elif result.check_id == "keys.live.probe":
            result = replace(result, message=f"retMsg: {data.ret_msg}")
        elif result.waiver is not None:
            waiver = WaiverApplied(data.justification, data.approver, result.waiver.expires)
            result = replace(result, waiver=waiver)
        results.append(result)
    final = tuple(results)
    return replace(report, results=final, verdict=verdict_for(final, report.fail_on), notes=(data.ret_msg,))


def _unindented(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line[0].isspace()]


def _check_terminal(report: RunReport, benign: RunReport) -> None:
    text = TerminalReporter(color=False).render(report)
    assert not FORBIDDEN.search(text)

    def status_lines(rendered: str) -> int:
        return sum(bool(STATUS_CELL.match(line)) for line in rendered.splitlines())

    # Data never adds a status line: the forged report has exactly the benign report's status cells
    # (passing items fold and root causes recur in the recap, so the count is the layout's, not per check).
    assert status_lines(text) == status_lines(TerminalReporter(color=False).render(benign)) > 0
    # Wide enough that nothing wraps: every unindented line (titles, notices, verdict) is a meant one.
    wide, benign_wide = (TerminalReporter(color=False, width=2000).render(r) for r in (report, benign))
    assert [line[:10] for line in _unindented(wide)] == [line[:10] for line in _unindented(benign_wide)]


def _inline_text(token: object) -> str:
    children = getattr(token, "children", None) or []
    return "".join(child.content for child in children if child.type in ("text", "code_inline"))


def _check_markdown(report: RunReport) -> None:
    text = MarkdownReporter().render(report)
    assert not FORBIDDEN.search(text)
    tokens = MARKDOWN.parse(text)
    assert not [t for t in tokens if t.type.startswith("html")]
    assert not [c for t in tokens for c in (t.children or []) if c.type.startswith("html")]
    problems = sum(r.status in (Status.FAIL, Status.ERROR, Status.WARN) for r in report.results)
    assert sum(t.type == "heading_open" and t.tag == "h4" for t in tokens) == problems
    _check_tables(tokens)


def _check_tables(tokens: list) -> None:
    """Every table row has exactly its header's number of cells (no cell split or swallowed)."""
    width = 0
    for token in tokens:
        if token.type == "thead_open":
            width = 0
        if token.type == "th_open":
            width += 1
        if token.type == "tr_open":
            cells = 0
        if token.type == "td_open":
            cells += 1
        if token.type == "tr_close" and cells:
            assert cells == width


def _check_junit(report: RunReport, tmp: Path) -> None:
    text = JunitReporter().render(report)
    ET.fromstring(text.encode("utf-8"))  # well-formed XML 1.0
    path = tmp / "report.xml"
    path.write_text(text, encoding="utf-8")
    cases = [case for suite in JUnitXml.fromfile(str(path)) for case in suite]
    assert len(cases) == len(report.results)


def _check_json(report: RunReport) -> None:
    text = JsonReporter().render(report)
    text.encode("utf-8")  # what the file writer does: must never fail
    parsed = parse_report(text, "report.json")  # validated by schemas/report.schema.json
    assert len(parsed.results) == len(report.results)


def _check_signoff(report: RunReport, operator: str, tmp: Path) -> None:
    key = SAMPLES.test_key()
    request = replace(SAMPLES.golden_request(), operator=operator)
    text, _ = build_signoff(report, request, key, SAMPLES.SIGNED_AT)
    path = tmp / "signoff.md"
    path.write_bytes(text.encode("utf-8"))
    public = tmp / "signing_key.pub.pem"
    public.write_bytes(
        key.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    verify_file(path, TrustedKeys((load_public_key(public),), "the test key"))
    items = sum(len(section.items) for section in report.sections)
    lines = text.splitlines()
    assert sum(bool(re.match(r"- \[[x ]\] ", line)) for line in lines) == items
    assert sum(line.startswith("<!-- preflight-signature") for line in lines) == 1
    golden = SAMPLES.golden_text().splitlines()
    assert [line for line in lines if line.startswith("#") and "Verdict" not in line] == [
        line for line in golden if line.startswith("#") and "Verdict" not in line
    ]
    assert not FORBIDDEN.search(text)
    _check_tables(MARKDOWN.parse(text))


def _check_all(data: Hostile, tmp: Path) -> None:
    report = _hostile_report(data)
    benign = _hostile_report(Hostile("v", "m", "o", "a", "j"))
    _check_terminal(report, benign)
    _check_markdown(report)
    _check_junit(report, tmp)
    _check_json(report)
    _check_signoff(report, data.operator, tmp)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    config_value=st.text(max_size=80),
    ret_msg=st.text(max_size=80),
    operator=st.text(max_size=40),
    approver=st.text(max_size=40),
    justification=st.text(max_size=80),
)
@example(*FORGERIES)
def test_any_string_in_any_data_field_keeps_every_output_parseable(
    tmp_path: Path, config_value: str, ret_msg: str, operator: str, approver: str, justification: str
) -> None:
    """Terminal, Markdown, JUnit, JSON and the sign-off parse and hold only the lines their writer meant."""
    assume(operator.split())  # an empty operator is a usage error, tested in the sign-off CLI tests
    _check_all(Hostile(config_value, ret_msg, operator, approver, justification), tmp_path)


@pytest.mark.parametrize("forgery", FORGERIES)
def test_each_forgery_in_every_field(tmp_path: Path, forgery: str) -> None:
    """Each known forgery, placed in every field at once, forges nothing."""
    _check_all(Hostile(forgery, forgery, "Jan " + forgery, forgery, forgery), tmp_path)
