"""The typed ``paper_exchange_metrics`` (SPEC.md section 8) and its one JSON codec.

Built by the embedded session (``papertrade.summary``) and by the readers of the bot's own evidence
(``preflight.evidence``); read by the paper checks, the reporters and the sign-off. ``to_json`` writes the
field order the session report has always had; ``from_json`` reads it back (``ConfigError`` naming the
field when the document is not that shape), so ``from_json(x.to_json()) == x``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from preflight.deployment.model import Threshold
from preflight.errors import ConfigError

Number = int | float
SEVERITIES = ("warning", "error", "critical")
SUMMARY_KEY = "summary"


def as_number(value: float) -> Number:
    """Return counts as ints and anything fractional as a float, as JSON readers expect."""
    return int(value) if value.is_integer() else value


class _Reader:
    """Typed access to one JSON object; every error names the dotted path of the bad field."""

    def __init__(self, doc: object, where: str) -> None:
        if not isinstance(doc, Mapping):
            raise ConfigError(f"{where} is not an object")
        self.doc = doc
        self.where = where

    def _get(self, key: str) -> object:
        if key not in self.doc:
            raise ConfigError(f"{self.where}.{key} is absent")
        return self.doc[key]

    def text(self, key: str) -> str:
        value = self._get(key)
        if not isinstance(value, str):
            raise ConfigError(f"{self.where}.{key} is not a string")
        return value

    def number(self, key: str) -> Number | None:
        value = self._get(key)
        if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
            return value
        raise ConfigError(f"{self.where}.{key} is not a number or null")

    def names(self, key: str) -> tuple[str, ...]:
        value = self._get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{self.where}.{key} is not a list of strings")
        return tuple(value)

    def mapping(self, key: str) -> Mapping[str, object]:
        value = self._get(key)
        if not isinstance(value, Mapping):
            raise ConfigError(f"{self.where}.{key} is not an object")
        return value

    def names_by_key(self, key: str) -> dict[str, tuple[str, ...]]:
        inner = _Reader(self.mapping(key), f"{self.where}.{key}")
        return {str(k): inner.names(str(k)) for k in inner.doc}

    def numbers_by_key(self, key: str) -> dict[str, Number]:
        inner = _Reader(self.mapping(key), f"{self.where}.{key}")
        found: dict[str, Number] = {}
        for k in inner.doc:
            value = inner.number(str(k))
            if value is None:
                raise ConfigError(f"{self.where}.{key}.{k} is null")
            found[str(k)] = value
        return found


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

    @classmethod
    def from_json(cls, doc: object, where: str) -> Breach:
        """Read one breach object."""
        r = _Reader(doc, where)
        observed, limit = r.number("observed"), r.number("limit")
        if observed is None or limit is None:
            raise ConfigError(f"{where}: observed and limit must be numbers")
        return cls(r.text("metric"), r.text("threshold"), observed, limit, r.text("comparator"))


@dataclass(frozen=True)
class EntrypointMetrics:
    """The block of one monitored entrypoint; a missing series reads as None, never as 0.

    ``requests`` is None when the evidence has no request counter at all (the bot's exporter need not
    have one); the embedded adapter always counts them.
    """

    name: str
    environment: str
    exchange: str
    requests: int | None
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


def _entrypoint_from_json(name: str, doc: object, summary: MetricsSummary, where: str) -> EntrypointMetrics:
    r = _Reader(doc, where)
    severities = _Reader(r.mapping("network_errors_by_severity"), f"{where}.network_errors_by_severity")
    thresholds = r.mapping("thresholds")
    for key, value in thresholds.items():
        if value is not None and not isinstance(value, int | float | str | bool):
            raise ConfigError(f"{where}.thresholds.{key} is not a scalar")
    requests = r.number("requests")
    breaches = r.doc.get("breaches")
    if not isinstance(breaches, list):
        raise ConfigError(f"{where}.breaches is not a list")
    missing = r.names("missing_metrics")
    # metric names and coverage live in the summary maps (the block does not repeat them)
    covered = tuple(m for m, names in summary.metric_coverage_entrypoints.items() if name in names)
    return EntrypointMetrics(
        name=name,
        environment=r.text("environment"),
        exchange=r.text("exchange"),
        requests=None if requests is None else int(requests),
        rate_limited_events=r.number("rate_limited_events"),
        network_errors=r.number("network_errors"),
        network_errors_by_severity={s: severities.number(s) for s in SEVERITIES},
        health_status=r.number("health_status"),
        thresholds={str(k): v for k, v in thresholds.items()},  # type: ignore[misc]
        status=r.text("status"),
        breaches=tuple(Breach.from_json(b, f"{where}.breaches.{i}") for i, b in enumerate(breaches)),
        missing_metrics=missing,
        missing_error_severities=r.names("missing_error_severities"),
        invalid_thresholds=r.names("invalid_thresholds"),
        covered_metrics=covered,
        covered_thresholds=tuple(
            k for k, names in summary.threshold_coverage_entrypoints.items() if name in names
        ),
        metric_names=tuple(dict.fromkeys((*covered, *missing))),
    )


@dataclass(frozen=True, eq=False)  # equality is Mapping's: the same JSON view
class MetricsSummary(Mapping[str, object]):
    """The ``summary`` block, every field of SPEC.md section 8 (maps ``{}`` and lists ``[]`` when empty).

    Typed fields for code; read as a Mapping it is the JSON view, for dotted-path lookups and tests.
    """

    status: str
    entrypoints: int
    monitored_entrypoint_names: tuple[str, ...]
    ok_entrypoint_names: tuple[str, ...]
    breached_entrypoint_names: tuple[str, ...]
    unknown_entrypoint_names: tuple[str, ...]
    breached_thresholds_entrypoints: Mapping[str, tuple[str, ...]]
    missing_metrics_entrypoints: Mapping[str, tuple[str, ...]]
    breach_counts_by_metric: Mapping[str, int]
    threshold_breach_counts: Mapping[str, int]
    missing_metric_counts: Mapping[str, int]
    metric_coverage_entrypoints: Mapping[str, tuple[str, ...]]
    metric_coverage_ratio: Mapping[str, float]
    metric_coverage_score: float
    threshold_coverage_entrypoints: Mapping[str, tuple[str, ...]]
    threshold_coverage_ratio: Mapping[str, float]
    threshold_coverage_score: float
    network_error_severity_totals: Mapping[str, Number]
    network_error_severity_coverage_entrypoints: Mapping[str, tuple[str, ...]]
    network_error_severity_coverage_ratio: Mapping[str, float]
    missing_error_severity_counts: Mapping[str, int]
    missing_error_severity_entrypoints: Mapping[str, tuple[str, ...]]

    def to_json(self) -> dict[str, object]:
        """Return the JSON form, in the session report's field order."""

        def lists(found: Mapping[str, tuple[str, ...]]) -> dict[str, list[str]]:
            return {key: list(names) for key, names in found.items()}

        return {
            "status": self.status,
            "entrypoints": self.entrypoints,
            "monitored_entrypoint_names": list(self.monitored_entrypoint_names),
            "ok_entrypoint_names": list(self.ok_entrypoint_names),
            "breached_entrypoint_names": list(self.breached_entrypoint_names),
            "unknown_entrypoint_names": list(self.unknown_entrypoint_names),
            "breached_thresholds_entrypoints": lists(self.breached_thresholds_entrypoints),
            "missing_metrics_entrypoints": lists(self.missing_metrics_entrypoints),
            "breach_counts_by_metric": dict(self.breach_counts_by_metric),
            "threshold_breach_counts": dict(self.threshold_breach_counts),
            "missing_metric_counts": dict(self.missing_metric_counts),
            "metric_coverage_entrypoints": lists(self.metric_coverage_entrypoints),
            "metric_coverage_ratio": dict(self.metric_coverage_ratio),
            "metric_coverage_score": self.metric_coverage_score,
            "threshold_coverage_entrypoints": lists(self.threshold_coverage_entrypoints),
            "threshold_coverage_ratio": dict(self.threshold_coverage_ratio),
            "threshold_coverage_score": self.threshold_coverage_score,
            "network_error_severity_totals": dict(self.network_error_severity_totals),
            "network_error_severity_coverage_entrypoints": lists(
                self.network_error_severity_coverage_entrypoints
            ),
            "network_error_severity_coverage_ratio": dict(self.network_error_severity_coverage_ratio),
            "missing_error_severity_counts": dict(self.missing_error_severity_counts),
            "missing_error_severity_entrypoints": lists(self.missing_error_severity_entrypoints),
        }

    def __getitem__(self, key: str) -> object:
        """Return the JSON value of field ``key``."""
        return self.to_json()[key]

    def __iter__(self) -> Iterator[str]:
        """Iterate over the JSON field names in report order."""
        return iter(self.to_json())

    def __len__(self) -> int:
        """Return the number of fields."""
        return len(self.to_json())

    @classmethod
    def from_json(cls, doc: object, where: str) -> MetricsSummary:
        """Read a ``summary`` block."""
        r = _Reader(doc, where)
        entrypoints = r.number("entrypoints")

        def counts(key: str) -> dict[str, int]:
            return {k: int(v) for k, v in r.numbers_by_key(key).items()}

        def ratios(key: str) -> dict[str, float]:
            return {k: float(v) for k, v in r.numbers_by_key(key).items()}

        def score(key: str) -> float:
            value = r.number(key)
            if value is None:
                raise ConfigError(f"{where}.{key} is null")
            return float(value)

        return cls(
            status=r.text("status"),
            entrypoints=int(entrypoints or 0),
            monitored_entrypoint_names=r.names("monitored_entrypoint_names"),
            ok_entrypoint_names=r.names("ok_entrypoint_names"),
            breached_entrypoint_names=r.names("breached_entrypoint_names"),
            unknown_entrypoint_names=r.names("unknown_entrypoint_names"),
            breached_thresholds_entrypoints=r.names_by_key("breached_thresholds_entrypoints"),
            missing_metrics_entrypoints=r.names_by_key("missing_metrics_entrypoints"),
            breach_counts_by_metric=counts("breach_counts_by_metric"),
            threshold_breach_counts=counts("threshold_breach_counts"),
            missing_metric_counts=counts("missing_metric_counts"),
            metric_coverage_entrypoints=r.names_by_key("metric_coverage_entrypoints"),
            metric_coverage_ratio=ratios("metric_coverage_ratio"),
            metric_coverage_score=score("metric_coverage_score"),
            threshold_coverage_entrypoints=r.names_by_key("threshold_coverage_entrypoints"),
            threshold_coverage_ratio=ratios("threshold_coverage_ratio"),
            threshold_coverage_score=score("threshold_coverage_score"),
            network_error_severity_totals=r.numbers_by_key("network_error_severity_totals"),
            network_error_severity_coverage_entrypoints=r.names_by_key(
                "network_error_severity_coverage_entrypoints"
            ),
            network_error_severity_coverage_ratio=ratios("network_error_severity_coverage_ratio"),
            missing_error_severity_counts=counts("missing_error_severity_counts"),
            missing_error_severity_entrypoints=r.names_by_key("missing_error_severity_entrypoints"),
        )


@dataclass(frozen=True)
class Unexpressed:
    """A report path the evidence cannot back, and why (its checks skip with the reason, never pass)."""

    path: str  # dotted, relative to the report: ``paper_exchange_metrics.summary.metric_coverage_score``
    reason: str

    def covers(self, path: str) -> bool:
        """Say whether ``path`` is this path or lies below it."""
        return path == self.path or path.startswith(self.path + ".")


@dataclass(frozen=True)
class PaperExchangeMetrics:
    """``paper_exchange_metrics`` (blocks + summary) and the report's ``warnings`` and ``errors``.

    ``unexpressed`` is empty for the embedded session; evidence readers list what their source cannot
    show (e.g. run_local_bot HEAD's flat block writes 0.0 for a series that never existed).
    """

    entrypoints: tuple[EntrypointMetrics, ...]
    summary: MetricsSummary
    warnings: tuple[str, ...]
    errors: tuple[str, ...]
    unexpressed: tuple[Unexpressed, ...] = field(default=())

    @property
    def status(self) -> str:
        """Return the summary status (ok, unknown, breached or not_configured)."""
        return self.summary.status

    def block(self, name: str) -> EntrypointMetrics | None:
        """Return the block of entrypoint ``name``, if it is monitored."""
        return next((entry for entry in self.entrypoints if entry.name == name), None)

    def unexpressed_reason(self, path: str) -> str | None:
        """Return why ``path`` cannot be judged from this evidence, or None when it can."""
        return next(
            (u.reason for u in self.unexpressed if u.covers(path) or u.path.startswith(path + ".")), None
        )

    def to_json(self) -> dict[str, object]:
        """Return ``{<entrypoint>: block, ..., "summary": {...}}``."""
        result: dict[str, object] = {entry.name: entry.to_json() for entry in self.entrypoints}
        result[SUMMARY_KEY] = self.summary.to_json()
        return result

    @classmethod
    def from_json(
        cls,
        doc: object,
        warnings: Sequence[str] = (),
        errors: Sequence[str] = (),
        where: str = "paper_exchange_metrics",
    ) -> PaperExchangeMetrics:
        """Read ``{<entrypoint>: block, ..., "summary": {...}}`` (the report's warnings/errors passed in)."""
        r = _Reader(doc, where)
        summary = MetricsSummary.from_json(r.mapping(SUMMARY_KEY), f"{where}.{SUMMARY_KEY}")
        blocks = tuple(
            _entrypoint_from_json(str(name), block, summary, f"{where}.{name}")
            for name, block in r.doc.items()
            if name != SUMMARY_KEY
        )
        return cls(blocks, summary, tuple(warnings), tuple(errors))
