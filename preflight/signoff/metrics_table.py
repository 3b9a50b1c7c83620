"""The paper session's ``paper_exchange_metrics`` as typed rows, and their Markdown tables.

The run report carries the block as JSON-shaped data; it is read here, once, into frozen values, and
anything missing shows as an em dash instead of failing the sign-off.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from preflight.textsafe import md_cell, md_cell_code, md_code, md_text

SEVERITIES = ("warning", "error", "critical")
_NOT_ENTRYPOINTS = frozenset({"summary", "warnings", "errors"})
_MISSING = "—"


@dataclass(frozen=True)
class Breach:
    """One threshold an entrypoint crossed."""

    threshold: str
    observed: str
    comparator: str
    limit: str


@dataclass(frozen=True)
class EntrypointMetrics:
    """One monitored entrypoint's row of the metrics table."""

    name: str
    environment: str
    requests: str
    rate_limited: str
    errors_by_severity: tuple[str, str, str]  # warning, error, critical
    health: str
    thresholds: Mapping[str, str]
    status: str
    breaches: tuple[Breach, ...]
    gaps: tuple[str, ...]  # missing metrics / severities and invalid thresholds, as words


@dataclass(frozen=True)
class PaperSummary:
    """The ``summary`` block: its status and coverage scores."""

    status: str
    monitored: tuple[str, ...]
    metric_coverage_score: str
    threshold_coverage_score: str
    metric_coverage_ratio: tuple[tuple[str, str], ...]
    severity_coverage_ratio: tuple[tuple[str, str], ...]
    severity_totals: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PaperMetrics:
    """The whole ``paper_exchange_metrics`` block as the sign-off shows it."""

    entrypoints: tuple[EntrypointMetrics, ...]
    summary: PaperSummary | None
    warnings: tuple[str, ...]


def fmt(value: object) -> str:
    """Format a JSON scalar for a table cell (em dash when absent)."""
    if value is None:
        return _MISSING
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return f"{value:.1f}"
    if isinstance(value, Mapping):
        return fmt(sum(v for v in value.values() if isinstance(v, (int, float)) and not isinstance(v, bool)))
    if isinstance(value, (list, tuple)):
        return ", ".join(fmt(v) for v in value) or "none"
    return str(value)


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}


def _items(value: object) -> tuple[object, ...]:
    return tuple(value) if isinstance(value, (list, tuple)) else ()


def _names(value: object) -> tuple[str, ...]:
    if isinstance(value, Mapping):
        return tuple(str(k) for k in value)
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return ()


def _pairs(value: object) -> tuple[tuple[str, str], ...]:
    return tuple((str(k), fmt(v)) for k, v in _mapping(value).items())


def _entrypoint(name: str, block: Mapping[str, object]) -> EntrypointMetrics:
    by_severity = _mapping(block.get("network_errors_by_severity"))
    breaches = tuple(
        Breach(fmt(b.get("threshold")), fmt(b.get("observed")), fmt(b.get("comparator")), fmt(b.get("limit")))
        for b in _items(block.get("breaches"))
        if isinstance(b, Mapping)
    )
    gaps = (
        *(f"missing metric {m}" for m in _names(block.get("missing_metrics"))),
        *(f"missing {s} series" for s in _names(block.get("missing_error_severities"))),
        *(f"invalid threshold {t}" for t in _names(block.get("invalid_thresholds"))),
    )
    return EntrypointMetrics(
        name=name,
        environment=fmt(block.get("environment")),
        requests=fmt(block.get("requests")),
        rate_limited=fmt(block.get("rate_limited_events")),
        errors_by_severity=(
            fmt(by_severity.get("warning")),
            fmt(by_severity.get("error")),
            fmt(by_severity.get("critical")),
        ),
        health=fmt(block.get("health_status")),
        thresholds={str(k): fmt(v) for k, v in _mapping(block.get("thresholds")).items()},
        status=fmt(block.get("status")),
        breaches=breaches,
        gaps=gaps,
    )


def parse_paper_metrics(raw: Mapping[str, object]) -> PaperMetrics:
    """Read a ``paper_exchange_metrics`` block into typed rows (tolerating missing fields)."""
    entrypoints = tuple(
        _entrypoint(str(name), block)
        for name, block in raw.items()
        if name not in _NOT_ENTRYPOINTS and isinstance(block, Mapping)
    )
    summary = None
    if isinstance(raw.get("summary"), Mapping):
        block = _mapping(raw["summary"])
        summary = PaperSummary(
            status=fmt(block.get("status")),
            monitored=_names(block.get("monitored_entrypoint_names")),
            metric_coverage_score=fmt(block.get("metric_coverage_score")),
            threshold_coverage_score=fmt(block.get("threshold_coverage_score")),
            metric_coverage_ratio=_pairs(block.get("metric_coverage_ratio")),
            severity_coverage_ratio=_pairs(block.get("network_error_severity_coverage_ratio")),
            severity_totals=_pairs(block.get("network_error_severity_totals")),
        )
    warnings = tuple(str(w) for w in _items(raw.get("warnings")))
    return PaperMetrics(entrypoints, summary, warnings)


def _with_limit(observed: str, thresholds: Mapping[str, str], key: str, word: str) -> str:
    limit = thresholds.get(key)
    return f"{md_cell(observed)} ({word} {md_cell(limit)})" if limit is not None else md_cell(observed)


def render_paper_metrics(metrics: PaperMetrics) -> list[str]:
    """Return the Markdown lines of the metrics table, the coverage table and any breaches."""
    lines = [
        "| Entrypoint | Environment | Requests | Rate-limited | Network errors (warning / error / critical) "
        "| Health | Status |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for row in metrics.entrypoints:
        errors = " / ".join(row.errors_by_severity)
        cells = (
            md_cell_code(row.name),
            md_cell(row.environment),
            md_cell(row.requests),
            _with_limit(row.rate_limited, row.thresholds, "rate_limit_max", "max"),
            _with_limit(errors, row.thresholds, "network_errors_max", "sum max"),
            _with_limit(row.health, row.thresholds, "health_min", "min"),
            f"**{md_cell(row.status)}**",
        )
        lines.append("| " + " | ".join(cells) + " |")
    if not metrics.entrypoints:
        lines.append("| (no monitored entrypoint) | | | | | | |")
    lines.append("")
    for row in metrics.entrypoints:
        thresholds = (
            ", ".join(f"{md_code(k)} = {md_text(v)}" for k, v in row.thresholds.items()) or "none configured"
        )
        lines.append(f"- {md_code(row.name)} thresholds: {thresholds}.")
        for breach in row.breaches:
            lines.append(
                f"  - **Breach**: {md_code(breach.threshold)} observed {md_text(breach.observed)}, "
                f"required {md_text(breach.comparator)} {md_text(breach.limit)}."
            )
        for gap in row.gaps:
            lines.append(f"  - Gap: {md_text(gap)}.")
    if metrics.summary is not None:
        lines.extend(_summary_lines(metrics.summary))
    for warning in metrics.warnings:
        lines.append(f"- Warning from the session: {md_text(warning)}")
    return lines


def _summary_lines(summary: PaperSummary) -> list[str]:
    monitored = ", ".join(md_code(n) for n in summary.monitored) or "none"
    lines = [
        "",
        f"Summary status **{md_text(summary.status)}**; monitored entrypoints: {monitored}.",
        "",
        "| Coverage | Score |",
        "|---|---:|",
        f"| Metric coverage score | {md_cell(summary.metric_coverage_score)} |",
        f"| Threshold coverage score | {md_cell(summary.threshold_coverage_score)} |",
    ]
    lines += [
        f"| Metric {md_cell_code(name)} | {md_cell(ratio)} |" for name, ratio in summary.metric_coverage_ratio
    ]
    lines += [
        f"| Error severity {md_cell_code(name)} | {md_cell(ratio)} |"
        for name, ratio in summary.severity_coverage_ratio
    ]
    if summary.severity_totals:
        totals = ", ".join(f"{md_text(name)} {md_text(count)}" for name, count in summary.severity_totals)
        lines += ["", f"Network errors in the session: {totals}."]
    return lines
