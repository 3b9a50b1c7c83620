"""Per-UID per-endpoint limits (10006 and the X-Bapi-Limit headers) and the IP limit (HTTP 403 ban)."""

from __future__ import annotations

import httpx

from preflight.simulator import SimRequest

ORDER = {
    "category": "spot",
    "symbol": "BTCUSDT",
    "side": "Buy",
    "orderType": "Limit",
    "qty": "0.001",
    "price": "50000",
}


def test_order_create_allows_20_per_second_then_10006_with_headers(client, clock, simulator):
    statuses = []
    for n in range(20):
        response = client.post("/v5/order/create", {**ORDER, "orderLinkId": f"rl-{n}"})
        assert response.json()["retCode"] == 0
        assert response.headers["X-Bapi-Limit"] == "20"
        statuses.append(int(response.headers["X-Bapi-Limit-Status"]))
        assert response.headers["X-Bapi-Limit-Reset-Timestamp"] == str(clock())
        clock.now += 10
    assert statuses == list(range(19, -1, -1))
    limited = client.post("/v5/order/create", {**ORDER, "orderLinkId": "rl-over"})
    body = limited.json()
    assert limited.status_code == 200
    assert (body["retCode"], body["retMsg"]) == (10006, "Too many visits!")
    assert limited.headers["X-Bapi-Limit-Status"] == "0"
    reset = int(limited.headers["X-Bapi-Limit-Reset-Timestamp"])
    assert reset == 1_700_000_000_000 + 1000  # when the first of the 20 leaves the rolling window
    assert len(simulator.orders_for("1001")) == 20
    # Another endpoint has its own budget; the same one recovers once the window has room.
    assert client.call("GET", "/v5/order/realtime", {"category": "spot"})["retCode"] == 0
    clock.now = reset
    assert client.post("/v5/order/create", {**ORDER, "orderLinkId": "rl-after"}).json()["retCode"] == 0


def test_query_api_limit_is_10_per_second(client):
    codes = [client.call("GET", "/v5/user/query-api")["retCode"] for _ in range(11)]
    assert codes == [0] * 10 + [10006]


def test_ip_limit_bans_with_403_until_the_ban_ends(sim_factory, clock):
    simulator = sim_factory(clock, ip_limit=600, ip_window_ms=5000, ip_ban_ms=60_000)
    ping = SimRequest("GET", "/v5/market/time", client_ip="127.0.0.9")
    for _ in range(600):
        assert simulator.handle(ping).status == 200
    banned = simulator.handle(ping)
    assert banned.status == 403
    assert b"access too frequent" in banned.body
    clock.now += 30_000
    assert simulator.handle(ping).status == 403  # still banned, traffic in the window or not
    assert simulator.handle(SimRequest("GET", "/v5/market/time", client_ip="127.0.0.10")).status == 200
    clock.now += 30_000
    assert simulator.handle(ping).status == 200


def test_ip_window_rolls(sim_factory, clock):
    simulator = sim_factory(clock, ip_limit=10, ip_window_ms=5000)
    with httpx.Client(transport=simulator.transport(), base_url="http://sim") as http:
        for _ in range(10):
            assert http.get("/v5/market/time").status_code == 200
            clock.now += 600
        assert http.get("/v5/market/time").status_code == 200  # the oldest ones left the 5 s window
