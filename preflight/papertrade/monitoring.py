"""What the metrics summary monitors: every paper entrypoint, its metric names and thresholds."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from preflight.deployment.model import Deployment, MetricsConfig, Threshold, Thresholds

SEVERITIES = ("warning", "error", "critical")
REQUESTS_METRIC = "bot_exchange_requests_total"
DEFAULT_METRICS = MetricsConfig(
    rate_limit="bot_exchange_rate_limited_total",
    network_errors="bot_exchange_errors_total",
    health="bot_exchange_health_status",
    thresholds=Thresholds(rate_limit_max=None, network_errors_max=None, health_min=None),
)


class Role(StrEnum):
    """What a monitored metric measures."""

    RATE_LIMIT = "rate_limit"
    NETWORK_ERRORS = "network_errors"
    HEALTH = "health"


@dataclass(frozen=True)
class ThresholdRule:
    """A threshold key, the metric role it bounds, and whether the observed value is a max or a min."""

    key: str
    role: Role
    is_max: bool

    @property
    def comparator(self) -> str:
        """Return what the observed value must satisfy against the limit."""
        return "<=" if self.is_max else ">="

    @property
    def violation(self) -> str:
        """Return the relation that a breach shows (``observed 3 > limit 0``)."""
        return ">" if self.is_max else "<"


THRESHOLD_RULES = (
    ThresholdRule("rate_limit_max", Role.RATE_LIMIT, is_max=True),
    ThresholdRule("network_errors_max", Role.NETWORK_ERRORS, is_max=True),
    ThresholdRule("health_min", Role.HEALTH, is_max=False),
)
THRESHOLD_KEYS = tuple(rule.key for rule in THRESHOLD_RULES)


@dataclass(frozen=True)
class MonitoredEntrypoint:
    """One monitored entrypoint: its environment, the ``exchange`` label, metric names, thresholds."""

    name: str
    environment: str
    exchange: str
    metrics: MetricsConfig

    def metric_name(self, role: Role) -> str:
        """Return the metric name this entrypoint's paper profile uses for ``role``."""
        names = {
            Role.RATE_LIMIT: self.metrics.rate_limit,
            Role.NETWORK_ERRORS: self.metrics.network_errors,
            Role.HEALTH: self.metrics.health,
        }
        return names[role]

    def metric_names(self) -> tuple[str, ...]:
        """Return the three metric names in role order."""
        return tuple(self.metric_name(role) for role in Role)

    def thresholds(self) -> Mapping[str, Threshold]:
        """Return the thresholds as found in the paper profile (None when there is no profile)."""
        found = self.metrics.thresholds
        return {
            "rate_limit_max": found.rate_limit_max,
            "network_errors_max": found.network_errors_max,
            "health_min": found.health_min,
        }


def threshold_value(raw: Threshold) -> float | None:
    """Return a threshold as a number, or None when it is invalid (non-numeric, a bool, NaN, absent)."""
    # bool is an int subclass in Python; `rate_limit_max: true` is a typo, not a limit of 1.
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    value = float(raw)
    return value if math.isfinite(value) else None


def monitored_entrypoints(deployment: Deployment) -> tuple[MonitoredEntrypoint, ...]:
    """Return every paper-mode entrypoint (by environment ``mode``, never by name), in file order."""
    monitored: list[MonitoredEntrypoint] = []
    for name in deployment.paper_entrypoints():
        environment = deployment.environment_of(name)
        if environment is None:  # paper_entrypoints() only yields resolvable ones; keeps mypy honest
            continue
        profile = deployment.runtime.paper_profile_for(name)
        metrics = profile.metrics if profile is not None else DEFAULT_METRICS
        monitored.append(MonitoredEntrypoint(name, environment.name, environment.exchange, metrics))
    return tuple(monitored)
