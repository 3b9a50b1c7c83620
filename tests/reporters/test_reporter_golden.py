"""Every format rendered from the fixed sample report matches its golden file byte for byte.

After an intended format change run ``python tests/reporters/reporter_samples.py`` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

GOLDEN_FILES = (
    "terminal.txt",
    "terminal_quiet.txt",
    "report.json",
    "report.xml",
    "report.md",
    "report.sarif",
    "report.github.txt",
    "report.xunit1.xml",
)


def test_every_golden_file_is_covered(golden_outputs: dict[str, str]) -> None:
    assert sorted(golden_outputs) == sorted(GOLDEN_FILES)


@pytest.mark.parametrize("file_name", GOLDEN_FILES)
def test_output_matches_golden_file(file_name: str, golden_outputs: dict[str, str], golden_dir: Path) -> None:
    expected = (golden_dir / file_name).read_text(encoding="utf-8")
    assert golden_outputs[file_name] == expected, (
        f"{file_name} changed; regenerate and review (module docstring)"
    )


def test_plain_terminal_output_has_no_ansi_codes(golden_outputs: dict[str, str]) -> None:
    assert "\x1b[" not in golden_outputs["terminal.txt"]
    assert all(len(line) <= 100 for line in golden_outputs["terminal.txt"].splitlines())


def test_quiet_terminal_output_is_only_the_verdict_line(golden_outputs: dict[str, str]) -> None:
    lines = golden_outputs["terminal_quiet.txt"].splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("NO-GO — ")
