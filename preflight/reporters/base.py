"""The reporter interface: render a RunReport to text in one format."""

from __future__ import annotations

from typing import Protocol

from preflight.results import RunReport


class Reporter(Protocol):
    """One output format. ``render`` is pure: the CLI decides where the text goes."""

    name: str
    file_suffix: str

    def render(self, report: RunReport) -> str:
        """Return the report in this format."""
        ...
