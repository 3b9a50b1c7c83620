"""A sign-off whose data holds ``|``, ``\\|``, backticks and newlines renders them exactly, and verifies.

On an intended layout change: ``python tests/signoff/test_signoff_escaping_golden.py``, review the diff.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from pathlib import Path
from types import ModuleType

from markdown_it import MarkdownIt

from preflight.results import RunReport, Status, WaiverApplied, verdict_for
from preflight.signoff.service import build_signoff
from preflight.signoff.verify import TrustedKeys, verify_bytes

GOLDEN = Path(__file__).parent / "golden" / "signoff_escaping.md"
MESSAGE = "pipe | escaped \\| tick ` ticks `` end\\\nsecond line\r\n- [x] **Step 99.** forged"
SHOWN = "pipe | escaped \\| tick ` ticks `` end\\ second line - [x] **Step 99.** forged"


def _samples() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "preflight_tests_escaping_samples", Path(__file__).with_name("signoff_samples.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SAMPLES = _samples()


def _report() -> RunReport:
    report = SAMPLES.sample_report()
    results = []
    for result in report.results:
        if result.waiver is not None:
            result = replace(result, waiver=WaiverApplied(MESSAGE, MESSAGE, result.waiver.expires))
        elif result.check_id == "keys.live.probe":
            result = replace(result, status=Status.FAIL, message=MESSAGE, remediation=MESSAGE)
        results.append(result)
    final = tuple(results)
    return replace(report, results=final, verdict=verdict_for(final, report.fail_on), notes=(MESSAGE,))


def _text() -> str:
    request = replace(SAMPLES.golden_request(), operator=MESSAGE)
    text, _ = build_signoff(_report(), request, SAMPLES.test_key(), SAMPLES.SIGNED_AT)
    return text


def _cells(text: str, header: str) -> list[str]:
    """Return the plain text of every body cell of the table whose first header cell is ``header``."""
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    cells: list[str] = []
    inside = False
    for index, token in enumerate(tokens):
        if token.type == "th_open" and not inside:
            inside = tokens[index + 1].content == header
        if token.type == "table_close":
            inside = False
        if inside and token.type == "td_open":
            inline = tokens[index + 1]
            cells.append(
                "".join(c.content for c in inline.children or [] if c.type in ("text", "code_inline"))
            )
    return cells


def test_escaping_golden_file() -> None:
    assert _text() == GOLDEN.read_text(encoding="utf-8")


def test_the_signature_of_the_escaping_sample_verifies() -> None:
    verification = verify_bytes(
        _text().encode("utf-8"),
        TrustedKeys((SAMPLES.test_key().private_key.public_key().public_bytes_raw(),), "the test key"),
    )
    assert verification.pinned


def test_table_cells_show_the_data_exactly_and_split_nowhere() -> None:
    text = _text()
    waiver = _cells(text, "Check")
    assert waiver == ["tests.rate_limit", SHOWN, "2026-12-31T23:59:00Z", SHOWN, "fail"]
    attestation = _cells(text, "Field")
    assert attestation[attestation.index("Operator") + 1] == SHOWN


def test_no_data_starts_a_line() -> None:
    lines = _text().splitlines()
    assert not [line for line in lines if line.startswith(("second line", "- [x] **Step 99.**"))]
    assert sum(line.startswith("- [") for line in lines) == sum(len(s.items) for s in _report().sections)


if __name__ == "__main__":
    GOLDEN.write_text(_text(), encoding="utf-8")
    sys.stdout.write(f"wrote {GOLDEN}\n")
