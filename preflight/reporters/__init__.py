"""Output formats of a run: one module per format and one line per format in :data:`REPORTERS`."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Protocol, runtime_checkable

from preflight.baseline import BaselineDiff
from preflight.reporters.findings import RepoPaths
from preflight.reporters.github import GithubReporter
from preflight.reporters.json_report import JsonReporter
from preflight.reporters.junit import JunitReporter, JunitXunit1Reporter
from preflight.reporters.markdown import MarkdownReporter
from preflight.reporters.sarif import SarifReporter
from preflight.reporters.terminal import TerminalReporter
from preflight.results import RunReport


class DiffAwareReporter(Protocol):
    """A reporter (see :mod:`preflight.reporters.base`) that can also show changes since a baseline."""

    name: str
    file_suffix: str

    def render(self, report: RunReport, baseline: BaselineDiff | None = None) -> str:
        """Return the report in this format, with the baseline diff when given."""
        ...


class Format(StrEnum):
    """The output formats a command line may ask for; values are the keys of :data:`REPORTERS`."""

    TERMINAL = "terminal"
    JSON = "json"
    JUNIT = "junit"
    MARKDOWN = "markdown"
    SARIF = "sarif"
    GITHUB = "github"
    JUNIT_XUNIT1 = "junit-xunit1"


# name -> reporter. tests/reporters/test_registry.py proves it matches Format exactly.
REPORTERS: Mapping[str, DiffAwareReporter] = {
    Format.TERMINAL.value: TerminalReporter(),
    Format.JSON.value: JsonReporter(),
    Format.JUNIT.value: JunitReporter(),
    Format.MARKDOWN.value: MarkdownReporter(),
    Format.SARIF.value: SarifReporter(),
    Format.GITHUB.value: GithubReporter(),
    Format.JUNIT_XUNIT1.value: JunitXunit1Reporter(),
}


@runtime_checkable
class PathAwareReporter(Protocol):
    """A reporter whose file paths are made repository-relative (SARIF, GitHub annotations, JUnit)."""

    def with_paths(self, paths: RepoPaths) -> DiffAwareReporter:
        """Return a copy of the reporter that maps paths with ``paths``."""
        ...


def get_reporter(fmt: Format | str, paths: RepoPaths | None = None) -> DiffAwareReporter:
    """Return the reporter for ``fmt`` (a Format or its value), mapping paths with ``paths`` if it can."""
    reporter = REPORTERS[Format(fmt).value]
    if paths is not None and isinstance(reporter, PathAwareReporter):
        return reporter.with_paths(paths)
    return reporter
