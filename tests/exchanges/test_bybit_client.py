"""Adapter behaviour against a scripted fake Bybit: clock resync, rate limits, IP ban, read retries."""

from __future__ import annotations

import asyncio
import logging

import pytest
from preflight_tests_bybit_fakes import API_KEY, API_SECRET, Harness

from preflight.errors import AuthError, ClockSkewError, IpBannedError, RateLimitedError, TransportError
from preflight.exchange.bybit.auth import Credentials
from preflight.exchange.bybit.bans import HostBans
from preflight.exchange.bybit.client import OrderRequest
from preflight.exchange.events import EventType

RATE_LIMITED = "bot_exchange_rate_limited_total"
ERRORS = "bot_exchange_errors_total"
REQUESTS = "bot_exchange_requests_total"


def run(coro):
    return asyncio.run(coro)


@pytest.mark.parametrize("skew_ms", [+20_000, -20_000], ids=["stale", "future"])
def test_10002_resyncs_once_and_recovers(harness: Harness, skew_ms: int):
    async def scenario():
        async with harness.make() as adapter:
            await adapter.sync_time()
            harness.exchange.skew_ms = skew_ms  # the server clock jumps after the first sync
            balances = await adapter.wallet_balance()
            assert abs(adapter.offset_ms - skew_ms) <= 1
            return balances

    balances = run(scenario())
    assert balances["USDT"].free == 990
    codes = [r.url.path for r in harness.exchange.requests]
    assert codes == [
        "/v5/market/time",
        "/v5/account/wallet-balance",
        "/v5/market/time",
        "/v5/account/wallet-balance",
    ]
    assert harness.value(REQUESTS, endpoint="/v5/account/wallet-balance", outcome="clock_skew") == 1
    assert harness.value(ERRORS, severity="warning") == 1
    assert harness.value(ERRORS, severity="critical") == 0


def test_10002_after_resync_is_critical_clock_skew(harness: Harness):
    harness.exchange.script["/v5/account/wallet-balance"].extend(["10002", "10002"])

    async def scenario():
        async with harness.make() as adapter:
            await adapter.wallet_balance()

    with pytest.raises(ClockSkewError, match="NTP"):
        run(scenario())
    assert harness.value(ERRORS, severity="critical") == 1
    assert len([r for r in harness.exchange.requests if r.url.path.endswith("wallet-balance")]) == 2


def test_403_bans_the_host_and_stops_all_traffic(harness: Harness):
    harness.exchange.script["/v5/market/tickers"].append("403")

    async def scenario():
        async with harness.make() as adapter:
            with pytest.raises(IpBannedError):
                await adapter.ticker("BTCUSDT")
            sent = len(harness.exchange.requests)
            for call in (adapter.wallet_balance(), adapter.sync_time(), adapter.open_orders()):
                with pytest.raises(IpBannedError, match="traffic to it is stopped"):
                    await call
            assert len(harness.exchange.requests) == sent  # nothing more went out
            assert await adapter.probe_health() is False

    run(scenario())
    assert [e.type for e in harness.events].count(EventType.IP_BAN) == 1
    assert harness.value(RATE_LIMITED) == 1
    assert harness.value(ERRORS, severity="critical") >= 1
    assert harness.value("bot_exchange_health_status") == 0


def test_403_seen_by_one_adapter_stops_every_adapter_sharing_the_bans(harness: Harness):
    harness.exchange.script["/v5/market/tickers"].append("403")
    bans = HostBans()

    async def scenario():
        async with harness.make(bans=bans) as first, harness.make(bans=bans, entrypoint="ep2") as second:
            with pytest.raises(IpBannedError):
                await first.ticker("BTCUSDT")
            sent = len(harness.exchange.requests)
            assert second.banned
            with pytest.raises(IpBannedError, match="traffic to it is stopped"):
                await second.wallet_balance()
            assert len(harness.exchange.requests) == sent  # the second adapter sent nothing
            assert await second.probe_health() is False

    run(scenario())
    assert bans.hosts == {"fake.bybit.test"}
    # each entrypoint fails critically once; only the one that met the 403 counts it as rate-limited
    assert harness.value(ERRORS, severity="critical") == 1 and harness.value(RATE_LIMITED) == 1
    assert harness.metrics.value(ERRORS, entrypoint="ep2", severity="critical") == 1
    assert harness.metrics.value(RATE_LIMITED, entrypoint="ep2") in (None, 0)


def test_adapters_without_shared_bans_keep_their_own(harness: Harness):
    harness.exchange.script["/v5/market/tickers"].append("403")

    async def scenario():
        async with harness.make() as first, harness.make() as second:
            with pytest.raises(IpBannedError):
                await first.ticker("BTCUSDT")
            assert not second.banned

    run(scenario())


def test_requests_queued_behind_the_403_are_not_sent(harness: Harness):
    harness.exchange.script["/v5/market/tickers"].append("403")
    harness.exchange.handler_yields = 3  # the 403 is still in flight while the others queue

    async def scenario():
        async with harness.make(max_concurrency=1, burst=3) as adapter:
            return await asyncio.gather(
                adapter.ticker("BTCUSDT"),
                adapter.wallet_balance(),
                adapter.ticker("BTCUSDT"),
                return_exceptions=True,
            )

    outcomes = run(scenario())
    assert all(isinstance(outcome, IpBannedError) for outcome in outcomes)
    assert len(harness.exchange.requests) == 1


@pytest.mark.parametrize("fault", ["500", "timeout", "reset", "bad_json", "10016", "connect"])
def test_reads_retry_transient_failures_within_budget(harness: Harness, fault: str):
    harness.exchange.script["/v5/market/tickers"].extend([fault, fault])

    async def scenario():
        async with harness.make() as adapter:
            return await adapter.ticker("BTCUSDT")

    assert run(scenario()).last_price == 100.5
    assert len(harness.exchange.requests) == 3
    assert harness.value(ERRORS, severity="warning") == 2
    assert harness.value(ERRORS, severity="error") == 0
    assert harness.value(REQUESTS, endpoint="/v5/market/tickers", outcome="transient") == 2
    assert len(harness.clock.sleeps) == 2 and harness.clock.sleeps[1] > 0
    if fault in ("timeout", "reset", "connect"):
        assert [e.type for e in harness.events] == [EventType.TIMEOUT, EventType.TIMEOUT]


def test_reads_give_up_after_the_budget(harness: Harness):
    harness.exchange.script["/v5/market/tickers"].extend(["timeout"] * 10)

    async def scenario():
        async with harness.make(retry_budget=3) as adapter:
            await adapter.ticker("BTCUSDT")

    with pytest.raises(TransportError):
        run(scenario())
    assert len(harness.exchange.requests) == 4  # first attempt + 3 retries
    assert harness.value(ERRORS, severity="error") == 1
    assert harness.value(ERRORS, severity="warning") == 0
    # backoff grows exponentially (jitter keeps each within [base*2^n/2, base*2^n])
    first, _, third = harness.clock.sleeps
    assert third > first


def test_10006_waits_for_the_reset_header_then_succeeds(harness: Harness):
    harness.exchange.reset_in_ms = 700
    harness.exchange.script["/v5/market/tickers"].append("10006")

    async def scenario():
        async with harness.make() as adapter:
            return await adapter.ticker("BTCUSDT")

    run(scenario())
    assert harness.clock.sleeps and 0.7 <= harness.clock.sleeps[0] <= 0.75
    assert harness.value(RATE_LIMITED) == 1
    assert harness.value(ERRORS, severity="warning") == 0
    assert [e.type for e in harness.events] == [EventType.RATE_LIMIT]


@pytest.mark.parametrize("fault", ["10006_bare", "429"])
def test_rate_limit_without_reset_header_uses_bounded_backoff(harness: Harness, fault: str):
    harness.exchange.script["/v5/market/tickers"].extend([fault] * 3)

    async def scenario():
        async with harness.make() as adapter:
            return await adapter.ticker("BTCUSDT")

    run(scenario())
    assert len(harness.clock.sleeps) == 3
    assert all(0 < s <= 5.0 for s in harness.clock.sleeps)
    assert harness.value(RATE_LIMITED) == 3


def test_rate_limit_beyond_budget_raises(harness: Harness):
    harness.exchange.script["/v5/market/tickers"].extend(["10006"] * 10)

    async def scenario():
        async with harness.make(retry_budget=2) as adapter:
            await adapter.ticker("BTCUSDT")

    with pytest.raises(RateLimitedError):
        run(scenario())
    assert harness.value(RATE_LIMITED) == 3
    assert harness.value(ERRORS, severity="error") == 1


def test_limit_status_zero_holds_the_next_request_until_reset(harness: Harness):
    harness.exchange.remaining["/v5/market/tickers"] = 0
    harness.exchange.reset_in_ms = 800

    async def scenario():
        async with harness.make() as adapter:
            await adapter.ticker("BTCUSDT")
            assert harness.clock.sleeps == []
            await adapter.ticker("BTCUSDT")

    run(scenario())
    assert len(harness.clock.sleeps) == 1 and 0.79 <= harness.clock.sleeps[0] <= 0.81
    assert harness.value(RATE_LIMITED) == 0  # held back proactively, never refused
    assert [e.type for e in harness.events] == [EventType.THROTTLE]


def test_auth_failures_are_not_retried_and_hide_secrets(harness: Harness, caplog):
    caplog.set_level(logging.DEBUG)

    async def scenario():
        async with harness.make(credentials=Credentials(API_KEY, "wrong-secret-value")) as adapter:
            await adapter.wallet_balance()

    with pytest.raises(AuthError) as info:
        run(scenario())
    assert info.value.code == 10004
    assert len(harness.exchange.requests) == 1
    assert harness.value(ERRORS, severity="critical") == 1
    for text in (str(info.value), repr(info.value), caplog.text):
        assert "wrong-secret-value" not in text and API_SECRET not in text


def test_probe_health_sets_the_gauge(harness: Harness):
    async def scenario():
        async with harness.make() as adapter:
            assert harness.value("bot_exchange_health_status") == 0
            assert await adapter.probe_health() is True
            info = await adapter.query_api()
            assert info.has("Spot", "SpotTrade") and not info.read_only and info.uid == "1001"
            assert API_KEY not in repr(info)

    run(scenario())
    assert harness.value("bot_exchange_health_status") == 1


def test_secrets_never_reach_events_errors_or_metrics(harness: Harness, caplog):
    """Drive every failure path; no secret (nor the full key) shows in any output the adapter produces."""
    caplog.set_level(logging.DEBUG)
    for path, faults in {
        "/v5/market/tickers": ["timeout", "reset", "500", "10006_bare", "bad_json"],
        "/v5/order/create": ["timeout_after", "10002", "10002"],
        "/v5/account/wallet-balance": ["403"],
    }.items():
        harness.exchange.script[path].extend(faults)
    errors: list[str] = []

    async def scenario():
        async with harness.make() as adapter:
            await adapter.ticker("BTCUSDT")
            for call in (
                adapter.place_order(OrderRequest("BTCUSDT", "Buy", "Limit", "0.001", price="100")),
                adapter.wallet_balance(),
                adapter.query_api(),
            ):
                try:
                    await call
                except Exception as error:
                    errors.extend((str(error), repr(error)))
            errors.append(repr(adapter.__dict__))

    run(scenario())
    outputs = [
        *errors,
        caplog.text,
        harness.metrics.exposition().decode(),
        *(repr(e) for e in harness.events),
    ]
    for text in outputs:
        assert API_SECRET not in text and API_KEY not in text, text
