"""Bybit's own SDK, pybit, runs its typical spot calls against ``preflight simulator serve``.

pybit builds its host from ``testnet``/``domain``/``tld`` and has no base-URL option; the one thing
changed is ``session.endpoint``, the attribute every pybit call prefixes its path with.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from pybit.exceptions import InvalidRequestError
from pybit.unified_trading import HTTP
from sim_clients_support import SECRET, Served


def _session(served: Served, api_key: str, secret: str) -> HTTP:
    session = HTTP(testnet=True, api_key=api_key, api_secret=secret, max_retries=1, timeout=30)
    session.endpoint = served.url
    return session


@pytest.fixture(scope="module")
def session(served: Served) -> Iterator[HTTP]:
    """Return a pybit session on the account reserved for pybit."""
    yield _session(served, served.key("pybit"), SECRET)


def result(answer: Any) -> Any:
    """Return ``result`` of a pybit answer after checking it is Bybit's success envelope."""
    assert answer["retCode"] == 0, answer
    return answer["result"]


def test_pybit_market_calls(session: HTTP):
    assert result(session.get_server_time())["timeSecond"].isdigit()
    instruments = result(session.get_instruments_info(category="spot"))["list"]
    assert {i["symbol"] for i in instruments} == {"BTCUSDT", "ETHUSDT"}
    assert result(session.get_instruments_info(category="linear"))["list"] == []
    ticker = result(session.get_tickers(category="spot", symbol="BTCUSDT"))["list"][0]
    assert Decimal(ticker["bid1Price"]) < Decimal(ticker["ask1Price"])
    klines = result(session.get_kline(category="spot", symbol="BTCUSDT", interval="1", limit=10))["list"]
    assert len(klines) == 10 and int(klines[0][0]) > int(klines[-1][0])  # newest first
    book = result(session.get_orderbook(category="spot", symbol="BTCUSDT", limit=1000))
    assert book["b"] and book["a"]
    assert result(session.get_public_trade_history(category="spot", symbol="BTCUSDT", limit=5))["list"]


def test_pybit_account_calls(session: HTTP):
    wallet = result(session.get_wallet_balance(accountType="UNIFIED", coin="USDT"))["list"][0]
    assert wallet["coin"][0]["walletBalance"] == "10000"
    assert result(session.get_account_info())["unifiedMarginStatus"] == 6
    fee = result(session.get_fee_rates(category="spot", symbol="BTCUSDT"))["list"][0]
    assert (fee["makerFeeRate"], fee["takerFeeRate"]) == ("0.001", "0.001")
    assert result(session.get_api_key_information())["readOnly"] == 0
    assert {row["coin"] for row in result(session.get_coin_info())["rows"]} == {"BTC", "ETH", "USDT"}


def test_pybit_order_lifecycle(session: HTTP):
    ticker = result(session.get_tickers(category="spot", symbol="BTCUSDT"))["list"][0]
    low = (Decimal(ticker["bid1Price"]) * Decimal("0.99")).quantize(Decimal("0.1"))
    placed = result(
        session.place_order(
            category="spot", symbol="BTCUSDT", side="Buy", orderType="Limit", qty="0.001",
            price=str(low), orderLinkId="pybit-rest-1",
        )
    )  # fmt: skip
    open_orders = result(session.get_open_orders(category="spot", symbol="BTCUSDT"))["list"]
    assert [o["orderId"] for o in open_orders] == [placed["orderId"]]
    result(session.amend_order(category="spot", symbol="BTCUSDT", orderLinkId="pybit-rest-1", qty="0.002"))
    result(session.cancel_order(category="spot", symbol="BTCUSDT", orderId=placed["orderId"]))
    for link in ("pybit-rest-2", "pybit-rest-3"):
        result(
            session.place_order(
                category="spot", symbol="BTCUSDT", side="Buy", orderType="Limit", qty="0.001",
                price=str(low), orderLinkId=link,
            )
        )  # fmt: skip
    cancelled = result(session.cancel_all_orders(category="spot", symbol="BTCUSDT"))
    assert cancelled["success"] == "1" and len(cancelled["list"]) == 2
    market = result(
        session.place_order(category="spot", symbol="BTCUSDT", side="Buy", orderType="Market", qty="20")
    )
    history = result(session.get_order_history(category="spot", symbol="BTCUSDT", limit=50))["list"]
    statuses = {o["orderId"]: o["orderStatus"] for o in history}
    assert statuses[placed["orderId"]] == "Cancelled" and statuses[market["orderId"]] == "Filled"
    fills = result(session.get_executions(category="spot", symbol="BTCUSDT"))["list"]
    assert {f["orderId"] for f in fills} == {market["orderId"]}


def test_pybit_refusals_are_bybit_codes(session: HTTP, served: Served):
    with pytest.raises(InvalidRequestError, match=r"ErrCode: 170137"):  # pybit sends the qty as given
        session.place_order(
            category="spot", symbol="BTCUSDT", side="Buy", orderType="Limit", qty="0.0000001", price="1000"
        )
    with pytest.raises(InvalidRequestError, match=r"ErrCode: 10004"):
        _session(served, served.key("pybit"), "wrong-secret").get_wallet_balance(accountType="UNIFIED")
    filled = result(
        session.place_order(category="spot", symbol="BTCUSDT", side="Sell", orderType="Market", qty="0.001")
    )
    with pytest.raises(InvalidRequestError, match=r"ErrCode: 170213"):
        session.cancel_order(category="spot", symbol="BTCUSDT", orderId=filled["orderId"])
