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
from dataclasses import dataclass
from typing import TYPE_CHECKING

from preflight.deployment.model import Threshold
from preflight.errors import ConfigError
from preflight.papertrade.monitoring import (
    REQUESTS_METRIC,
    SEVERITIES,
    THRESHOLD_KEYS,
    THRESHOLD_RULES,
    MonitoredEntrypoint,
    Role,
    threshold_value,
)
from preflight.papertrade.samples import SeriesIndex, read_registry

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

Number = int | float


def _number(value: float) -> Number:
    """Return counts as ints and anything fractional as a float, as JSON readers expect."""
    return int(value) if value.is_integer() else value


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _mean(values: Sequence[float]) -> float:
    return round(sum(values) / len(values), 4) if values else 0.0


@dataclass(frozen=True)
class Breach:
    """One breached threshold of one entrypoint."""

    metric: str
    threshold: str
    observed: Number
    limit: Number
    comparator: str  # what the observed value had to satisfy: "<=" for a max, ">=" for a min

    def to_json(self) -> dict[str, object]:
        """Return the JSON form."""
        return {
            "metric": self.metric,
            "threshold": self.threshold,
            "observed": self.observed,
            "limit": self.limit,
            "comparator": self.comparator,
        }


@dataclass(frozen=True)
class EntrypointMetrics:
    """The block of one monitored entrypoint; a missing series reads as None, never as 0."""

    name: str
    environment: str
    exchange: str
    requests: int
    rate_limited_events: Number | None
    network_errors: Number | None
    network_errors_by_severity: Mapping[str, Number | None]
    health_status: Number | None
    thresholds: Mapping[str, Threshold]
    status: str
    breaches: tuple[Breach, ...]
    missing_metrics: tuple[str, ...]
    missing_error_severities: tuple[str, ...]
    invalid_thresholds: tuple[str, ...]
    covered_metrics: tuple[str, ...]
    covered_thresholds: tuple[str, ...]
    metric_names: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        """Return the JSON form with the field names of SPEC.md section 8."""
        return {
            "environment": self.environment,
            "exchange": self.exchange,
            "requests": self.requests,
            "rate_limited_events": self.rate_limited_events,
            "network_errors": self.network_errors,
            "network_errors_by_severity": dict(self.network_errors_by_severity),
            "health_status": self.health_status,
            "thresholds": dict(self.thresholds),
            "status": self.status,
            "breaches": [breach.to_json() for breach in self.breaches],
            "missing_metrics": list(self.missing_metrics),
            "missing_error_severities": list(self.missing_error_severities),
            "invalid_thresholds": list(self.invalid_thresholds),
        }


def _observed(entry: MonitoredEntrypoint, index: SeriesIndex) -> dict[Role, float | None]:
    labels = {"exchange": entry.exchange, "entrypoint": entry.name}
    health = index.select(entry.metric_name(Role.HEALTH), labels)
    return {
        Role.RATE_LIMIT: index.total(entry.metric_name(Role.RATE_LIMIT), labels),
        Role.NETWORK_ERRORS: index.total(entry.metric_name(Role.NETWORK_ERRORS), labels),
        # several health series would be a bug upstream; the worst one is the honest reading
        Role.HEALTH: min(series.value for series in health) if health else None,
    }


def evaluate_entrypoint(entry: MonitoredEntrypoint, index: SeriesIndex) -> EntrypointMetrics:
    """Compute the block of one entrypoint from the registry's series."""
    labels = {"exchange": entry.exchange, "entrypoint": entry.name}
    observed = _observed(entry, index)
    by_severity: dict[str, Number | None] = {}
    for severity in SEVERITIES:
        total = index.total(entry.metric_name(Role.NETWORK_ERRORS), {**labels, "severity": severity})
        by_severity[severity] = None if total is None else _number(total)
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
            breaches.append(Breach(metric, rule.key, _number(value), _number(limit), rule.comparator))
    missing_metrics = tuple(
        name for role, name in zip(Role, entry.metric_names(), strict=True) if observed[role] is None
    )
    missing_severities = tuple(severity for severity, value in by_severity.items() if value is None)
    requests = index.total(REQUESTS_METRIC, labels) or 0.0
    if breaches:
        status = "breached"
    elif missing_metrics or missing_severities or invalid or requests == 0:
        status = "unknown"
    else:
        status = "ok"

    def _maybe(role: Role) -> Number | None:
        found = observed[role]
        return None if found is None else _number(found)

    return EntrypointMetrics(
        name=entry.name,
        environment=entry.environment,
        exchange=entry.exchange,
        requests=int(requests),
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


@dataclass(frozen=True)
class PaperExchangeMetrics:
    """``paper_exchange_metrics`` (blocks + summary) and the report's ``warnings`` and ``errors``."""

    entrypoints: tuple[EntrypointMetrics, ...]
    summary: Mapping[str, object]
    warnings: tuple[str, ...]
    errors: tuple[str, ...]

    @property
    def status(self) -> str:
        """Return the summary status (ok, unknown, breached or not_configured)."""
        return str(self.summary["status"])

    def to_json(self) -> dict[str, object]:
        """Return ``{<entrypoint>: block, ..., "summary": {...}}``."""
        result: dict[str, object] = {entry.name: entry.to_json() for entry in self.entrypoints}
        result["summary"] = self.summary
        return result


def summarise(blocks: Sequence[EntrypointMetrics]) -> dict[str, object]:
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
        severity_totals[severity] = _number(float(sum(v for v in values if v is not None)))
        severity_cover[severity] = [
            b.name for b in blocks if b.network_errors_by_severity[severity] is not None
        ]
        gaps = [b.name for b in blocks if severity in b.missing_error_severities]
        if gaps:
            severity_missing[severity] = gaps
    return {
        "status": status,
        "entrypoints": len(blocks),
        "monitored_entrypoint_names": names,
        "ok_entrypoint_names": by_status["ok"],
        "breached_entrypoint_names": by_status["breached"],
        "unknown_entrypoint_names": by_status["unknown"],
        "breached_thresholds_entrypoints": {
            b.name: list(dict.fromkeys(br.threshold for br in b.breaches)) for b in blocks if b.breaches
        },
        "missing_metrics_entrypoints": {b.name: list(b.missing_metrics) for b in blocks if b.missing_metrics},
        "breach_counts_by_metric": breach_counts,
        "threshold_breach_counts": threshold_counts,
        "missing_metric_counts": missing_metric_counts,
        "metric_coverage_entrypoints": metric_cover,
        "metric_coverage_ratio": metric_ratio,
        "metric_coverage_score": _mean(list(metric_ratio.values())),
        "threshold_coverage_entrypoints": threshold_cover if blocks else {},
        "threshold_coverage_ratio": threshold_ratio if blocks else {},
        "threshold_coverage_score": _mean(list(threshold_ratio.values())) if blocks else 0.0,
        "network_error_severity_totals": severity_totals,
        "network_error_severity_coverage_entrypoints": severity_cover,
        "network_error_severity_coverage_ratio": {
            severity: _ratio(len(severity_cover[severity]), len(blocks)) for severity in SEVERITIES
        },
        "missing_error_severity_counts": {severity: len(gaps) for severity, gaps in severity_missing.items()},
        "missing_error_severity_entrypoints": severity_missing,
    }


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
    for entry in monitored:
        if entry.name == "summary":
            raise ConfigError(
                "an entrypoint may not be called 'summary' (it collides with the metrics summary); rename it"
            )
    blocks = tuple(evaluate_entrypoint(entry, index) for entry in monitored)
    warnings = tuple(_warning(block, breach) for block in blocks for breach in block.breaches)
    errors = (
        *run_errors,
        *(_invalid_error(block, key) for block in blocks for key in block.invalid_thresholds),
    )
    return PaperExchangeMetrics(blocks, summarise(blocks), warnings, tuple(errors))


def build_paper_exchange_metrics(
    monitored: Sequence[MonitoredEntrypoint], registry: CollectorRegistry, run_errors: Sequence[str] = ()
) -> PaperExchangeMetrics:
    """Build ``paper_exchange_metrics`` for ``monitored`` from the series in ``registry``.

    ``run_errors`` are sentences from the session (an entrypoint that could not run) carried into ``errors``.
    """
    return build_from_index(monitored, read_registry(registry), run_errors)
