"""Build ``paper_exchange_metrics`` (SPEC.md section 8) from the series a session's adapter produced.

A pure function: the monitored entrypoints and a metrics registry in, the per-entrypoint blocks, the
``summary`` block, ``warnings`` and ``errors`` out. An entrypoint *covers* a metric when a series with its
``exchange`` and ``entrypoint`` labels exists — the adapter creates every series at zero when it starts,
so an entrypoint that never ran has no series and shows up as missing, never as a quiet zero.

A threshold is *covered* by an entrypoint when it is a valid number and the metric it bounds has a series
for that entrypoint (the threshold was actually evaluated). Coverage ratios divide by the number of
monitored entrypoints that monitor that metric/threshold/severity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from preflight.errors import ConfigError
from preflight.papertrade.metrics_model import (
    SEVERITIES,
    Breach,
    EntrypointMetrics,
    MetricsSummary,
    Number,
    PaperExchangeMetrics,
    as_number,
)
from preflight.papertrade.monitoring import (
    REQUESTS_METRIC,
    THRESHOLD_KEYS,
    THRESHOLD_RULES,
    MonitoredEntrypoint,
    Role,
    threshold_value,
)
from preflight.papertrade.samples import SeriesIndex, read_registry

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

__all__ = ["Breach", "EntrypointMetrics", "PaperExchangeMetrics", "build_paper_exchange_metrics"]


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _mean(values: Sequence[float]) -> float:
    return round(sum(values) / len(values), 4) if values else 0.0


@dataclass(frozen=True)
class Observation:
    """What the evidence shows for one entrypoint; None is a series that does not exist, never 0.

    ``requests`` None means the evidence has no request counter at all: then a fresh session cannot be
    told apart and the "no exchange request" rule does not apply.
    """

    rate_limited: float | None
    network_errors: float | None  # the sum over every matching series of the errors metric
    by_severity: Mapping[str, float | None]
    health: float | None
    requests: float | None

    def value(self, role: Role) -> float | None:
        """Return the observed value of ``role``."""
        if role is Role.RATE_LIMIT:
            return self.rate_limited
        if role is Role.NETWORK_ERRORS:
            return self.network_errors
        return self.health


def observe(entry: MonitoredEntrypoint, index: SeriesIndex, labels: Mapping[str, str]) -> Observation:
    """Read one entrypoint's series selected by ``labels`` (the embedded adapter: exchange + entrypoint)."""
    health = index.select(entry.metric_name(Role.HEALTH), labels)
    errors = entry.metric_name(Role.NETWORK_ERRORS)
    return Observation(
        rate_limited=index.total(entry.metric_name(Role.RATE_LIMIT), labels),
        network_errors=index.total(errors, labels),
        by_severity={s: index.total(errors, {**labels, "severity": s}) for s in SEVERITIES},
        # several health series would be a bug upstream; the worst one is the honest reading
        health=min(series.value for series in health) if health else None,
        requests=index.total(REQUESTS_METRIC, labels),
    )


def evaluate_entrypoint(entry: MonitoredEntrypoint, index: SeriesIndex) -> EntrypointMetrics:
    """Compute the block of one entrypoint from the embedded adapter's series."""
    observation = observe(entry, index, {"exchange": entry.exchange, "entrypoint": entry.name})
    requests = observation.requests or 0.0  # the adapter counts every request: none is a fresh session
    return evaluate_observation(entry, replace(observation, requests=requests))


def evaluate_observation(entry: MonitoredEntrypoint, seen: Observation) -> EntrypointMetrics:
    """Apply SPEC.md section 8's rules to what was observed for ``entry``."""
    observed = {role: seen.value(role) for role in Role}
    by_severity: dict[str, Number | None] = {
        severity: None if (value := seen.by_severity.get(severity)) is None else as_number(value)
        for severity in SEVERITIES
    }
    breaches: list[Breach] = []
    invalid: list[str] = []
    covered_thresholds: list[str] = []
    raw_thresholds = entry.thresholds()
    for rule in THRESHOLD_RULES:
        limit = threshold_value(raw_thresholds[rule.key])
        value = observed[rule.role]
        if limit is None:
            invalid.append(rule.key)
            continue
        if value is None:
            continue
        covered_thresholds.append(rule.key)
        if (value > limit) if rule.is_max else (value < limit):
            metric = entry.metric_name(rule.role)
            breaches.append(Breach(metric, rule.key, as_number(value), as_number(limit), rule.comparator))
    missing_metrics = tuple(
        name for role, name in zip(Role, entry.metric_names(), strict=True) if observed[role] is None
    )
    missing_severities = tuple(severity for severity, value in by_severity.items() if value is None)
    requests = seen.requests
    if breaches:
        status = "breached"
    elif missing_metrics or missing_severities or invalid or requests == 0:
        status = "unknown"
    else:
        status = "ok"

    def _maybe(role: Role) -> Number | None:
        found = observed[role]
        return None if found is None else as_number(found)

    return EntrypointMetrics(
        name=entry.name,
        environment=entry.environment,
        exchange=entry.exchange,
        requests=None if requests is None else int(requests),
        rate_limited_events=_maybe(Role.RATE_LIMIT),
        network_errors=_maybe(Role.NETWORK_ERRORS),
        network_errors_by_severity=by_severity,
        health_status=_maybe(Role.HEALTH),
        thresholds=dict(raw_thresholds),
        status=status,
        breaches=tuple(breaches),
        missing_metrics=missing_metrics,
        missing_error_severities=missing_severities,
        invalid_thresholds=tuple(invalid),
        covered_metrics=tuple(name for name in entry.metric_names() if name not in missing_metrics),
        covered_thresholds=tuple(covered_thresholds),
        metric_names=entry.metric_names(),
    )


def summarise(blocks: Sequence[EntrypointMetrics]) -> MetricsSummary:
    """Aggregate the per-entrypoint blocks into the ``summary`` block of SPEC.md section 8."""
    names = [block.name for block in blocks]
    by_status = {
        status: [b.name for b in blocks if b.status == status] for status in ("ok", "breached", "unknown")
    }
    if not blocks:
        status = "not_configured"
    elif by_status["breached"]:
        status = "breached"
    elif by_status["unknown"]:
        status = "unknown"
    else:
        status = "ok"
    metric_names = list(dict.fromkeys(name for block in blocks for name in block.metric_names))
    breach_counts: dict[str, int] = {}
    threshold_counts: dict[str, int] = {}
    for breach in (breach for block in blocks for breach in block.breaches):
        breach_counts[breach.metric] = breach_counts.get(breach.metric, 0) + 1
        threshold_counts[breach.threshold] = threshold_counts.get(breach.threshold, 0) + 1
    metric_cover = {m: [b.name for b in blocks if m in b.covered_metrics] for m in metric_names}
    metric_ratio = {
        m: _ratio(len(metric_cover[m]), sum(1 for b in blocks if m in b.metric_names)) for m in metric_names
    }
    missing_metric_counts = {
        m: n for m in metric_names if (n := sum(1 for b in blocks if m in b.missing_metrics))
    }
    threshold_cover = {key: [b.name for b in blocks if key in b.covered_thresholds] for key in THRESHOLD_KEYS}
    threshold_ratio = {key: _ratio(len(threshold_cover[key]), len(blocks)) for key in THRESHOLD_KEYS}
    severity_totals: dict[str, Number] = {}
    severity_cover: dict[str, list[str]] = {}
    severity_missing: dict[str, list[str]] = {}
    for severity in SEVERITIES:
        values = [b.network_errors_by_severity[severity] for b in blocks]
        severity_totals[severity] = as_number(float(sum(v for v in values if v is not None)))
        severity_cover[severity] = [
            b.name for b in blocks if b.network_errors_by_severity[severity] is not None
        ]
        gaps = [b.name for b in blocks if severity in b.missing_error_severities]
        if gaps:
            severity_missing[severity] = gaps
    return MetricsSummary(
        status=status,
        entrypoints=len(blocks),
        monitored_entrypoint_names=tuple(names),
        ok_entrypoint_names=tuple(by_status["ok"]),
        breached_entrypoint_names=tuple(by_status["breached"]),
        unknown_entrypoint_names=tuple(by_status["unknown"]),
        breached_thresholds_entrypoints={
            b.name: tuple(dict.fromkeys(br.threshold for br in b.breaches)) for b in blocks if b.breaches
        },
        missing_metrics_entrypoints={b.name: b.missing_metrics for b in blocks if b.missing_metrics},
        breach_counts_by_metric=breach_counts,
        threshold_breach_counts=threshold_counts,
        missing_metric_counts=missing_metric_counts,
        metric_coverage_entrypoints={m: tuple(found) for m, found in metric_cover.items()},
        metric_coverage_ratio=metric_ratio,
        metric_coverage_score=_mean(list(metric_ratio.values())),
        threshold_coverage_entrypoints={k: tuple(v) for k, v in threshold_cover.items()} if blocks else {},
        threshold_coverage_ratio=threshold_ratio if blocks else {},
        threshold_coverage_score=_mean(list(threshold_ratio.values())) if blocks else 0.0,
        network_error_severity_totals=severity_totals,
        network_error_severity_coverage_entrypoints={k: tuple(v) for k, v in severity_cover.items()},
        network_error_severity_coverage_ratio={
            severity: _ratio(len(severity_cover[severity]), len(blocks)) for severity in SEVERITIES
        },
        missing_error_severity_counts={severity: len(gaps) for severity, gaps in severity_missing.items()},
        missing_error_severity_entrypoints={k: tuple(v) for k, v in severity_missing.items()},
    )


def _warning(block: EntrypointMetrics, breach: Breach) -> str:
    rule = next(rule for rule in THRESHOLD_RULES if rule.key == breach.threshold)
    return (
        f"{block.name}: {breach.threshold} breached: observed {breach.observed} "
        f"{rule.violation} limit {breach.limit}"
    )


def _invalid_error(block: EntrypointMetrics, key: str) -> str:
    raw = block.thresholds[key]
    if raw is None:
        return f"{block.name}: threshold {key} is not set (no paper profile names this entrypoint)"
    return f"{block.name}: threshold {key} = {raw!r} is not a number; set it to a number in its paper profile"


def build_from_index(
    monitored: Sequence[MonitoredEntrypoint], index: SeriesIndex, run_errors: Sequence[str] = ()
) -> PaperExchangeMetrics:
    """Build the metrics report from already-read series (see :func:`build_paper_exchange_metrics`)."""
    refuse_summary_name(monitored)
    return assemble(tuple(evaluate_entrypoint(entry, index) for entry in monitored), run_errors)


def refuse_summary_name(monitored: Sequence[MonitoredEntrypoint]) -> None:
    """Refuse an entrypoint called ``summary``: it would collide with the summary block."""
    for entry in monitored:
        if entry.name == "summary":
            raise ConfigError(
                "an entrypoint may not be called 'summary' (it collides with the metrics summary); rename it"
            )


def assemble(blocks: Sequence[EntrypointMetrics], run_errors: Sequence[str] = ()) -> PaperExchangeMetrics:
    """Add the summary, one warning per breach and one error per invalid threshold to the blocks."""
    warnings = tuple(_warning(block, breach) for block in blocks for breach in block.breaches)
    errors = (
        *run_errors,
        *(_invalid_error(block, key) for block in blocks for key in block.invalid_thresholds),
    )
    return PaperExchangeMetrics(tuple(blocks), summarise(blocks), warnings, tuple(errors))


def build_paper_exchange_metrics(
    monitored: Sequence[MonitoredEntrypoint], registry: CollectorRegistry, run_errors: Sequence[str] = ()
) -> PaperExchangeMetrics:
    """Build ``paper_exchange_metrics`` for ``monitored`` from the series in ``registry``.

    ``run_errors`` are sentences from the session (an entrypoint that could not run) carried into ``errors``.
    """
    return build_from_index(monitored, read_registry(registry), run_errors)
