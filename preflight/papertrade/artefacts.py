"""Write a session's artefacts under the root atomically: JSON, Markdown, chart SVGs, guardrail log, .prom."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from preflight.errors import ConfigError, InputError, Location, PreflightError
from preflight.fsutil import atomic_write_bytes, file_component, shown_path
from preflight.papertrade.paperreport import PaperReport

if TYPE_CHECKING:
    from preflight.papertrade.session import SessionRun

REPORT_DIR = "reports/paper"
METRICS_DIR = "var/metrics"


@dataclass(frozen=True)
class PaperSessionResult:
    """A written session: the typed report and where each artefact lives."""

    paper: PaperReport
    report_path: Path
    markdown_path: Path
    guardrail_log_path: Path
    prom_path: Path
    chart_paths: Mapping[str, Path] = field(default_factory=dict)  # chart key -> SVG beside the export

    @property
    def report(self) -> Mapping[str, object]:
        """Return the report as the JSON document written to ``report_path``."""
        return self.paper.to_json()

    @property
    def status(self) -> str:
        """Return ``paper_exchange_metrics.summary.status``."""
        return self.paper.metrics.status

    def artefacts(self) -> dict[str, Path]:
        """Return the artefacts by the names reports show."""
        return {
            "paper_report": self.report_path,
            "paper_markdown": self.markdown_path,
            "guardrail_log": self.guardrail_log_path,
            "paper_metrics_prom": self.prom_path,
            **{f"paper_chart_{key}": path for key, path in self.chart_paths.items()},
        }


@dataclass(frozen=True)
class OutputDirs:
    """The folders a session writes to, all inside the deployment root."""

    log_dir: Path
    report_dir: Path
    metrics_dir: Path


def _log_directory_location(root: Path) -> Location:
    """Return where runtime.yaml sets io_queue.log_directory (the file alone when it cannot be found)."""
    from preflight.deployment.documents import RUNTIME_FILE, load_document

    try:
        return load_document(root, RUNTIME_FILE).location_of("io_queue.log_directory")
    except PreflightError:
        return Location(RUNTIME_FILE)


def _ensure_folder(folder: Path, root: Path) -> None:
    """Refuse ``folder`` when it, or a parent below ``root``, exists as something other than a folder."""
    shown = shown_path(folder, root)
    current = root
    for part in folder.relative_to(root).parts:
        current = current / part
        if current.exists() and not current.is_dir():
            blocker = shown_path(current, root)
            what = f"{blocker} is a file, not a folder" + (
                "" if current == folder else f", so {shown} cannot be created"
            )
            raise InputError(f"{what}; move it aside so the paper session can write {shown}/")


def output_dirs(log_directory: str, root: Path) -> OutputDirs:
    """Return the session's output folders; InputError when one escapes the root or is not a folder.

    Checked before the session runs, so a bad folder costs no ticks and leaves no half-written artefacts.
    """
    relative = Path(log_directory)
    if relative.is_absolute() or ".." in relative.parts:
        # Followed, the log would land outside the deployment; refused, the operator knows where to look.
        raise ConfigError(
            f"io_queue.log_directory {log_directory!r} points outside the deployment root; "
            "name a folder inside it, e.g. logs/guardrails",
            _log_directory_location(root),
        )
    dirs = OutputDirs(root / relative, root / REPORT_DIR, root / METRICS_DIR)
    for folder in (dirs.log_dir, dirs.report_dir, dirs.metrics_dir):
        _ensure_folder(folder, root)
    return dirs


def stamp_of(moment: datetime) -> str:
    """Return the UTC stamp of artefact names, e.g. ``20261124T213000Z``."""
    return moment.strftime("%Y%m%dT%H%M%SZ")


def reserve_stamp(log_dir: Path, entrypoint: str, moment: datetime) -> str:
    """Claim a stamp no other run of ``entrypoint`` used, by creating its guardrail log exclusively."""
    log_dir.mkdir(parents=True, exist_ok=True)
    base = stamp_of(moment)
    for attempt in range(1, 1000):
        stamp = base if attempt == 1 else f"{base}-{attempt}"
        try:
            fd = os.open(log_dir / f"{entrypoint}-{stamp}.jsonl", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            continue
        os.close(fd)
        return stamp
    return f"{base}-{os.getpid()}"  # a thousand runs in one second: the pid keeps this one apart


def write_artefacts(run: SessionRun, root: Path) -> PaperSessionResult:
    """Write the artefacts of ``run`` under ``root`` and return where they are."""
    from prometheus_client import generate_latest

    from preflight.papertrade.charts import CHART_KEYS, build_charts
    from preflight.papertrade.markdown import render_markdown
    from preflight.papertrade.report import build_report

    entrypoint = file_component(run.plan.target, "entrypoint")  # artefact names must stay in their folders
    dirs = output_dirs(run.plan.log_directory, root)
    try:
        for folder in (dirs.log_dir, dirs.report_dir, dirs.metrics_dir):
            folder.mkdir(parents=True, exist_ok=True)
        stamp = reserve_stamp(dirs.log_dir, entrypoint, run.started_at)
    except OSError as error:
        raise InputError(
            f"cannot create the paper session's folders ({error.strerror or error}); "
            f"make {shown_path(Path(error.filename or root), root)} writable"
        ) from None
    report_path = dirs.report_dir / f"{entrypoint}-{stamp}.json"
    markdown_path = report_path.with_suffix(".md")
    log_path = dirs.log_dir / f"{entrypoint}-{stamp}.jsonl"
    prom_path = dirs.metrics_dir / f"{entrypoint}.prom"
    chart_paths = {key: dirs.report_dir / f"{entrypoint}-{stamp}-{key}.svg" for key in CHART_KEYS}
    names = {
        "report": shown_path(report_path, root),
        "markdown": shown_path(markdown_path, root),
        "guardrail_log": shown_path(log_path, root),
        "prom": shown_path(prom_path, root),
        **{f"chart_{key}": shown_path(path, root) for key, path in chart_paths.items()},
    }
    paper = PaperReport.from_json(build_report(run, names))
    report = paper.to_json()
    writes: tuple[tuple[Path, bytes], ...] = (
        (log_path, "".join(event.line() + "\n" for event in run.events).encode("utf-8")),
        (prom_path, generate_latest(run.registry)),
        *((chart_paths[chart.key], chart.svg.encode("utf-8")) for chart in build_charts(report)),
        (markdown_path, render_markdown(report).encode("utf-8")),
        (report_path, paper.to_text().encode("utf-8")),
    )
    for path, data in writes:
        try:
            atomic_write_bytes(path, data)
        except OSError as error:  # each write is atomic: what exists is whole, the rest is absent
            raise InputError(
                f"cannot write {shown_path(path, root)} ({error.strerror or error}); "
                "make its folder writable and run the session again"
            ) from None
    return PaperSessionResult(paper, report_path, markdown_path, log_path, prom_path, chart_paths)
