"""GET /v5/execution/list honours startTime/endTime as Bybit documents them (7-day windows)."""

from __future__ import annotations

from decimal import Decimal

CREATE = "/v5/order/create"
DAY_MS = 86_400_000


def _take(client, link: str) -> None:
    """Place a marketable limit buy: it fills at once, at the client's clock."""
    ask = Decimal(
        client.call("GET", "/v5/market/orderbook", {"category": "spot", "symbol": "BTCUSDT"})["result"]["a"][
            0
        ][0]
    )
    order = {"category": "spot", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit", "qty": "0.001"}
    client.call("POST", CREATE, {**order, "price": str(ask + 100), "orderLinkId": link})


def _links(client, **window: int) -> list[str]:
    params = {"category": "spot", **{k: str(v) for k, v in window.items()}}
    answer = client.call("GET", "/v5/execution/list", params)
    assert answer["retCode"] == 0, answer
    return list(dict.fromkeys(f["orderLinkId"] for f in answer["result"]["list"]))


def test_start_time_window_and_the_seven_day_default(client, clock):
    t0 = clock.now
    _take(client, "old")
    clock.now = t0 + 1000
    _take(client, "new")
    assert _links(client) == ["new", "old"]  # neither given: the last 7 days
    assert _links(client, startTime=t0 + 1000) == ["new"]  # inclusive start
    assert _links(client, startTime=t0 + 1001) == []
    assert _links(client, endTime=t0 + 999) == ["old"]
    assert _links(client, startTime=t0, endTime=t0) == ["old"]  # inclusive end
    clock.now = t0 + 8 * DAY_MS
    _take(client, "later")
    assert _links(client) == ["later"]  # the fills of 8 days ago fell out of the default window
    assert _links(client, startTime=t0) == ["new", "old"]  # startTime alone: 7 days from it
    assert _links(client, endTime=t0 + 8 * DAY_MS) == ["later"]  # endTime alone: 7 days up to it


def test_a_window_wider_than_seven_days_or_backwards_is_a_params_error(client, clock):
    t0 = clock.now
    for window in ({"startTime": t0, "endTime": t0 + 7 * DAY_MS + 1}, {"startTime": t0, "endTime": t0 - 1}):
        params = {"category": "spot", **{k: str(v) for k, v in window.items()}}
        assert client.call("GET", "/v5/execution/list", params)["retCode"] == 10001
    assert _links(client, startTime=t0, endTime=t0 + 7 * DAY_MS) == []  # exactly 7 days is allowed
