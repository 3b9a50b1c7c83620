"""Bybit rules the simulator enforces for real clients: categories, price limits, refused order kinds,
amend, cancel-all, history windows and cursors, account endpoints, and candles that follow the clock."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

CREATE = "/v5/order/create"
DAY_MS = 86_400_000


def order(**fields: str) -> dict[str, str]:
    base = {"category": "spot", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit", "qty": "0.001"}
    base.update(fields)
    return base


def public(simulator, path: str) -> httpx.Response:
    with httpx.Client(transport=simulator.transport(), base_url="http://sim") as http:
        return http.get(path)


def top(client) -> tuple[Decimal, Decimal]:
    body = client.call("GET", "/v5/market/orderbook", {"category": "spot", "symbol": "BTCUSDT"})
    return Decimal(body["result"]["b"][0][0]), Decimal(body["result"]["a"][0][0])


@pytest.mark.parametrize("category", ["linear", "inverse", "option"])
def test_categories_not_traded_answer_empty_lists(simulator, category):
    listed = public(simulator, f"/v5/market/instruments-info?category={category}").json()
    assert (listed["retCode"], listed["result"]) == (
        0,
        {"category": category, "list": [], "nextPageCursor": ""},
    )
    tickers = public(simulator, f"/v5/market/tickers?category={category}").json()
    assert (tickers["retCode"], tickers["result"]["list"]) == (0, [])
    assert public(simulator, "/v5/market/instruments-info?category=futures").json()["retCode"] == 10001


@pytest.mark.parametrize("path", ["/v5/order/realtime", "/v5/order/history", "/v5/execution/list"])
def test_order_queries_of_other_categories_are_empty(client, path):
    for category in ("linear", "inverse", "option"):
        body = client.call("GET", path, {"category": category})
        assert (body["retCode"], body["result"]["list"], body["result"]["category"]) == (0, [], category)
    assert client.call("GET", path, {"category": "futures"})["retCode"] == 10001
    assert client.call("GET", path)["retCode"] == 10001


def test_spot_book_depth_goes_to_1000(simulator):
    path = "/v5/market/orderbook?category=spot&symbol=BTCUSDT&limit="
    assert public(simulator, path + "1000").json()["retCode"] == 0
    assert public(simulator, path + "1001").json()["retCode"] == 10001


def test_a_get_with_a_body_is_http_403(simulator):
    with httpx.Client(transport=simulator.transport(), base_url="http://sim") as http:
        response = http.request("GET", "/v5/market/time", content=b"{}")
    assert response.status_code == 403


def test_recent_trades_newest_first_with_own_fills(client, simulator):
    filled = client.call("POST", CREATE, order(orderType="Market", qty="20"))["result"]["orderId"]
    tape = client.call("GET", "/v5/market/recent-trade", {"category": "spot", "symbol": "BTCUSDT"})["result"]
    times = [int(t["time"]) for t in tape["list"]]
    assert len(times) == 60 and times == sorted(times, reverse=True)
    own = {e.exec_id for e in simulator.executions_for("1001") if e.order_id == filled}
    assert own <= {t["execId"] for t in tape["list"]}
    assert all(t["side"] == "Buy" for t in tape["list"] if t["execId"] in own)  # the taker's side
    too_many = {"category": "spot", "symbol": "BTCUSDT", "limit": "61"}
    assert client.call("GET", "/v5/market/recent-trade", too_many)["retCode"] == 10001


def test_the_published_price_limit_is_enforced(client):
    limits = client.call("GET", "/v5/market/price-limit", {"category": "spot", "symbol": "BTCUSDT"})["result"]
    highest, lowest = Decimal(limits["buyLmt"]), Decimal(limits["sellLmt"])
    bid, ask = top(client)
    assert lowest < bid < ask < highest
    assert client.call("POST", CREATE, order(price=str(highest + 1)))["retCode"] == 170193
    assert client.call("POST", CREATE, order(side="Sell", price=str(lowest - 1)))["retCode"] == 170194
    assert client.call("POST", CREATE, order(price=str(highest)))["retCode"] == 0


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"isLeverage": "1"}, 170036),  # margin: the account has not enabled cross margin
        ({"isLeverage": "2"}, 10001),
        ({"orderFilter": "StopOrder", "triggerPrice": "50000"}, 170227),
        ({"orderFilter": "tpslOrder", "triggerPrice": "50000"}, 170227),
        ({"triggerPrice": "50000"}, 170227),  # a trigger makes it conditional even without orderFilter
        ({"takeProfit": "70000"}, 170227),
        ({"orderFilter": "Sometimes"}, 170202),
    ],
)
def test_margin_and_conditional_orders_are_refused_never_traded(client, simulator, fields, code):
    body = client.call("POST", CREATE, order(price="50000", **fields))
    assert body["retCode"] == code, body
    assert simulator.orders_for("1001") == ()


def test_amend_moves_price_and_qty_and_keeps_the_reservation_right(client, simulator):
    bid, ask = top(client)
    price = str(bid - 100)
    placed = client.call("POST", CREATE, order(price=price, orderLinkId="am-1"))["result"]
    amend = {"category": "spot", "symbol": "BTCUSDT", "orderLinkId": "am-1"}
    assert client.call("POST", "/v5/order/amend", {**amend, "qty": "0.002"})["result"] == placed
    assert client.call("POST", "/v5/order/amend", {**amend, "qty": "0.002"})["retCode"] == 10001  # no change
    assert client.call("POST", "/v5/order/amend", {**amend, "qty": "1"})["retCode"] == 170131
    (resting,) = simulator.orders_for("1001")
    assert (resting.qty, resting.price) == (Decimal("0.002"), Decimal(price))
    assert simulator.venue.ledger.locked("1001", "USDT") == Decimal("0.002") * Decimal(price)
    crossed = client.call("POST", "/v5/order/amend", {**amend, "price": str(ask)})
    assert crossed["retCode"] == 0
    (filled,) = simulator.orders_for("1001")
    assert filled.status == "Filled" and simulator.venue.ledger.locked("1001", "USDT") == 0
    assert client.call("POST", "/v5/order/amend", {**amend, "price": str(bid - 200)})["retCode"] == 170213


def test_a_post_only_order_amended_across_the_book_is_cancelled(client, simulator):
    bid, ask = top(client)
    client.call("POST", CREATE, order(price=str(bid - 100), timeInForce="PostOnly", orderLinkId="po-1"))
    amend = {"category": "spot", "symbol": "BTCUSDT", "orderLinkId": "po-1", "price": str(ask)}
    assert client.call("POST", "/v5/order/amend", amend)["retCode"] == 0
    (cancelled,) = simulator.orders_for("1001")
    assert (cancelled.status, cancelled.reject_reason) == ("Cancelled", "EC_PostOnlyWillTakeLiquidity")


def test_cancel_all_by_symbol_base_coin_or_everything(client, simulator):
    bid, _ = top(client)
    for link in ("ca-1", "ca-2"):
        client.call("POST", CREATE, order(price=str(bid - 100), orderLinkId=link))
    stop_only = client.call("POST", "/v5/order/cancel-all", {"category": "spot", "orderFilter": "StopOrder"})
    assert stop_only["result"] == {"list": [], "success": "1"}
    other = client.call("POST", "/v5/order/cancel-all", {"category": "spot", "baseCoin": "ETH"})
    assert other["result"]["list"] == []
    everything = client.call("POST", "/v5/order/cancel-all", {"category": "spot"})["result"]
    assert sorted(o["orderLinkId"] for o in everything["list"]) == ["ca-1", "ca-2"]
    assert not any(o.is_open for o in simulator.orders_for("1001"))


def _history(client, **params: str) -> dict:
    body = client.call("GET", "/v5/order/history", {"category": "spot", **params})
    assert body["retCode"] == 0, body
    return body["result"]


def test_history_and_executions_honour_start_end_and_the_seven_day_window(client, clock):
    first = client.call("POST", CREATE, order(orderType="Market", qty="20"))["result"]["orderId"]
    created = clock()
    clock.now += 8 * DAY_MS
    second = client.call("POST", CREATE, order(orderType="Market", qty="20"))["result"]["orderId"]
    assert [o["orderId"] for o in _history(client)["list"]] == [second]  # default: the last 7 days
    assert [o["orderId"] for o in _history(client, startTime=str(created))["list"]] == [first]
    assert [o["orderId"] for o in _history(client, startTime=str(created + 1))["list"]] == []
    ended = _history(client, endTime=str(clock() - DAY_MS))["list"]
    assert [o["orderId"] for o in ended] == [first]
    wide = {"category": "spot", "startTime": str(created), "endTime": str(clock())}
    assert client.call("GET", "/v5/order/history", wide)["retCode"] == 10001
    backwards = {"category": "spot", "startTime": str(clock()), "endTime": str(created)}
    assert client.call("GET", "/v5/execution/list", backwards)["retCode"] == 10001
    since = {"category": "spot", "startTime": str(clock() - DAY_MS)}  # until startTime + 7 days
    fills = client.call("GET", "/v5/execution/list", since)["result"]["list"]
    assert fills and {f["orderId"] for f in fills} == {second}


def test_history_cursor_is_stable_while_new_orders_arrive(client):
    ids = [
        client.call("POST", CREATE, order(orderType="Market", qty="20"))["result"]["orderId"]
        for _ in range(5)
    ]
    page = _history(client, limit="2")
    assert [o["orderId"] for o in page["list"]] == ids[:-3:-1]
    client.call("POST", CREATE, order(orderType="Market", qty="20"))  # arrives between two pages
    rest = _history(client, limit="2", cursor=page["nextPageCursor"])
    assert [o["orderId"] for o in rest["list"]] == [ids[2], ids[1]]
    last = _history(client, limit="2", cursor=rest["nextPageCursor"])
    assert ([o["orderId"] for o in last["list"]], last["nextPageCursor"]) == ([ids[0]], "")
    bad = {"category": "spot", "cursor": "page_token%3D1"}
    assert client.call("GET", "/v5/execution/list", bad)["retCode"] == 10001


def test_account_info_coin_info_and_fee_rate(client):
    info = client.call("GET", "/v5/account/info")["result"]
    assert (info["unifiedMarginStatus"], info["marginMode"]) == (6, "REGULAR_MARGIN")
    coins = client.call("GET", "/v5/asset/coin/query-info")["result"]["rows"]
    assert [c["coin"] for c in coins] == ["BTC", "USDT", "ETH"]
    assert [
        c["coin"] for c in client.call("GET", "/v5/asset/coin/query-info", {"coin": "ETH"})["result"]["rows"]
    ] == ["ETH"]
    fee = client.call("GET", "/v5/account/fee-rate", {"category": "spot", "symbol": "ETHUSDT"})["result"]
    assert fee["list"] == [
        {"symbol": "ETHUSDT", "baseCoin": "", "takerFeeRate": "0.001", "makerFeeRate": "0.001"}
    ]
    assert client.call("GET", "/v5/account/fee-rate")["retCode"] == 10001  # category is required
    assert client.call("GET", "/v5/account/fee-rate", {"category": "linear"})["result"]["list"] == []


def test_catch_up_adds_only_the_candles_that_closed(simulator, clock):
    def newest() -> int:
        return simulator.venue.markets["BTCUSDT"].candles[-1].start_ms

    assert simulator.catch_up() == 0 and newest() + 60_000 <= clock()
    clock.now = newest() + 2 * 60_000 - 1
    assert simulator.catch_up() == 0
    clock.now += 1
    assert simulator.catch_up() == 1 and newest() + 60_000 == clock()
    clock.now += 3 * 60_000 + 59_999
    assert simulator.catch_up() == 3 and newest() + 60_000 <= clock() < newest() + 2 * 60_000


def test_following_the_clock_klines_end_with_the_candle_in_progress(simulator, clock):
    path = "/v5/market/kline?category=spot&symbol=BTCUSDT&interval=1&limit=2"
    before = public(simulator, path).json()["result"]["list"]
    assert int(before[0][0]) + 60_000 <= clock()  # advance()-driven (embedded): only closed candles
    simulator.catch_up()
    current, last = public(simulator, path).json()["result"]["list"]
    assert int(current[0]) <= clock() < int(current[0]) + 60_000
    assert current[1:5] == [last[4]] * 4 and current[5:] == ["0", "0"]  # flat at the close, no volume
    clock.now = int(current[0]) + 60_000
    simulator.catch_up()
    closed = public(simulator, path).json()["result"]["list"][1]
    assert closed[0] == current[0] and closed[5] != "0"  # the same minute, now traded and closed
