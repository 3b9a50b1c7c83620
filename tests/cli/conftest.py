"""Fixtures of the CLI tests: an in-process ``preflight`` with main()'s exit codes, and a deployment."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from preflight.cli.app import main
from preflight.demo import prepare_demo


@dataclass(frozen=True)
class CliResult:
    """What one ``preflight`` invocation did."""

    code: int
    out: str
    err: str


Cli = Callable[..., CliResult]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # A CI runner sets GITHUB_STEP_SUMMARY; these tests must never append to the real job summary.
    for name in (
        "GITHUB_STEP_SUMMARY",
        "NO_COLOR",
        "FORCE_COLOR",
        "COLUMNS",
        "PREFLIGHT_DEBUG",
        "PREFLIGHT_REQUIRE_REAL",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    """Return a runner calling preflight.cli.app:main with argv, as the console script does."""

    def invoke(*args: str) -> CliResult:
        capsys.readouterr()
        monkeypatch.setattr(sys, "argv", ["preflight", *args])
        with pytest.raises(SystemExit) as done:
            main()
        captured = capsys.readouterr()
        code = done.value.code
        return CliResult(code if isinstance(code, int) else 1, captured.out, captured.err)

    return invoke


@pytest.fixture
def deployment(tmp_path: Path) -> Path:
    """Return a fresh copy of the sample deployment (provisioned as the demo provisions it)."""
    return prepare_demo(tmp_path / "deploy")


def edit(path: Path, old: str, new: str) -> None:
    """Replace the one occurrence of ``old`` in ``path`` by ``new``."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not unique in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, text: str) -> int:
    """Return the 1-based number of the line of ``path`` that contains ``text``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


@pytest.fixture
def edit_file() -> Callable[[Path, str, str], None]:
    """Return the single-edit helper."""
    return edit
