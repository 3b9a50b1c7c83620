"""``paper_exchange_metrics`` from the bot's own evidence, by SPEC.md section 8's rules.

The rules are the embedded session's (``papertrade.summary.evaluate_observation``); what differs is how
series are selected, which follows bot_core's collector (run_local_bot.py bad092ec 115-571):

* the ``exchange`` label is the *family* bot_core derives from the environment name, up to its first
  ``_`` (``bybit_paper`` -> ``bybit``). bot_core's CCXT layer labels its own series with the adapter
  name (``exchange="bybit_spot"``), which that collector never reads: such series count as missing here
  too, and a note says where they are;
* a series carrying an ``entrypoint`` label counts only for that entrypoint (bot_core's have none, so
  every entrypoint of a family shares them, as in bot_core);
* no ``bot_exchange_requests_total`` at all means "not counted", not "a fresh session".

From a report instead of series, the per-entrypoint values are the bot's; HEAD's flat block cannot
tell 0.0 from "never produced", so every path that needs that is listed as unexpressed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from preflight.deployment.model import MetricsConfig, Thresholds
from preflight.evidence.botreport import BotBlock, BotReport, Shape
from preflight.papertrade.metrics_model import SEVERITIES, PaperExchangeMetrics, Unexpressed
from preflight.papertrade.monitoring import MonitoredEntrypoint, Role
from preflight.papertrade.samples import Series, SeriesIndex
from preflight.papertrade.summary import (
    Observation,
    assemble,
    evaluate_observation,
    observe,
    refuse_summary_name,
)

METRICS = "paper_exchange_metrics"


def bot_family(environment: str, fallback: str) -> str:
    """Return the ``exchange`` label bot_core's collector reads for an environment name."""
    return environment.split("_")[0].lower() if environment else fallback.lower()


def bot_monitored(monitored: Sequence[MonitoredEntrypoint]) -> tuple[MonitoredEntrypoint, ...]:
    """Return the deployment's monitored entrypoints with bot_core's family as the exchange label."""
    return tuple(replace(m, exchange=bot_family(m.environment, m.name)) for m in monitored)


@dataclass(frozen=True)
class Collected:
    """The metrics computed from evidence, and notes that explain a surprising result."""

    metrics: PaperExchangeMetrics
    notes: tuple[str, ...]


def _label_notes(entry: MonitoredEntrypoint, index: SeriesIndex, seen: Observation) -> list[str]:
    """Say, once per entrypoint, which missing metrics do have series under another ``exchange`` label."""
    elsewhere: dict[str, list[str]] = {}
    for role in Role:
        if seen.value(role) is not None:
            continue
        name = entry.metric_name(role)
        for label in sorted(
            {s.labels.get("exchange", "") for s in index.by_name.get(name, ())} - {entry.exchange}
        ):
            elsewhere.setdefault(label, []).append(name)
    return [
        f"{entry.name}: {', '.join(names)} {'has' if len(names) == 1 else 'have'} series for "
        f'exchange="{label}" but none for exchange="{entry.exchange}", the family bot_core\'s collector '
        f"reads for environment {entry.environment}: counted as missing; label the bot's series "
        f'exchange="{entry.exchange}"'
        for label, names in elsewhere.items()
    ]


def _for_entrypoint(name: str) -> Callable[[Series], bool]:
    """Keep series without an ``entrypoint`` label (bot_core's) and those labelled ``name``."""
    return lambda series: series.labels.get("entrypoint", name) == name


def from_series(
    monitored: Sequence[MonitoredEntrypoint], index: SeriesIndex, run_errors: Sequence[str] = ()
) -> Collected:
    """Compute the metrics of ``monitored`` (bot families as labels) from scraped series."""
    refuse_summary_name(monitored)
    blocks, notes = [], []
    for entry in monitored:
        own = index.restricted(_for_entrypoint(entry.name))
        seen = observe(entry, own, {"exchange": entry.exchange})
        blocks.append(evaluate_observation(entry, seen))
        notes += _label_notes(entry, own, seen)
    return Collected(assemble(blocks, run_errors), tuple(notes))


def _entry_for(block: BotBlock, known: Sequence[MonitoredEntrypoint]) -> MonitoredEntrypoint:
    found = next((m for m in known if m.name == block.name), None)
    if found is not None:
        return replace(found, exchange=block.exchange or found.exchange)
    raw = block.thresholds
    thresholds = Thresholds(
        rate_limit_max=raw.get("rate_limit_max"),  # type: ignore[arg-type]
        network_errors_max=raw.get("network_errors_max"),  # type: ignore[arg-type]
        health_min=raw.get("health_min"),  # type: ignore[arg-type]
    )
    names = block.metric_names
    metrics = MetricsConfig(names["rate_limit"], names["network_errors"], names["health"], thresholds)
    return MonitoredEntrypoint(block.name, block.environment, block.exchange or block.name, metrics)


def _observation(block: BotBlock) -> Observation:
    return Observation(
        rate_limited=block.rate_limited,
        network_errors=block.network_errors,
        by_severity=block.by_severity or dict.fromkeys(SEVERITIES),
        health=block.health,
        requests=None,  # run_local_bot writes no request count
    )


def _flat_unexpressed(entries: Sequence[MonitoredEntrypoint]) -> tuple[Unexpressed, ...]:
    zero = (
        "run_local_bot HEAD's flat block writes 0.0 for a metric its registry never had, so it cannot "
        "show that the series existed; judge the bot's /metrics (--metrics-url/--metrics-file) for that"
    )
    severities = "HEAD's flat block holds only the sum of network errors, no series per severity"
    thresholds = (
        "HEAD's flat block carries no thresholds and no coverage: it cannot show a threshold was evaluated"
    )
    status = (
        "a status needs every series to exist, which HEAD's flat block cannot show: it writes 0.0 for a "
        "metric that was never produced"
    )
    found = [Unexpressed(f"{METRICS}.summary.status", status)]
    for entry in entries:
        base = f"{METRICS}.{entry.name}"
        found += [
            Unexpressed(f"{base}.status", status),
            Unexpressed(f"{base}.missing_metrics", zero),
            Unexpressed(f"{base}.missing_error_severities", severities),
            Unexpressed(f"{base}.network_errors_by_severity", severities),
        ]
    summary = f"{METRICS}.summary"
    found += [
        Unexpressed(f"{summary}.{key}", status) for key in ("ok_entrypoint_names", "unknown_entrypoint_names")
    ]
    found += [
        Unexpressed(f"{summary}.{key}", zero)
        for key in (
            "missing_metrics_entrypoints",
            "missing_metric_counts",
            "metric_coverage_ratio",
            "metric_coverage_score",
        )
    ]
    for name in dict.fromkeys(
        n for e in entries for n in (e.metric_name(Role.RATE_LIMIT), e.metric_name(Role.NETWORK_ERRORS))
    ):
        found.append(Unexpressed(f"{summary}.metric_coverage_entrypoints.{name}", zero))
    found += [
        Unexpressed(f"{summary}.{key}", thresholds)
        for key in ("threshold_coverage_entrypoints", "threshold_coverage_ratio", "threshold_coverage_score")
    ]
    found += [
        Unexpressed(f"{summary}.{key}", severities)
        for key in (
            "network_error_severity_totals",
            "network_error_severity_coverage_entrypoints",
            "network_error_severity_coverage_ratio",
            "missing_error_severity_counts",
            "missing_error_severity_entrypoints",
        )
    ]
    return tuple(found)


def from_report(report: BotReport, known: Sequence[MonitoredEntrypoint]) -> Collected:
    """Compute the metrics from the blocks the bot wrote (thresholds: the deployment's, else the bot's)."""
    entries = [_entry_for(block, known) for block in report.blocks]
    refuse_summary_name(entries)
    blocks = [evaluate_observation(e, _observation(b)) for e, b in zip(entries, report.blocks, strict=True)]
    metrics = assemble(blocks)
    if report.shape is Shape.FLAT:
        metrics = replace(metrics, unexpressed=_flat_unexpressed(entries))
    notes: tuple[str, ...] = ()
    if not report.blocks:
        notes = (
            f"{report.file.name}: paper_exchange_metrics names no entrypoint: the bot monitored nothing",
        )
    return Collected(metrics, notes)
