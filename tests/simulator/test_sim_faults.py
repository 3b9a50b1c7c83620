"""Seeded fault injection: parsing, rates, and how each fault reaches an httpx client."""

from __future__ import annotations

import json

import httpx
import pytest

from preflight.errors import UsageError
from preflight.simulator import FaultSpec, SimRequest


def test_parse_and_refuse_bad_specs():
    spec = FaultSpec.parse(
        "rate_limit=0.05,server_error=0.02,timeout=0.01,reset=0.01,skew_ms=3000,bad_json=0.01"
    )
    assert (spec.rate_limit, spec.server_error, spec.skew_ms, spec.latency_ms) == (0.05, 0.02, 3000, 0)
    assert FaultSpec.parse("") == FaultSpec()
    for bad in ("nonsense=1", "rate_limit", "rate_limit=x", "rate_limit=1.5", "timeout=0.6,reset=0.6"):
        with pytest.raises(UsageError):
            FaultSpec.parse(bad)


def test_rates_are_roughly_as_asked_and_deterministic(sim_factory, clock):
    spec = FaultSpec(rate_limit=0.1, server_error=0.05, timeout=0.05, reset=0.05, bad_json=0.05)
    request = SimRequest("GET", "/v5/market/tickers", "category=spot&symbol=BTCUSDT")

    def run(seed: int) -> dict[str, int]:
        simulator = sim_factory(clock, seed=seed, faults=spec, ip_limit=10**9)
        for _ in range(4000):
            simulator.handle(request)
        return dict(simulator.fault_counts)

    counts = run(3)
    assert counts == run(3)
    for name, rate in (
        ("rate_limit", 0.1),
        ("server_error", 0.05),
        ("timeout", 0.05),
        ("reset", 0.05),
        ("bad_json", 0.05),
    ):
        assert abs(counts[name] / 4000 - rate) < rate * 0.3, (name, counts)


def test_market_time_is_never_faulted_but_is_skewed(sim_factory, clock):
    simulator = sim_factory(clock, faults=FaultSpec(server_error=1.0, skew_ms=3000))
    with httpx.Client(transport=simulator.transport(), base_url="http://sim") as http:
        for _ in range(20):
            body = http.get("/v5/market/time").json()
            assert body["retCode"] == 0 and body["time"] == clock() + 3000
        assert http.get("/v5/market/tickers?category=spot").status_code in (200, 502, 503)
    assert simulator.fault_counts["server_error"] == 1


def test_rate_limit_fault_alternates_the_reset_header(sim_factory, clock, signer):
    simulator = sim_factory(clock, faults=FaultSpec(rate_limit=1.0))
    with httpx.Client(transport=simulator.transport(), base_url="http://sim") as http:
        client = signer(http, clock)
        responses = [client.get("/v5/order/realtime", {"category": "spot"}) for _ in range(4)]
    assert [r.json()["retCode"] for r in responses] == [10006] * 4
    has_reset = ["X-Bapi-Limit-Reset-Timestamp" in r.headers for r in responses]
    assert has_reset == [True, False, True, False]
    reset = int(responses[0].headers["X-Bapi-Limit-Reset-Timestamp"])
    assert clock() < reset < clock() + 100


def test_server_errors_are_5xx_or_10016(sim_factory, clock):
    simulator = sim_factory(clock, faults=FaultSpec(server_error=1.0))
    seen = set()
    with httpx.Client(transport=simulator.transport(), base_url="http://sim") as http:
        for _ in range(40):
            response = http.get("/v5/market/tickers?category=spot")
            seen.add(response.json()["retCode"] if response.status_code == 200 else response.status_code)
    assert seen == {502, 503, 10016}


def test_timeouts_and_resets_raise_and_sometimes_the_order_was_placed(sim_factory, clock, signer):
    for fault, error in (("timeout", httpx.ReadTimeout), ("reset", httpx.RemoteProtocolError)):
        simulator = sim_factory(
            clock, faults=FaultSpec(**{fault: 1.0}), endpoint_limits={"/v5/order/create": 10**6}
        )
        with httpx.Client(transport=simulator.transport(), base_url="http://sim") as http:
            client = signer(http, clock)
            for n in range(60):
                with pytest.raises(error):
                    client.post("/v5/order/create", {"category": "spot", "symbol": "BTCUSDT", "side": "Buy",
                                                     "orderType": "Limit", "qty": "0.001", "price": "50000",
                                                     "orderLinkId": f"amb-{n}"})  # fmt: skip
        placed = len(simulator.orders_for("1001"))
        assert 15 <= placed <= 45, (fault, placed)  # about half took effect: the outcome is ambiguous
        assert simulator.fault_counts[fault] == 60


def test_bad_json_truncates_the_body(sim_factory, clock):
    simulator = sim_factory(clock, faults=FaultSpec(bad_json=1.0))
    with httpx.Client(transport=simulator.transport(), base_url="http://sim") as http:
        response = http.get("/v5/market/tickers?category=spot")
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


async def _async_get(simulator) -> int:
    async with httpx.AsyncClient(transport=simulator.async_transport(), base_url="http://sim") as http:
        return (await http.get("/v5/market/time")).status_code


def test_async_transport_answers(simulator):
    import asyncio

    assert asyncio.run(_async_get(simulator)) == 200


def test_skew_rejects_an_unsynced_client_until_it_uses_server_time(sim_factory, clock, signer):
    simulator = sim_factory(clock, faults=FaultSpec(skew_ms=-2000))  # the server runs 2 s behind
    with httpx.Client(transport=simulator.transport(), base_url="http://sim") as http:
        client = signer(http, clock)
        stale = client.get("/v5/order/realtime", {"category": "spot"}).json()
        assert stale["retCode"] == 10002 and f"server_timestamp[{clock() - 2000}]" in stale["retMsg"]
        server_ms = int(http.get("/v5/market/time").json()["result"]["timeNano"]) // 1_000_000
        synced = client.get("/v5/order/realtime", {"category": "spot"}, ts=server_ms)
        assert synced.json()["retCode"] == 0
