"""The adapter against the in-process Bybit simulator: rate limits, smoke, faults, bans and clock skew.

``test_bybit_spot_rate_limit`` and the smoke test are named by the go-live runbook (SPEC.md section 9).
Time is simulated: the adapter's sleeps advance one clock that the simulator reads too.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from decimal import Decimal

import httpx
import pytest

from preflight.errors import AmbiguousOrderError, ExchangeError, IpBannedError
from preflight.exchange.bybit.client import BybitSpotAdapter, OrderRequest
from preflight.exchange.bybit.scenarios import SimRig
from preflight.exchange.events import EventType
from preflight.simulator.accounts import Account
from preflight.simulator.faults import FaultSpec

ENTRYPOINT = "bybit_desktop_paper"
KEY, SECRET, UID = "sim-key-00000001", "sim-secret-never-shown-0001", "5001"
RATE_LIMITED = "bot_exchange_rate_limited_total"


class Rig(SimRig):
    """The scenarios' rig on the test account, with a metric reader that insists the series exists."""

    def __init__(self, faults: FaultSpec = FaultSpec(), seed: int = 7, **sim: object) -> None:
        account = Account(UID, KEY, api_secret=SECRET, balances={"USDT": Decimal("100000")})
        super().__init__(
            account, entrypoint=ENTRYPOINT, base_url="http://127.0.0.1:1", faults=faults, seed=seed, **sim
        )

    def metric(self, name: str, **labels: str) -> float:
        value = self.metrics.value(name, entrypoint=ENTRYPOINT, **labels)
        assert value is not None, f"no series {name}{labels}"
        return value


async def _resting_buy(adapter: BybitSpotAdapter, link_id: str | None = None) -> OrderRequest:
    """Return a small limit buy well below the market (it rests, locking a little USDT)."""
    ticker = await adapter.ticker("BTCUSDT")
    price = (ticker.bid1_price * Decimal("0.98")).quantize(Decimal("0.1"))
    return OrderRequest("BTCUSDT", "Buy", "Limit", "0.001", price=price, order_link_id=link_id)


def test_bybit_spot_rate_limit():
    """10006 with and without the reset header: wait, retry within budget, succeed, count, no duplicate."""
    rig = Rig(FaultSpec(rate_limit=0.3), seed=11)
    budget = 5
    n_orders = 30  # > the simulator's 20/s per-UID create limit, all at one simulated instant

    async def scenario():
        async with rig.adapter(retry_budget=budget, max_concurrency=3, burst=6) as adapter:
            await adapter.sync_time()
            order = await _resting_buy(adapter)
            return await asyncio.gather(*(adapter.place_order(order) for _ in range(n_orders)))

    acks = asyncio.run(scenario())

    creates = rig.recorder.on("/v5/order/create")
    limited = [response for _, code, response in creates if code == 10006]
    with_reset = [r for r in limited if r and "X-Bapi-Limit-Reset-Timestamp" in r.headers]
    without_reset = [r for r in limited if r and "X-Bapi-Limit-Reset-Timestamp" not in r.headers]
    assert with_reset and without_reset, "the scenario must meet 10006 with and without the reset header"
    # succeeded: every order was placed, exactly once, under its own orderLinkId
    assert len(acks) == n_orders and len({a.order_link_id for a in acks}) == n_orders
    assert rig.orders_per_link_id() == Counter({a.order_link_id: 1 for a in acks})
    # within budget: no order needed more than 1 + budget create attempts
    attempts = Counter(request.content for request, _, _ in creates)
    assert max(attempts.values()) <= 1 + budget
    # waited: the adapter slept (simulated) before retrying, and honoured reset headers
    assert rig.clock.slept > 0
    # counted: one rate-limited count per 10006 response seen on any endpoint
    all_limited = sum(1 for _, code, _ in rig.recorder.log if code == 10006)
    assert rig.metric(RATE_LIMITED) == all_limited >= len(limited)
    assert [e.type for e in rig.events].count(EventType.RATE_LIMIT) == all_limited
    assert rig.metric("bot_exchange_errors_total", severity="error") == 0


def test_bybit_spot_smoke_leaves_rate_limited_at_zero():
    """A clean session: probe, market data, place, list, cancel, balances, probe; no rate limiting."""
    rig = Rig()

    async def scenario():
        async with rig.adapter() as adapter:
            assert await adapter.probe_health()
            instrument = await adapter.instrument("BTCUSDT")
            assert instrument.tick_size > 0 and instrument.min_order_amt > 0
            book = await adapter.orderbook("BTCUSDT", 5)
            assert book.bids[0][0] < book.asks[0][0]
            assert len(await adapter.klines("BTCUSDT", "1", 10)) == 10
            ack = await adapter.place_order(await _resting_buy(adapter))
            assert [o.order_link_id for o in await adapter.open_orders("BTCUSDT")] == [ack.order_link_id]
            assert (await adapter.wallet_balance(["USDT"]))["USDT"].locked > 0
            await adapter.cancel_order("BTCUSDT", order_link_id=ack.order_link_id)
            assert await adapter.open_orders("BTCUSDT") == ()
            info = await adapter.query_api()
            assert info.uid == UID and info.has("Spot", "SpotTrade")
            assert await adapter.probe_health()

    asyncio.run(scenario())
    assert rig.metric(RATE_LIMITED) == 0
    for severity in ("warning", "error", "critical"):
        assert rig.metric("bot_exchange_errors_total", severity=severity) == 0
    assert rig.metric("bot_exchange_health_status") == 1
    assert rig.events == []


@pytest.mark.parametrize("seed", range(25))
def test_timeouts_and_resets_on_order_creation_never_duplicate(seed):
    """Property over seeds: with resets/timeouts (half of them after the order took effect), 5xx and
    bad JSON injected, every logical order exists at most once on the exchange."""
    faults = FaultSpec(timeout=0.15, reset=0.15, server_error=0.05, bad_json=0.05)
    rig = Rig(faults, seed=seed)

    async def scenario():
        results: list[object] = []
        async with rig.adapter(retry_budget=6) as adapter:
            await adapter.sync_time()
            for _ in range(6):
                try:
                    order = await _resting_buy(adapter)
                    results.append(await adapter.place_order(order))
                except (AmbiguousOrderError, ExchangeError) as error:
                    results.append(error)
        return results

    results = asyncio.run(scenario())
    counts = rig.orders_per_link_id()
    assert all(n == 1 for n in counts.values()), counts
    for result in results:
        if not isinstance(result, Exception):
            assert counts[result.order_link_id] == 1
    assert sum(rig.simulator.fault_counts.values()) > 0


@pytest.mark.parametrize("skew_ms", [+8000, -8000], ids=["server-ahead", "server-behind"])
def test_clock_skew_is_absorbed_by_the_server_offset(skew_ms):
    rig = Rig(FaultSpec(skew_ms=skew_ms))

    async def scenario():
        async with rig.adapter() as adapter:
            await adapter.wallet_balance()  # first request: no offset yet -> 10002 -> resync -> retry
            return adapter.offset_ms

    offset = asyncio.run(scenario())
    assert abs(offset - skew_ms) <= 1
    codes = [code for _, code, _ in rig.recorder.on("/v5/account/wallet-balance")]
    assert codes == [10002, 0]
    assert rig.metric("bot_exchange_errors_total", severity="critical") == 0


def test_ip_limit_breach_stops_all_traffic():
    rig = Rig(ip_limit=5)

    async def scenario():
        async with rig.adapter() as adapter:
            with pytest.raises(IpBannedError):
                for _ in range(10):
                    await adapter.ticker("BTCUSDT")
            sent = len(rig.recorder.log)
            with pytest.raises(IpBannedError):
                await adapter.wallet_balance()
            assert len(rig.recorder.log) == sent

    asyncio.run(scenario())
    assert rig.metric(RATE_LIMITED) == 1
    assert rig.metric("bot_exchange_errors_total", severity="critical") == 1
    assert [e.type for e in rig.events] == [EventType.IP_BAN]


def test_re_serialised_body_is_rejected_so_the_adapter_sends_what_it_signed():
    """The simulator rejects a body that differs from the signed bytes (10004); ours never does."""
    rig = Rig()

    async def scenario():
        async with rig.adapter() as adapter:
            await adapter.sync_time()
            await adapter.place_order(await _resting_buy(adapter))
        request = rig.recorder.on("/v5/order/create")[0][0]
        spaced = request.content.replace(b",", b", ")
        tampered = httpx.Request("POST", request.url, headers=request.headers, content=spaced)
        response = await rig.simulator.async_transport().handle_async_request(tampered)
        await response.aread()
        return response.json()["retCode"]

    assert asyncio.run(scenario()) == 10004
