"""Metric series exist at zero before the first request, in a per-session registry."""

from __future__ import annotations

from prometheus_client import REGISTRY

from preflight.exchange.bybit.metrics import ENDPOINTS, ErrorSeverity, ExchangeMetrics, RequestOutcome


def test_every_series_exists_at_zero_before_any_request():
    metrics = ExchangeMetrics("bybit", ["bybit_desktop_paper", "other"])
    for entrypoint in ("bybit_desktop_paper", "other"):
        assert metrics.value("bot_exchange_rate_limited_total", entrypoint=entrypoint) == 0
        assert metrics.value("bot_exchange_health_status", entrypoint=entrypoint) == 0
        for severity in ErrorSeverity:
            assert metrics.value("bot_exchange_errors_total", entrypoint=entrypoint, severity=severity) == 0
        for endpoint in ENDPOINTS:
            assert (
                metrics.value("bot_exchange_request_seconds_count", entrypoint=entrypoint, endpoint=endpoint)
                == 0
            )
            for outcome in RequestOutcome:
                value = metrics.value(
                    "bot_exchange_requests_total", entrypoint=entrypoint, endpoint=endpoint, outcome=outcome
                )
                assert value == 0
    # "no series" is distinguishable from zero
    assert metrics.value("bot_exchange_rate_limited_total", entrypoint="unmonitored") is None


def test_exposition_shows_zero_series_with_the_bybit_label():
    text = ExchangeMetrics("bybit", ["ep"]).exposition().decode()
    assert 'bot_exchange_rate_limited_total{entrypoint="ep",exchange="bybit"} 0.0' in text
    for severity in ("warning", "error", "critical"):
        assert (
            f'bot_exchange_errors_total{{entrypoint="ep",exchange="bybit",severity="{severity}"}} 0.0' in text
        )


def test_registries_are_per_session_never_global():
    first, second = ExchangeMetrics("bybit", ["ep"]), ExchangeMetrics("bybit", ["ep"])
    first.count_rate_limited("ep")
    assert first.value("bot_exchange_rate_limited_total", entrypoint="ep") == 1
    assert second.value("bot_exchange_rate_limited_total", entrypoint="ep") == 0
    assert (
        REGISTRY.get_sample_value(
            "bot_exchange_rate_limited_total", {"exchange": "bybit", "entrypoint": "ep"}
        )
        is None
    )


def test_adapter_counts_requests_by_endpoint_and_outcome(harness):
    import asyncio

    async def scenario():
        async with harness.make() as adapter:
            await adapter.sync_time()
            await adapter.ticker("BTCUSDT")

    asyncio.run(scenario())
    assert harness.value("bot_exchange_requests_total", endpoint="/v5/market/time", outcome="ok") == 1
    assert harness.value("bot_exchange_requests_total", endpoint="/v5/market/tickers", outcome="ok") == 1
    assert harness.value("bot_exchange_request_seconds_count", endpoint="/v5/market/tickers") == 1
