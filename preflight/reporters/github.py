"""GitHub Actions workflow commands: one ``::error``/``::warning`` annotation per finding, at file:line.

Print them to stdout in a workflow step (``--format github``) and GitHub shows each on the file and line
of the pull request diff. Values are escaped as GitHub's own toolkit escapes them: ``%``, CR and LF in
messages; those plus ``:`` and ``,`` in properties.
"""

from __future__ import annotations

from collections.abc import Iterator

from preflight.baseline import BaselineDiff
from preflight.reporters.findings import Finding, RepoPaths, default_paths, findings
from preflight.reporters.layout import exception_lines, verdict_text
from preflight.results import RunReport, Verdict

_VERDICT_LEVEL = {Verdict.GO: "notice", Verdict.GO_WITH_EXCEPTIONS: "warning", Verdict.NO_GO: "error"}


def escape_data(text: str) -> str:
    """Escape a command's message: ``%``, CR, LF."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a command property's value: ``%``, CR, LF, ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, **properties: object) -> str:
    """Return one workflow command line (properties left out when None)."""
    shown = ",".join(f"{name}={escape_property(str(value))}" for name, value in properties.items() if value)
    return f"::{level} {shown}::{escape_data(message)}" if shown else f"::{level}::{escape_data(message)}"


def _annotation(finding: Finding) -> str:
    result, location = finding.result, finding.location
    message = finding.message
    if result.remediation:
        message += f"\nFix: {result.remediation}"
    return command(
        finding.level,
        message,
        file=location.file,
        line=location.line,
        col=location.col,
        title=f"preflight {result.check_id}: {result.title}",
    )


def workflow_commands(report: RunReport, paths: RepoPaths) -> Iterator[str]:
    """Yield the annotations: each finding, each exception, then the verdict."""
    for finding in findings(report, paths):
        yield _annotation(finding)
    for line in exception_lines(report):
        yield command("notice", line, title="preflight exception (not proven against the real thing)")
    yield command(_VERDICT_LEVEL[report.verdict], verdict_text(report), title="preflight verdict")


class GithubReporter:
    """Render the report as GitHub Actions workflow commands (annotations)."""

    name = "github"
    file_suffix = ".txt"

    def __init__(self, paths: RepoPaths | None = None) -> None:
        self.paths = paths

    def with_paths(self, paths: RepoPaths) -> GithubReporter:
        """Return this reporter with repository-relative paths from ``paths``."""
        return GithubReporter(paths)

    def render(self, report: RunReport, baseline: BaselineDiff | None = None) -> str:
        """Return one workflow command per line."""
        del baseline  # annotations are per run; the step summary shows the changes
        return "".join(line + "\n" for line in workflow_commands(report, self.paths or default_paths()))
