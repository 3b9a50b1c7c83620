"""Public endpoints, the envelope, and determinism of the seeded market."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest


def get(simulator, path: str) -> httpx.Response:
    with httpx.Client(transport=simulator.transport(), base_url="http://sim") as http:
        return http.get(path)


def test_market_time_and_envelope(simulator, clock):
    body = get(simulator, "/v5/market/time").json()
    assert set(body) == {"retCode", "retMsg", "result", "retExtInfo", "time"}
    assert body["result"] == {"timeSecond": str(clock() // 1000), "timeNano": str(clock() * 1_000_000)}
    assert body["time"] == clock()


def test_instruments_info_publishes_lot_size_and_tick(simulator):
    body = get(simulator, "/v5/market/instruments-info?category=spot&symbol=BTCUSDT").json()
    (item,) = body["result"]["list"]
    assert item["status"] == "Trading"
    lot = item["lotSizeFilter"]
    for name in (
        "basePrecision",
        "quotePrecision",
        "minOrderQty",
        "maxOrderQty",
        "minOrderAmt",
        "maxOrderAmt",
    ):
        assert isinstance(lot[name], str) and Decimal(lot[name]) > 0
    assert item["priceFilter"]["tickSize"] == "0.1"
    all_items = get(simulator, "/v5/market/instruments-info?category=spot").json()["result"]["list"]
    assert [i["symbol"] for i in all_items] == ["BTCUSDT", "ETHUSDT"]


def test_prices_start_near_their_reference(simulator):
    tickers = get(simulator, "/v5/market/tickers?category=spot").json()["result"]["list"]
    last = {t["symbol"]: Decimal(t["lastPrice"]) for t in tickers}
    assert 40_000 < last["BTCUSDT"] < 80_000
    assert 2_000 < last["ETHUSDT"] < 4_000
    assert all(Decimal(t["bid1Price"]) < Decimal(t["ask1Price"]) for t in tickers)


def test_kline_newest_first_and_spot_must_be_asked_for(simulator):
    assert get(simulator, "/v5/market/kline?symbol=BTCUSDT&interval=1").json()["retCode"] == 10001
    rows = get(simulator, "/v5/market/kline?category=spot&symbol=BTCUSDT&interval=1&limit=5").json()[
        "result"
    ]["list"]
    starts = [int(r[0]) for r in rows]
    assert len(rows) == 5 and starts == sorted(starts, reverse=True)
    assert all(isinstance(v, str) for r in rows for v in r)
    five = get(simulator, "/v5/market/kline?category=spot&symbol=BTCUSDT&interval=5&limit=3").json()[
        "result"
    ]["list"]
    assert all(int(r[0]) % 300_000 == 0 for r in five)
    assert (
        get(simulator, "/v5/market/kline?category=spot&symbol=BTCUSDT&interval=7").json()["retCode"] == 10001
    )


def test_orderbook_default_depth_and_order(simulator):
    one = get(simulator, "/v5/market/orderbook?category=spot&symbol=BTCUSDT").json()["result"]
    assert len(one["b"]) == 1 and len(one["a"]) == 1
    deep = get(simulator, "/v5/market/orderbook?category=spot&symbol=BTCUSDT&limit=5").json()["result"]
    bids = [Decimal(p) for p, _ in deep["b"]]
    asks = [Decimal(p) for p, _ in deep["a"]]
    assert bids == sorted(bids, reverse=True) and asks == sorted(asks)
    assert bids[0] < asks[0]


def test_same_seed_same_market_other_seed_other_market(sim_factory, clock):
    def snapshot(seed: int) -> tuple:
        simulator = sim_factory(clock, seed=seed)
        simulator.advance(25)
        return (
            get(simulator, "/v5/market/kline?category=spot&symbol=ETHUSDT&interval=1&limit=50").json()[
                "result"
            ],
            get(simulator, "/v5/market/orderbook?category=spot&symbol=BTCUSDT&limit=10").json()["result"],
        )

    assert snapshot(11) == snapshot(11)
    assert snapshot(11) != snapshot(12)


def test_advance_moves_the_price(simulator):
    before = get(simulator, "/v5/market/tickers?category=spot&symbol=BTCUSDT").json()["result"]["list"][0]
    simulator.advance(3)
    after = get(simulator, "/v5/market/tickers?category=spot&symbol=BTCUSDT").json()["result"]["list"][0]
    assert before["lastPrice"] != after["lastPrice"]


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/v5/no/such/path", 404, None),
        ("POST", "/v5/market/time", 200, 10017),
        ("GET", "/v5/order/create", 200, 10017),
    ],
)
def test_unknown_path_and_wrong_method(simulator, method, path, status, code):
    with httpx.Client(transport=simulator.transport(), base_url="http://sim") as http:
        response = http.request(method, path)
    assert response.status_code == status
    if code is not None:
        assert response.json()["retCode"] == code


def test_a_lowercase_method_is_http_400(simulator):
    from preflight.simulator import SimRequest

    assert simulator.handle(SimRequest("get", "/v5/market/time")).status == 400


@pytest.mark.parametrize("limit", ["--5", "%C2%B2", "-"], ids=["double-minus", "superscript-two", "minus"])
def test_a_malformed_integer_parameter_is_10001_not_a_crash(simulator, limit):
    path = f"/v5/market/kline?category=spot&symbol=BTCUSDT&interval=1&limit={limit}"
    assert get(simulator, path).json()["retCode"] == 10001


def _day_by_hand(market: Any) -> dict[str, str]:
    """The 24 h figures summed afresh over the last day of candles (what the running window replaces)."""
    from decimal import Decimal

    from preflight.simulator.wire import fmt

    day = max(1, 86_400_000 // market.interval_ms)
    window = market.candles[-day:]
    return {
        "prevPrice24h": fmt(window[0].open),
        "highPrice24h": fmt(max(c.high for c in window)),
        "lowPrice24h": fmt(min(c.low for c in window)),
        "turnover24h": fmt(sum((c.turnover for c in window), Decimal(0))),
        "volume24h": fmt(sum((c.volume for c in window), Decimal(0))),
    }


@pytest.mark.parametrize("interval_ms", [60_000, 600_000, 3_600_000, 86_400_000])
@pytest.mark.parametrize("symbol", ["BTCUSDT", "ETHUSDT", "DOGEUSDT"])
def test_running_24h_figures_equal_fresh_sums_tick_after_tick(symbol: str, interval_ms: int) -> None:
    from preflight.simulator.market import SymbolMarket, instrument_for

    market = SymbolMarket(instrument_for(symbol), 7, 1_760_000_000_000, interval_ms)
    for _ in range(1700 if interval_ms == 60_000 else 200):  # past a day of 1-minute candles
        ticker = market.ticker()
        assert {k: ticker[k] for k in _day_by_hand(market)} == _day_by_hand(market)
        market.advance()
