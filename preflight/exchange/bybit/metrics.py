"""The adapter's Prometheus metrics (SPEC.md section 6) in a per-session registry.

Every series is created at zero for every label set when ``ExchangeMetrics`` is built, so a consumer can
tell "no series" (not monitored) from "zero" (monitored, nothing happened).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

ENDPOINTS: tuple[str, ...] = (
    "/v5/market/time",
    "/v5/market/instruments-info",
    "/v5/market/tickers",
    "/v5/market/kline",
    "/v5/market/orderbook",
    "/v5/order/create",
    "/v5/order/cancel",
    "/v5/order/realtime",
    "/v5/order/history",
    "/v5/execution/list",
    "/v5/account/wallet-balance",
    "/v5/user/query-api",
)


class RequestOutcome(StrEnum):
    """The outcome of one HTTP attempt (the ``outcome`` label)."""

    OK = "ok"
    REJECTED = "rejected"  # a non-zero retCode that is a business answer
    RATE_LIMITED = "rate_limited"  # 10006 / 429
    TRANSIENT = "transient"  # timeout, reset, 5xx, 10000/10016, unparsable body
    AUTH_FAILED = "auth_failed"  # key, signature, permission, expiry
    CLOCK_SKEW = "clock_skew"  # 10002
    IP_BANNED = "ip_banned"  # HTTP 403


class ErrorSeverity(StrEnum):
    """The ``severity`` label of ``bot_exchange_errors_total``."""

    WARNING = "warning"  # a transient failure recovered by retry
    ERROR = "error"  # failed after retries, or rejected
    CRITICAL = "critical"  # auth/signature/permission, IP ban, clock skew beyond the window


REQUESTS = "bot_exchange_requests_total"
RATE_LIMITED = "bot_exchange_rate_limited_total"
ERRORS = "bot_exchange_errors_total"
HEALTH = "bot_exchange_health_status"
REQUEST_SECONDS = "bot_exchange_request_seconds"


class ExchangeMetrics:
    """The five adapter metrics for one exchange and its entrypoints, pre-created at zero."""

    def __init__(
        self,
        exchange: str,
        entrypoints: Sequence[str],
        registry: CollectorRegistry | None = None,
        endpoints: Sequence[str] = ENDPOINTS,
    ) -> None:
        self.exchange = exchange
        self.entrypoints = tuple(entrypoints)
        self.registry = registry if registry is not None else CollectorRegistry()
        self.requests = Counter(
            REQUESTS,
            "Exchange HTTP requests by endpoint and outcome",
            ("exchange", "entrypoint", "endpoint", "outcome"),
            registry=self.registry,
        )
        self.rate_limited = Counter(
            RATE_LIMITED,
            "Rate-limited exchange responses (retCode 10006, HTTP 429, HTTP 403)",
            ("exchange", "entrypoint"),
            registry=self.registry,
        )
        self.errors = Counter(
            ERRORS,
            "Exchange errors by severity",
            ("exchange", "entrypoint", "severity"),
            registry=self.registry,
        )
        self.health = Gauge(
            HEALTH,
            "Exchange health from the last probe (1 healthy, 0 not)",
            ("exchange", "entrypoint"),
            registry=self.registry,
        )
        self.seconds = Histogram(
            REQUEST_SECONDS,
            "Exchange request latency in seconds",
            ("exchange", "entrypoint", "endpoint"),
            registry=self.registry,
        )
        for entrypoint in self.entrypoints:
            self.rate_limited.labels(exchange, entrypoint)
            self.health.labels(exchange, entrypoint).set(0)
            for severity in ErrorSeverity:
                self.errors.labels(exchange, entrypoint, severity.value)
            for endpoint in endpoints:
                self.seconds.labels(exchange, entrypoint, endpoint)
                for outcome in RequestOutcome:
                    self.requests.labels(exchange, entrypoint, endpoint, outcome.value)

    def observe_request(
        self, entrypoint: str, endpoint: str, outcome: RequestOutcome, seconds: float
    ) -> None:
        """Count one HTTP attempt and its latency."""
        self.requests.labels(self.exchange, entrypoint, endpoint, outcome.value).inc()
        self.seconds.labels(self.exchange, entrypoint, endpoint).observe(seconds)

    def count_rate_limited(self, entrypoint: str) -> None:
        """Count one 10006 / 429 / 403 response."""
        self.rate_limited.labels(self.exchange, entrypoint).inc()

    def count_error(self, entrypoint: str, severity: ErrorSeverity, n: int = 1) -> None:
        """Count ``n`` errors of ``severity``."""
        if n:
            self.errors.labels(self.exchange, entrypoint, severity.value).inc(n)

    def set_health(self, entrypoint: str, healthy: bool) -> None:
        """Record the result of a health probe."""
        self.health.labels(self.exchange, entrypoint).set(1 if healthy else 0)

    def value(self, name: str, **labels: str) -> float | None:
        """Return one sample's value, or None when no such series exists."""
        return self.registry.get_sample_value(name, {"exchange": self.exchange, **labels})

    def exposition(self) -> bytes:
        """Return the Prometheus text exposition of this registry."""
        return generate_latest(self.registry)
