"""Write a session's four artefacts under the root atomically: report JSON, Markdown, guardrail log, .prom."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from preflight.fsutil import atomic_write_bytes, atomic_write_text, shown_path

if TYPE_CHECKING:
    from preflight.papertrade.session import SessionRun

REPORT_DIR = "reports/paper"
METRICS_DIR = "var/metrics"


@dataclass(frozen=True)
class PaperSessionResult:
    """A written session: the JSON-able report and where each artefact lives."""

    report: Mapping[str, object]
    report_path: Path
    markdown_path: Path
    guardrail_log_path: Path
    prom_path: Path

    @property
    def status(self) -> str:
        """Return ``paper_exchange_metrics.summary.status``."""
        metrics = self.report["paper_exchange_metrics"]
        assert isinstance(metrics, Mapping)
        summary = metrics["summary"]
        assert isinstance(summary, Mapping)
        return str(summary["status"])

    def artefacts(self) -> dict[str, Path]:
        """Return the artefacts by the names reports show."""
        return {
            "paper_report": self.report_path,
            "paper_markdown": self.markdown_path,
            "guardrail_log": self.guardrail_log_path,
            "paper_metrics_prom": self.prom_path,
        }


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

    from preflight.papertrade.markdown import render_markdown
    from preflight.papertrade.report import build_report

    entrypoint = run.plan.target
    log_dir = Path(run.plan.log_directory)
    log_dir = log_dir if log_dir.is_absolute() else root / log_dir
    stamp = reserve_stamp(log_dir, entrypoint, run.started_at)
    report_path = root / REPORT_DIR / f"{entrypoint}-{stamp}.json"
    markdown_path = report_path.with_suffix(".md")
    log_path = log_dir / f"{entrypoint}-{stamp}.jsonl"
    prom_path = root / METRICS_DIR / f"{entrypoint}.prom"
    names = {
        "report": shown_path(report_path, root),
        "markdown": shown_path(markdown_path, root),
        "guardrail_log": shown_path(log_path, root),
        "prom": shown_path(prom_path, root),
    }
    report = build_report(run, names)
    atomic_write_text(log_path, "".join(event.line() + "\n" for event in run.events))
    atomic_write_bytes(prom_path, generate_latest(run.registry))
    atomic_write_text(markdown_path, render_markdown(report))
    atomic_write_text(report_path, json.dumps(report, indent=2, default=str) + "\n")
    return PaperSessionResult(report, report_path, markdown_path, log_path, prom_path)
