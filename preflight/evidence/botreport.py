"""run_local_bot's JSON report (``logs/e2e/run_local_bot_<mode>_<stamp>.json``), in both shapes.

HEAD writes a flat block per paper entrypoint — ``{environment, exchange, rate_limited_events,
network_errors, health_status}`` — and 0.0 for a metric its registry never had, so a zero there cannot
show that a series existed. bad092ec writes the rich shape: per-entrypoint ``missing_metrics`` /
``missing_error_severities`` / ``network_errors_by_severity`` / ``thresholds`` and a ``summary``.
Both are read into ``BotBlock`` values; a rich block's values of a missing metric read as None.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from preflight import jsonsafe
from preflight.errors import InputError
from preflight.evidence.files import EvidenceFile, parse_time, read_evidence
from preflight.papertrade.metrics_model import SEVERITIES

# What a run that got to its end writes (run_local_bot's finally block), besides a status of success.
FINISHED_KEYS = ("finished_at", "paper_exchange_metrics")
_ROLE_DEFAULTS = {
    "rate_limit": "bot_exchange_rate_limited_total",
    "network_errors": "bot_exchange_errors_total",
    "health": "bot_exchange_health_status",
}


class Shape(StrEnum):
    """Which run_local_bot writes ``paper_exchange_metrics``."""

    FLAT = "flat"  # HEAD: values only, 0.0 for a missing metric
    RICH = "rich"  # bad092ec: coverage, severities, thresholds, summary
    ABSENT = "absent"  # no paper_exchange_metrics at all

    def describe(self) -> str:
        """Return how reports name the shape."""
        return {
            Shape.FLAT: "HEAD's flat per-entrypoint block",
            Shape.RICH: "bad092ec's rich block with summary",
            Shape.ABSENT: "no paper_exchange_metrics",
        }[self]


@dataclass(frozen=True)
class BotBlock:
    """One entrypoint's block as the bot wrote it; None is "the bot saw no series"."""

    name: str
    environment: str
    exchange: str
    rate_limited: float | None
    network_errors: float | None
    by_severity: Mapping[str, float | None] | None  # None: the shape has no breakdown
    health: float | None
    metric_names: Mapping[str, str]  # role -> name (the defaults when the profile names none)
    thresholds: Mapping[str, object]


@dataclass(frozen=True)
class BotReport:
    """The fields of a run_local_bot report that judging the paper run needs."""

    file: EvidenceFile
    mode: str | None
    entrypoint: str | None
    status: str | None
    started_at: datetime | None
    finished_at: datetime | None
    warnings: tuple[str, ...]
    errors: tuple[str, ...]
    shape: Shape
    blocks: tuple[BotBlock, ...]
    absent_keys: tuple[str, ...]  # of FINISHED_KEYS
    report_markdown: str | None
    guardrails_markdown: str | None
    log_directory: str | None

    @property
    def interrupted(self) -> bool:
        """Say whether the report claims success but lacks what a finished run writes."""
        return self.status == "success" and bool(self.absent_keys)

    def session_time(self) -> str:
        """Return the session's start and end as reports show them."""
        start = self.started_at.isoformat() if self.started_at else "unknown start"
        end = self.finished_at.isoformat() if self.finished_at else "no finished_at"
        return f"{start} → {end}"


def _number(value: object, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{where} is {json.dumps(value)[:60]}, not a number")
    return float(value)


def _strings(doc: Mapping[str, object], key: str, where: str) -> tuple[str, ...]:
    value = doc.get(key, [])
    if not isinstance(value, list):
        raise InputError(f"{where}: {key} is not a list")
    return tuple(str(item) for item in value)


def _text(doc: Mapping[str, object], key: str) -> str | None:
    value = doc.get(key)
    return value if isinstance(value, str) else None


def _block(name: str, raw: object, shape: Shape, where: str) -> BotBlock:
    if not isinstance(raw, Mapping):
        raise InputError(f"{where} is not an object")
    names = dict(_ROLE_DEFAULTS)
    custom = raw.get("metric_names")
    if isinstance(custom, Mapping):
        names.update({str(k): str(v) for k, v in custom.items() if k in names and v})
    missing = set(_strings(raw, "missing_metrics", where)) if shape is Shape.RICH else set()
    missing_severities = set(_strings(raw, "missing_error_severities", where))

    def value(key: str, role: str) -> float | None:
        found = _number(raw.get(key), f"{where}.{key}")
        return None if names[role] in missing else found

    by_severity: dict[str, float | None] | None = None
    if shape is Shape.RICH:
        raw_severity = raw.get("network_errors_by_severity")
        breakdown = raw_severity if isinstance(raw_severity, Mapping) else {}
        by_severity = {
            s: None
            if s in missing_severities or names["network_errors"] in missing
            else _number(breakdown.get(s), f"{where}.network_errors_by_severity.{s}")
            for s in SEVERITIES
        }
    thresholds = raw.get("thresholds")
    return BotBlock(
        name=name,
        environment=str(raw.get("environment") or ""),
        exchange=str(raw.get("exchange") or ""),
        rate_limited=value("rate_limited_events", "rate_limit"),
        network_errors=value("network_errors", "network_errors"),
        by_severity=by_severity,
        health=value("health_status", "health"),
        metric_names=names,
        thresholds=dict(thresholds) if isinstance(thresholds, Mapping) else {},
    )


def _shape(metrics: object) -> Shape:
    if not isinstance(metrics, Mapping):
        return Shape.ABSENT
    return Shape.RICH if "summary" in metrics else Shape.FLAT


def read_bot_report(path: Path) -> BotReport:
    """Read a run_local_bot report; InputError naming the file and field when it is not one."""
    file = read_evidence(path, "a run_local_bot report")
    try:
        doc = jsonsafe.loads(file.text)
    except ValueError as error:
        line = getattr(error, "lineno", None)
        at = f":{line}" if line else ""
        raise InputError(
            f"{path}{at}: not JSON ({getattr(error, 'msg', error)}); pass a report run_local_bot wrote"
        ) from None
    if not isinstance(doc, Mapping) or "mode" not in doc or "started_at" not in doc:
        raise InputError(
            f"{path}: not a run_local_bot report (no mode/started_at); pass logs/e2e/run_local_bot_*.json"
        )
    where = path.name
    metrics = doc.get("paper_exchange_metrics")
    shape = _shape(metrics)
    blocks: tuple[BotBlock, ...] = ()
    if isinstance(metrics, Mapping):
        blocks = tuple(
            _block(str(name), raw, shape, f"{where}: paper_exchange_metrics.{name}")
            for name, raw in metrics.items()
            if name != "summary"
        )
    guardrails = doc.get("guardrails")
    guard = guardrails if isinstance(guardrails, Mapping) else {}
    return BotReport(
        file=file,
        mode=_text(doc, "mode"),
        entrypoint=_text(doc, "entrypoint"),
        status=_text(doc, "status"),
        started_at=parse_time(doc.get("started_at")),
        finished_at=parse_time(doc.get("finished_at")),
        warnings=_strings(doc, "warnings", where),
        errors=_strings(doc, "errors", where),
        shape=shape,
        blocks=blocks,
        absent_keys=tuple(key for key in FINISHED_KEYS if key not in doc),
        report_markdown=_text(doc, "report_markdown"),
        guardrails_markdown=_text(guard, "report_markdown"),
        log_directory=_text(guard, "log_directory"),
    )


def peek(path: Path) -> tuple[str | None, str | None, datetime | None]:
    """Return a report's (entrypoint, mode, started_at) for choosing among many; Nones when unreadable."""
    try:
        doc = jsonsafe.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, None, None
    if not isinstance(doc, Mapping):
        return None, None, None
    return _text(doc, "entrypoint"), _text(doc, "mode"), parse_time(doc.get("started_at"))
