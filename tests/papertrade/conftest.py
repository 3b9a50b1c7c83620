"""Fixtures of the paper tests: hand-built metric registries and monitored entrypoints."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from prometheus_client import CollectorRegistry, Counter, Gauge

from preflight.deployment.model import MetricsConfig, Threshold, Thresholds
from preflight.papertrade.monitoring import MonitoredEntrypoint

RATE = "bot_exchange_rate_limited_total"
ERRORS = "bot_exchange_errors_total"
HEALTH = "bot_exchange_health_status"


def monitored(
    name: str,
    *,
    exchange: str = "bybit",
    environment: str = "bybit_paper",
    rate_limit_max: Threshold = 0,
    network_errors_max: Threshold = 0,
    health_min: Threshold = 1.0,
) -> MonitoredEntrypoint:
    """Return a monitored entrypoint with the default metric names and the given thresholds."""
    thresholds = Thresholds(rate_limit_max, network_errors_max, health_min)
    return MonitoredEntrypoint(name, environment, exchange, MetricsConfig(RATE, ERRORS, HEALTH, thresholds))


class Registry:
    """A registry shaped like the adapter's, where each test decides which series exist."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "bot_exchange_requests",
            "requests",
            ["exchange", "entrypoint", "endpoint", "outcome"],
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "bot_exchange_rate_limited", "rate limited", ["exchange", "entrypoint"], registry=self.registry
        )
        self.errors = Counter(
            "bot_exchange_errors", "errors", ["exchange", "entrypoint", "severity"], registry=self.registry
        )
        self.health = Gauge(
            "bot_exchange_health_status", "health", ["exchange", "entrypoint"], registry=self.registry
        )

    def session(
        self,
        entrypoint: str,
        *,
        exchange: str = "bybit",
        requests: int = 12,
        rate_limited: int = 0,
        errors: dict[str, int] | None = None,
        severities: tuple[str, ...] = ("warning", "error", "critical"),
        health: float | None = 1.0,
        rate_series: bool = True,
    ) -> Registry:
        """Create the series a session of ``entrypoint`` would leave behind."""
        if requests:
            self.requests.labels(exchange, entrypoint, "/v5/market/tickers", "ok").inc(requests)
        if rate_series:
            self.rate_limited.labels(exchange, entrypoint).inc(rate_limited)
        for severity in severities:
            self.errors.labels(exchange, entrypoint, severity).inc((errors or {}).get(severity, 0))
        if health is not None:
            self.health.labels(exchange, entrypoint).set(health)
        return self


@pytest.fixture
def make_registry() -> Callable[[], Registry]:
    """Return a factory of empty adapter-shaped registries."""
    return Registry


@pytest.fixture
def entry() -> Callable[..., MonitoredEntrypoint]:
    """Return the factory of monitored entrypoints."""
    return monitored
