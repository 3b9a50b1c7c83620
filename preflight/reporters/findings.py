"""What the CI formats (SARIF, GitHub annotations, JUnit) share: repository-relative paths and findings.

Evidence locations are relative to the deployment root (``config/runtime.yaml``); a CI viewer needs
them relative to the repository it annotates. :class:`RepoPaths` maps them once, for every format:
``--repo-root DIR`` (default: ``GITHUB_WORKSPACE`` when set, else the current directory) makes paths
relative to that folder; ``--path-prefix P`` instead puts ``P/`` before the deployment-relative path
(for reports written on another machine than the one that checked the repository out).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from preflight.errors import Location
from preflight.results import CheckResult, FailOn, RunReport, Status

# Where a finding without any file evidence is reported: the file that declares the entrypoint.
FALLBACK_FILE = "config/runtime.yaml"


@dataclass(frozen=True)
class RepoPaths:
    """How deployment-relative paths become repository-relative ones."""

    repo_root: Path | None = None
    prefix: str | None = None

    @classmethod
    def from_environment(
        cls, env: Mapping[str, str], repo_root: Path | None = None, prefix: str | None = None
    ) -> RepoPaths:
        """Return the mapping for CLI flags, defaulting the repository root to GITHUB_WORKSPACE or cwd."""
        if prefix is not None:
            return cls(None, prefix.strip("/"))
        if repo_root is None:
            workspace = env.get("GITHUB_WORKSPACE")
            repo_root = Path(workspace) if workspace else Path.cwd()
        return cls(repo_root.resolve(), None)

    def uri(self, file: str, deployment_root: str) -> str:
        """Return ``file`` (relative to the deployment root, or absolute) as a repository-relative path."""
        path = Path(file)
        if self.prefix is not None and not path.is_absolute():
            joined = PurePosixPath(self.prefix, path.as_posix()) if self.prefix else PurePosixPath(path)
            return joined.as_posix()
        absolute = path if path.is_absolute() else Path(deployment_root) / path
        if self.repo_root is not None:
            try:
                return absolute.relative_to(self.repo_root).as_posix()
            except ValueError:
                pass  # outside the repository: keep what the report says, it is all we know
        return path.as_posix()

    def location(self, location: Location, deployment_root: str) -> Location:
        """Return ``location`` with its file mapped by :meth:`uri`."""
        return replace(location, file=self.uri(location.file, deployment_root))


@dataclass(frozen=True)
class Finding:
    """One check a CI viewer should flag: its level and where (repository-relative) to put it."""

    result: CheckResult
    level: str  # "error" | "warning" | "note"
    location: Location  # the first evidence location with a file, else FALLBACK_FILE
    located: bool  # False when the location is the fallback, not the check's own evidence
    blocked: tuple[str, ...] = ()  # checks that could not be judged because of this one

    @property
    def message(self) -> str:
        """Return the finding's one-paragraph message (with the checks it blocks, once)."""
        text = self.result.message
        if self.blocked:
            shown = ", ".join(self.blocked[:5]) + (", ..." if len(self.blocked) > 5 else "")
            plural = "s" if len(self.blocked) != 1 else ""
            text += f" (blocks {len(self.blocked)} other check{plural}: {shown})"
        return text


def level_of(result: CheckResult, fail_on: FailOn) -> str | None:
    """Return the annotation level of a result: error (at or above fail-on), warning, or None."""
    if result.status in (Status.FAIL, Status.ERROR):
        return "error"
    if result.status is Status.WARN:
        return "warning" if fail_on is FailOn.FAIL else "error"
    return None


def first_location(result: CheckResult) -> Location | None:
    """Return the first evidence location that names a file (the most specific place of the problem)."""
    located = [e.location for e in result.evidence if e.location is not None and e.location.file]
    with_line = [loc for loc in located if loc.line is not None]
    chosen = with_line or located
    return chosen[0] if chosen else None


def blocked_map(report: RunReport) -> dict[str, tuple[str, ...]]:
    """Return root-cause check id -> the ids of the checks it blocked (only roots present in the report)."""
    present = {r.check_id for r in report.results}
    blocked: dict[str, list[str]] = {}
    for result in report.results:
        root = result.blocked_by
        if root and root != result.check_id and root in present:
            blocked.setdefault(root, []).append(result.check_id)
    return {root: tuple(ids) for root, ids in blocked.items()}


def findings(report: RunReport, paths: RepoPaths) -> Iterator[Finding]:
    """Yield one finding per failing, erroring or warning root cause, in report order.

    A check blocked by another one in the report is not a finding of its own: its root cause names it.
    """
    blocked = blocked_map(report)
    roots = {r.check_id for r in report.results if level_of(r, report.fail_on) is not None}
    for result in report.results:
        level = level_of(result, report.fail_on)
        if level is None or (result.blocked_by in roots and result.blocked_by != result.check_id):
            continue
        own = first_location(result)
        location = own or Location(FALLBACK_FILE)
        mapped = paths.location(location, report.root)
        yield Finding(result, level, mapped, own is not None, blocked.get(result.check_id, ()))


def default_paths() -> RepoPaths:
    """Return the mapping used when no CLI flag configured one (GITHUB_WORKSPACE, else cwd)."""
    return RepoPaths.from_environment(os.environ)
