"""The JUnit XML parses with a standard parser and holds exactly one testcase per check."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

from preflight.reporters.junit import JunitReporter
from preflight.results import FailOn, RunReport

MakeReport = Callable[..., RunReport]


def _cases(xml_text: str) -> dict[str, ET.Element]:
    root = ET.fromstring(xml_text.encode("utf-8"))
    cases = root.findall("./testsuite/testcase")
    names = [case.get("name", "") for case in cases]
    assert len(names) == len(set(names))
    return dict(zip(names, cases, strict=True))


def test_exactly_one_testcase_per_check_with_group_as_classname(make_report: MakeReport) -> None:
    report = make_report()
    cases = _cases(JunitReporter().render(report))
    assert sorted(cases) == sorted(r.check_id for r in report.results)
    assert all(case.get("classname") == name.split(".")[0] for name, case in cases.items())


def test_statuses_map_to_junit_elements(make_report: MakeReport) -> None:
    cases = _cases(JunitReporter().render(make_report()))
    failure = cases["runtime.entrypoint.tags"].find("failure")
    assert failure is not None
    assert "lack 'paper'" in failure.get("message", "")
    assert "config/runtime.yaml:14:11" in (failure.text or "")
    assert cases["execution.paper_profile.adapter"].find("error") is not None
    assert cases["tests.rate_limit"].find("skipped") is not None
    waived = cases["io_queue.bybit_spot.burst"]
    assert waived.find("failure") is None
    assert "J. Doe" in (waived.findtext("system-out") or "")
    assert cases["license.expiry"].find("failure") is None
    simulated = cases["runtime.entrypoint.environment"]
    assert [child.tag for child in simulated] == ["system-out"]
    assert (simulated.findtext("system-out") or "").startswith("SIMULATED: answered by the embedded")


def test_warnings_fail_under_fail_on_warn(make_report: MakeReport) -> None:
    root = ET.fromstring(JunitReporter().render(make_report(fail_on=FailOn.WARN)).encode("utf-8"))
    assert root.get("failures") == "2"
    case = root.find("./testsuite/testcase[@name='license.expiry']")
    assert case is not None and case.find("failure") is not None
