"""Output formats of a run: one module per format and one line per format in :data:`REPORTERS`."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Protocol

from preflight.baseline import BaselineDiff
from preflight.reporters.json_report import JsonReporter
from preflight.reporters.junit import JunitReporter
from preflight.reporters.markdown import MarkdownReporter
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


# name -> reporter. tests/reporters/test_registry.py proves it matches Format exactly.
REPORTERS: Mapping[str, DiffAwareReporter] = {
    Format.TERMINAL.value: TerminalReporter(),
    Format.JSON.value: JsonReporter(),
    Format.JUNIT.value: JunitReporter(),
    Format.MARKDOWN.value: MarkdownReporter(),
}


def get_reporter(fmt: Format | str) -> DiffAwareReporter:
    """Return the reporter for ``fmt`` (a Format or its value)."""
    return REPORTERS[Format(fmt).value]
