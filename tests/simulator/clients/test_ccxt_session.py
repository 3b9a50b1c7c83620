"""Stock ccxt (sync and async) runs a whole spot session against ``preflight simulator serve``.

Nothing in ccxt is patched: the client is configured with the simulator's URL only (ccxt_clients.py),
the way a bot would configure it. Each test runs for the sync and the async client, on its own account.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator

import ccxt
import pytest
from sim_clients_support import SECRET, Client, Served

SYMBOL = "BTC/USDT"


@pytest.fixture(scope="module", params=["sync", "async"])
def client(request: pytest.FixtureRequest, served: Served) -> Iterator[Client]:
    """Return a ccxt client of each kind, markets loaded, on the account reserved for it."""
    kind = request.param
    made = Client(kind, served.url, served.key(f"ccxt-{kind}"), SECRET)
    made.call("load_markets")
    try:
        yield made
    finally:
        made.close()


def test_load_markets_lists_the_simulated_spot_pairs_only(client):
    markets = client.exchange.markets
    assert set(markets) == {"BTC/USDT", "ETH/USDT"}
    btc = markets[SYMBOL]
    assert btc["spot"] and btc["active"]
    assert btc["limits"]["cost"]["min"] == 5  # minOrderAmt: the rule Bybit checks
    assert btc["precision"]["price"] == 0.1 and btc["precision"]["amount"] == 0.000001


def test_fetch_time_is_the_server_clock_and_status_is_ok(client):
    assert client.call("fetch_status")["status"] == "ok"
    server_ms = client.call("fetch_time")
    assert isinstance(server_ms, int)
    assert abs(server_ms - time.time() * 1000) < 600_000  # the same clock, however loaded the machine


def test_tickers_and_a_500_level_order_book(client):
    ticker = client.call("fetch_ticker", SYMBOL)
    assert 0 < ticker["bid"] < ticker["ask"]
    assert set(client.call("fetch_tickers")) == {"BTC/USDT", "ETH/USDT"}
    book = client.call("fetch_order_book", SYMBOL, 500)
    bids, asks = [p for p, _ in book["bids"]], [p for p, _ in book["asks"]]
    assert 0 < len(bids) <= 500 and 0 < len(asks) <= 500
    assert bids == sorted(bids, reverse=True) and asks == sorted(asks)
    assert bids[0] < asks[0]


def test_ohlcv_follows_server_time_with_and_without_until(client):
    now = client.call("fetch_time")
    candles = client.call("fetch_ohlcv", SYMBOL, "1m", None, 50)
    assert len(candles) == 50
    starts = [c[0] for c in candles]
    assert starts == sorted(starts) and {b - a for a, b in itertools.pairwise(starts)} == {60_000}
    assert starts[-1] <= now  # no candle starts in the future
    until = starts[-1] - 10 * 60_000
    older = client.call("fetch_ohlcv", SYMBOL, "1m", None, 20, {"until": until})
    assert older and all(c[0] <= until for c in older)
    assert older[-1][0] == until


def test_balance_trading_and_order_queries(client):
    balance = client.call("fetch_balance")
    assert balance["USDT"]["total"] == 10_000 and balance["BTC"]["total"] == 1
    ticker = client.call("fetch_ticker", SYMBOL)
    resting = client.call("create_order", SYMBOL, "limit", "buy", 0.001, round(ticker["bid"] * 0.99, 1))
    open_ids = {o["id"] for o in client.call("fetch_open_orders", SYMBOL)}
    assert resting["id"] in open_ids
    assert client.call("fetch_balance")["USDT"]["used"] > 0  # the resting buy locks its quote

    new_price = round(ticker["bid"] * 0.985, 1)
    client.call("edit_order", resting["id"], SYMBOL, "limit", "buy", 0.002, new_price)
    fetched = client.call("fetch_order", resting["id"], SYMBOL, {"acknowledged": True})
    assert (fetched["price"], fetched["amount"], fetched["status"]) == (new_price, 0.002, "open")

    client.call("cancel_order", resting["id"], SYMBOL)
    assert resting["id"] in {o["id"] for o in client.call("fetch_canceled_orders", SYMBOL)}

    bought = client.call("create_order", SYMBOL, "market", "buy", 0.001, ticker["ask"])
    sold = client.call("create_order", SYMBOL, "market", "sell", 0.001)
    closed = {o["id"]: o for o in client.call("fetch_closed_orders", SYMBOL)}
    assert closed[bought["id"]]["status"] == "closed" and closed[sold["id"]]["status"] == "closed"
    trades = client.call("fetch_my_trades", SYMBOL)
    assert {bought["id"], sold["id"]} <= {t["order"] for t in trades}
    assert all(t["fee"]["cost"] > 0 for t in trades)

    ask = client.call("fetch_ticker", SYMBOL)["ask"]
    first = client.call("create_order", SYMBOL, "limit", "sell", 0.001, round(ask * 1.002, 1))
    second = client.call("create_order", SYMBOL, "limit", "sell", 0.001, round(ask * 1.003, 1))
    cancelled = client.call("cancel_all_orders", SYMBOL)
    assert {o["id"] for o in cancelled} == {first["id"], second["id"]}
    assert client.call("fetch_open_orders", SYMBOL) == []


def test_trading_fee_and_public_trades(client):
    fee = client.call("fetch_trading_fee", SYMBOL)
    assert (fee["maker"], fee["taker"]) == (0.001, 0.001)
    trades = client.call("fetch_trades", SYMBOL)
    assert trades and all(t["symbol"] == SYMBOL and t["price"] > 0 for t in trades)


def test_ccxt_exceptions_for_bybit_refusals(client):
    ticker = client.call("fetch_ticker", SYMBOL)
    below = round(ticker["bid"] * 0.99, 1)
    with pytest.raises(ccxt.InsufficientFunds):
        client.call("create_order", SYMBOL, "limit", "buy", 1, below)  # 60,000 USDT of 10,000
    with pytest.raises(ccxt.InvalidOrder):  # ccxt's own precision check, before any request
        client.call("create_order", SYMBOL, "limit", "buy", 0.0000001, below)
    with pytest.raises(ccxt.InvalidOrder, match="170140"):  # 0.00001 BTC is below the 5 USDT minimum
        client.call("create_order", SYMBOL, "limit", "buy", 0.00001, below)
    with pytest.raises(ccxt.InvalidOrder, match="170193"):  # beyond the published price limit
        client.call("create_order", SYMBOL, "limit", "buy", 0.001, round(ticker["ask"] * 1.05, 1))
    with pytest.raises(ccxt.ExchangeError, match="170227"):  # a stop order is refused, not traded
        client.call("create_order", SYMBOL, "limit", "buy", 0.001, below, {"triggerPrice": below})
    with pytest.raises(ccxt.BadRequest, match="170036"):  # margin is refused, not traded as spot
        client.call("create_order", SYMBOL, "limit", "buy", 0.001, below, {"isLeverage": 1})
    filled = client.call("create_order", SYMBOL, "market", "sell", 0.001)
    with pytest.raises(ccxt.OrderNotFound, match="170213"):
        client.call("cancel_order", filled["id"], SYMBOL)
