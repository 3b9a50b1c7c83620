"""A hand-made bot run in bot_core's shapes: its registry, run_local_bot reports, exports and events.log.

Nothing here is copied from the bot: the writers follow the field lists of ``shared/reference/bot_core.md``
section 6 (HEAD's flat block, bad092ec's rich block) with values read from a prometheus_client registry the
test fills, labelled as bot_core labels them (``exchange`` only, the family ``bybit``).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, Counter, Gauge

from preflight.results import RunReport, Status

EP = "bybit_desktop_paper"
ENV = "bybit_paper"
RATE = "bot_exchange_rate_limited_total"
ERRORS = "bot_exchange_errors_total"
HEALTH = "bot_exchange_health_status"
SEVERITIES = ("warning", "error", "critical")
THRESHOLDS = {"rate_limit_max": 0, "network_errors_max": 0, "health_min": 1.0}
STARTED = datetime(2026, 11, 30, 9, 0, 0, tzinfo=UTC)


class BotRegistry:
    """bot_core's exchange series: labelled by ``exchange`` (and ``severity``), no ``entrypoint``."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.rate = Counter("bot_exchange_rate_limited", "rate limited", ["exchange"], registry=self.registry)
        self.errors = Counter(
            "bot_exchange_errors", "errors", ["exchange", "severity"], registry=self.registry
        )
        self.health = Gauge(HEALTH, "health", ["exchange"], registry=self.registry)

    def run(
        self, exchange: str = "bybit", rate_limited: int = 0, errors: dict[str, int] | None = None
    ) -> BotRegistry:
        """Leave the series a paper run of ``exchange`` leaves: every severity, health 1."""
        self.rate.labels(exchange).inc(rate_limited)
        for severity in SEVERITIES:
            self.errors.labels(exchange, severity).inc((errors or {}).get(severity, 0))
        self.health.labels(exchange).set(1)
        return self

    def value(self, name: str, labels: dict[str, str]) -> float | None:
        """Return one sample, None when the series does not exist."""
        return self.registry.get_sample_value(name, labels)


def flat_block(reg: BotRegistry) -> dict[str, object]:
    """HEAD's block: values read by the family label, 0.0 where a metric is absent, health null."""
    family = ENV.split("_")[0]
    errors = sum(reg.value(ERRORS, {"exchange": family, "severity": s}) or 0.0 for s in SEVERITIES)
    return {
        EP: {
            "environment": ENV,
            "exchange": family,
            "rate_limited_events": reg.value(RATE, {"exchange": family}) or 0.0,
            "network_errors": errors,
            "health_status": reg.value(HEALTH, {"exchange": family}),
        }
    }


def rich_block(reg: BotRegistry) -> dict[str, object]:
    """bad092ec's block: missing metrics and severities named, thresholds, breaches and a summary."""
    family = ENV.split("_")[0]
    rate = reg.value(RATE, {"exchange": family})
    by_severity = {s: reg.value(ERRORS, {"exchange": family, "severity": s}) for s in SEVERITIES}
    health = reg.value(HEALTH, {"exchange": family})
    missing = [name for name, v in ((RATE, rate), (HEALTH, health)) if v is None]
    missing_severities = [s for s, v in by_severity.items() if v is None]
    errors = sum(v for v in by_severity.values() if v is not None)
    if len(missing_severities) == 3:
        missing.append(ERRORS)
    breaches = []
    if rate is not None and rate > THRESHOLDS["rate_limit_max"]:
        breaches.append({"metric": "rate_limit", "threshold": "rate_limit_max", "observed": rate,
                         "limit": 0.0, "comparator": "<="})  # fmt: skip
    if len(missing_severities) < 3 and errors > THRESHOLDS["network_errors_max"]:
        breaches.append({"metric": "network_errors", "threshold": "network_errors_max", "observed": errors,
                         "limit": 0.0, "comparator": "<="})  # fmt: skip
    block: dict[str, object] = {
        "environment": ENV,
        "exchange": family,
        "rate_limited_events": rate or 0.0,
        "network_errors": errors,
        "health_status": health,
        "network_errors_by_severity": {s: v or 0.0 for s, v in by_severity.items()},
        "thresholds": dict(THRESHOLDS),
        "status": "breached" if breaches else ("unknown" if missing else "ok"),
    }
    if breaches:
        block["breaches"] = breaches
    if missing:
        block["missing_metrics"] = sorted(missing)
    if missing_severities:
        block["missing_error_severities"] = missing_severities
    summary = {"status": block["status"], "entrypoints": 1, "monitored_entrypoint_names": [EP]}
    return {EP: block, "summary": summary}


@dataclass
class BotRun:
    """One bot run written into ``folder`` the way run_local_bot lays it out."""

    folder: Path
    registry: BotRegistry = field(default_factory=BotRegistry)
    started: datetime = STARTED

    @property
    def finished(self) -> datetime:
        return self.started + timedelta(seconds=95)

    def stamp(self, moment: datetime) -> str:
        return moment.strftime("%Y%m%dT%H%M%S")

    def report(
        self,
        shape: str = "rich",
        *,
        entrypoint: str = EP,
        mode: str = "paper",
        status: str = "success",
        finished: bool = True,
        warnings: list[str] | None = None,
        errors: list[str] | None = None,
        export_warnings: int | None = None,
    ) -> Path:
        """Write the JSON report (and, for a finished run, its Markdown exports); return its path."""
        e2e = self.folder / "logs" / "e2e"
        e2e.mkdir(parents=True, exist_ok=True)
        warnings = warnings or []
        errors = errors or []
        markdown = self.folder / "reports" / "e2e" / f"demo_paper_{mode}_{self.stamp(self.finished)}.md"
        guardrails_md = (
            e2e / "guardrails" / f"guardrails_{self.stamp(self.finished + timedelta(seconds=1))}.md"
        )
        payload: dict[str, object] = {
            "mode": mode,
            "config_path": "config/runtime.yaml",
            "started_at": self.started.isoformat(),
            "errors": errors,
            "warnings": warnings,
            "entrypoint": entrypoint,
            "validation": {"mode": mode, "environment": ENV, "expected_environment": "paper"},
            "metrics_endpoint": "http://127.0.0.1:9177/metrics",
            "decision_events": 3,
            "status": status,
        }
        if finished:
            payload["finished_at"] = self.finished.isoformat()
            payload["report_markdown"] = str(markdown)
            payload["guardrails"] = {
                "report_markdown": str(guardrails_md),
                "summary": {"summaries": [], "recommendations": [], "log_records": []},
                "log_directory": str(self.folder / "logs" / "guardrails"),
            }
            payload["paper_exchange_metrics"] = (rich_block if shape == "rich" else flat_block)(self.registry)
            self.export(markdown, len(warnings) if export_warnings is None else export_warnings, len(errors))
            self.guardrail_export(guardrails_md)
        path = e2e / f"run_local_bot_{mode}_{self.stamp(self.finished + timedelta(seconds=2))}.json"
        payload["report_json"] = str(path)
        path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
        return path

    def export(self, path: Path, warnings: int, errors: int) -> None:
        """Write the demo → paper Markdown export with bot_core's (Polish) KPI labels."""
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [
            "# Raport scenariusza demo → paper (paper)", "", "## Podsumowanie KPI", "",
            "| KPI | Wartość |", "| --- | --- |",
            f"| Data rozpoczęcia | {self.started.isoformat()} |",
            f"| Data zakończenia | {self.finished.isoformat()} |",
            "| Czas wykonania [s] | 95.00 |",
            f"| Liczba ostrzeżeń | {warnings} |",
            f"| Liczba błędów | {errors} |",
            "| Liczba zdarzeń tradingowych | 3 |", "",
        ]  # fmt: skip
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def guardrail_export(self, path: Path, rows: tuple[str, ...] = ()) -> None:
        """Write the guardrail export: its metrics table (empty unless rows are given)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        head = ["| Środowisko | Kolejka | Timeouty | Średni [s] | Oczekiwania | Średni [s] | Poziom |",
                "| --- | --- | --- | --- | --- | --- | --- |"]  # fmt: skip
        table = [*head, *rows] if rows else ["Brak zdarzeń."]
        path.write_text("\n".join(["# Raport guardrail'i kolejki I/O", "", *table, ""]), encoding="utf-8")

    def events_log(self, *lines: str) -> Path:
        """Write ``logs/guardrails/events.log`` (bot_core's text format)."""
        path = self.folder / "logs" / "guardrails" / "events.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        return path

    def prom(self) -> Path:
        """Write the registry as a ``.prom`` file."""
        from prometheus_client import generate_latest

        path = self.folder / "var" / "metrics" / f"{EP}.prom"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(generate_latest(self.registry.registry))
        return path


EVIDENCE_GROUPS = ("paper.", "guardrails.", "report.", "smoke.")


@pytest.fixture
def judge() -> Callable[..., RunReport]:
    """Return ``judge(root, **evidence)``: run the paper./guardrails./report./smoke. checks on evidence."""
    from preflight.catalog import load_runbook
    from preflight.context import RunOptions
    from preflight.engine import Selection, run_checks

    def run(root: Path, **evidence: object) -> RunReport:
        options = RunOptions(root=root, entrypoint=EP, **evidence)  # type: ignore[arg-type]
        return run_checks(load_runbook(), options, selection=Selection(only=EVIDENCE_GROUPS))

    return run


@pytest.fixture
def statuses() -> Callable[[RunReport], dict[str, Status]]:
    """Return ``statuses(report)``: each check's status by id."""
    return lambda report: {r.check_id: r.status for r in report.results}


@pytest.fixture
def result() -> Callable[[RunReport, str], tuple[Status, str]]:
    """Return ``result(report, check_id)``: its status and its message with every evidence line."""

    def find(report: RunReport, check_id: str) -> tuple[Status, str]:
        found = next(r for r in report.results if r.check_id == check_id)
        return found.status, found.message + " | " + " | ".join(str(e) for e in found.evidence)

    return find


@pytest.fixture
def clean_run() -> Callable[[Callable[[], BotRun], str], tuple[BotRun, Path]]:
    """Return ``clean_run(bot, shape)``: a run whose guardrails ran and whose series are all at zero."""

    def make(bot: Callable[[], BotRun], shape: str) -> tuple[BotRun, Path]:
        run = bot()
        run.registry.run()
        path = run.report(shape)
        run.events_log()
        return run, path

    return make


@pytest.fixture(scope="session")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Provision the demo deployment once (its one paper entrypoint is bybit_desktop_paper)."""
    from preflight.demo import prepare_demo

    return prepare_demo(tmp_path_factory.mktemp("evidence") / "demo")


@pytest.fixture
def root(demo_root: Path, tmp_path: Path) -> Path:
    """Return a private copy of the demo deployment."""
    copy = tmp_path / "root"
    shutil.copytree(demo_root, copy)
    return copy


@pytest.fixture
def bot(tmp_path: Path) -> Callable[[], BotRun]:
    """Return a factory of bot runs, each in its own folder."""
    count = iter(range(1000))

    def make() -> BotRun:
        return BotRun(tmp_path / f"bot{next(count)}")

    return make


@pytest.fixture
def exporter() -> Iterator[Callable[[CollectorRegistry], str]]:
    """Start prometheus_client's exporter on 127.0.0.1 (an ephemeral port); yield ``serve(reg) -> url``."""
    from prometheus_client import start_http_server

    servers = []

    def serve(registry: CollectorRegistry) -> str:
        server, thread = start_http_server(0, addr="127.0.0.1", registry=registry)
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.server_port}/metrics"

    yield serve
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(timeout=120)
