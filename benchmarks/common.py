"""Shared values of the benchmark harness: figures, targets, timed subprocesses."""

from __future__ import annotations

import json
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
from types import TracebackType
from typing import Self

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


class ServedChild:
    """Context manager: a server child (``python -m MODULE ARGS``) that prints ``{"url": ...}`` once
    started and serves until its stdin closes; ``.url`` once entered."""

    def __init__(self, module: str, *args: str, what: str) -> None:
        self.argv = [sys.executable, "-m", module, *args]
        self.what = what
        self.url = ""
        self._proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> Self:
        self._proc = subprocess.Popen(
            self.argv,
            cwd=REPO_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            _, err = self._proc.communicate(timeout=10)
            raise Unavailable(f"{self.what} did not start: {err.strip().splitlines()[-1:] or '(no output)'}")
        self.url = json.loads(line)["url"]
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._proc is not None:
            try:
                self._proc.communicate(input="", timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.communicate()


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
    # An installed preflight runs from byte-compiled modules (pip compiles wheels at install); without
    # this, every child of a PYTHONDONTWRITEBYTECODE shell compiled ~150 modules afresh (0.4 s a run).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
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
    """Run ``argv`` to completion and measure its wall time and its own peak RSS (VmHWM of its image).

    Not ``wait4``'s ru_maxrss: Linux carries the high-water mark across fork and exec, so a child of a
    grown harness reported the harness's own peak (223 MB for ``python -c pass``). VmHWM in
    /proc/<pid>/status belongs to the executed image alone; it only grows, so the last reading before
    the child exits is its peak (read every 2 ms).
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(list(argv), cwd=cwd, env=dict(env) if env else None, stdout=out, stderr=err)
        deadline = started + timeout_s
        peak_kb = 0
        while True:
            peak_kb = max(peak_kb, _vm_hwm_kb(proc.pid))
            pid, status, _ = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, _ = os.wait4(proc.pid, 0)
                break
            time.sleep(0.002)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return ProcessSample(
            wall_s=wall,
            peak_rss_mb=peak_kb / 1024.0,
            returncode=proc.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
        )


def _vm_hwm_kb(pid: int) -> int:
    """Return the peak resident set (kB) of process ``pid``'s current image, 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def best_of(runs: int, argv: Sequence[str], **kwargs: object) -> ProcessSample:
    """Run ``argv`` ``runs`` times; return the fastest run (best-of damps a shared machine's noise)."""
    samples = [run_timed(argv, **kwargs) for _ in range(runs)]  # type: ignore[arg-type]
    failed = [s for s in samples if s.returncode not in (0, 1)]
    if failed:
        raise Unavailable(f"{' '.join(argv[:3])}: exit {failed[0].returncode}: {last_line(failed[0].stderr)}")
    return min(samples, key=lambda s: s.wall_s)


def python_pass(runs: int) -> ProcessSample:
    """Return the best of ``runs`` ``python -c pass``: the start-up reference of this run."""
    return best_of(runs, [sys.executable, "-c", "pass"], env=bench_env())


def ratio_figure(name: str, value: float, reference: float, target: Target | None, detail: str) -> Figure:
    """Return ``value / reference`` as a ratio figure (unit ``x``)."""
    return Figure(name, value / reference if reference else None, "x", target, detail)


def median(values: Sequence[float]) -> float:
    """Return the median of ``values``."""
    return statistics.median(values)


def last_line(text: str) -> str:
    """Return the last non-empty line of ``text`` (for one-line failure reasons)."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else "(no output)"
