"""pytest_nodes judges the child pytest by its exit code, whatever bytes it prints."""

from __future__ import annotations

import os
from pathlib import Path

from preflight.context import RunContext, RunOptions
from preflight.kinds import KINDS
from preflight.results import Status

CONFTEST = """
import atexit
import os

# bytes that are not UTF-8, written after pytest's own capture has ended
atexit.register(lambda: os.write(2, b"caf\\xe9 \\xff\\n"))
"""


def test_non_utf8_output_of_the_child_is_not_a_crash(tmp_path: Path) -> None:
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    (tests / "test_x.py").write_text("def test_y():\n    assert True\n", encoding="utf-8")
    env = {"PATH": os.environ.get("PATH", "/usr/bin")}
    ctx = RunContext(RunOptions(root=tmp_path, entrypoint="bybit_desktop_paper", env=env), {})
    spec = KINDS["pytest_nodes"]
    outcome = spec.run(spec.parse({"nodes": ["tests/test_x.py::test_y"]}), ctx)
    assert outcome.status is Status.PASS, outcome.message
    assert "1 passed" in outcome.message
