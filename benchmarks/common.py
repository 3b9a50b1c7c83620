"""Shared values of the benchmark harness: figures, targets, timed subprocesses."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


class Unavailable(Exception):
    """The module a figure measures is not built (yet), or its set-up failed; the reason is the message."""


@dataclass(frozen=True)
class Target:
    """A SPEC.md section 10 target: ``value <comparator> limit``."""

    comparator: str  # "<" | "<=" | ">="
    limit: float

    def met_by(self, value: float) -> bool:
        """Say whether ``value`` meets this target."""
        if self.comparator == "<":
            return value < self.limit
        if self.comparator == "<=":
            return value <= self.limit
        return value >= self.limit

    def __str__(self) -> str:
        return f"{self.comparator} {self.limit:g}"


@dataclass(frozen=True)
class Figure:
    """One measured figure, its target (None = shown for information) and how it was obtained."""

    name: str
    value: float | None
    unit: str
    target: Target | None = None
    detail: str = ""
    unavailable: str | None = None

    @property
    def ratio(self) -> float | None:
        """Return the value as a multiple of its target's limit (<= 1 good for maxima, >= 1 for minima)."""
        if self.value is None or self.target is None or not self.target.limit:
            return None
        return self.value / self.target.limit

    @property
    def status(self) -> str:
        """Return PASS, MISS, INFO (no target) or N/A (not measured)."""
        if self.value is None:
            return "N/A"
        if self.target is None:
            return "INFO"
        return "PASS" if self.target.met_by(self.value) else "MISS"

    def as_json(self) -> dict[str, object]:
        """Return the figure as a JSON-able mapping."""
        return {
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "target": str(self.target) if self.target else None,
            "ratio_to_target": self.ratio,
            "status": self.status,
            "detail": self.detail,
            "unavailable": self.unavailable,
        }


def not_measured(name: str, unit: str, target: Target | None, reason: str) -> Figure:
    """Return a figure that could not be measured, saying why."""
    return Figure(name, None, unit, target, unavailable=reason)


@dataclass(frozen=True)
class ProcessSample:
    """One timed child process: wall time, its own peak RSS, exit code and output."""

    wall_s: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def preflight_argv(*args: str) -> list[str]:
    """Return the argv that runs the installed ``preflight`` console script (or ``python -m preflight``)."""
    script = shutil.which("preflight")
    if script:
        return [script, *args]
    return [sys.executable, "-m", "preflight", *args]


def bench_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return a child environment without colours or TTY-only behaviour."""
    env = dict(os.environ)
    env.update({"NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "120"})
    env.pop("GITHUB_STEP_SUMMARY", None)
    if extra:
        env.update(extra)
    return env


def run_timed(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout_s: float = 120.0,
) -> ProcessSample:
    """Run ``argv`` to completion and measure its wall time and its own peak RSS (wait4 rusage)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(list(argv), cwd=cwd, env=dict(env) if env else None, stdout=out, stderr=err)
        deadline = started + timeout_s
        # wait4 gives this child's own rusage; RUSAGE_CHILDREN would mix in every earlier child.
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.002)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return ProcessSample(
            wall_s=wall,
            peak_rss_mb=usage.ru_maxrss / 1024.0,  # Linux reports kilobytes
            returncode=proc.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
        )


def median(values: Sequence[float]) -> float:
    """Return the median of ``values``."""
    return statistics.median(values)


def last_line(text: str) -> str:
    """Return the last non-empty line of ``text`` (for one-line failure reasons)."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else "(no output)"
