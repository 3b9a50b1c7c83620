"""Fakes for the Bybit adapter's unit tests: a scripted Bybit behind httpx.MockTransport (on a SimClock).

The fake exchange verifies signatures the way Bybit documents it and, unlike the real exchange, does
NOT reject a reused orderLinkId by default, so a blind retry in the adapter would show up as a
duplicate order instead of being masked by the exchange.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import httpx

from preflight.exchange.bybit.client import BybitSpotAdapter
from preflight.exchange.bybit.metrics import ExchangeMetrics
from preflight.exchange.bybit.scenarios import SimClock
from preflight.exchange.events import ExchangeEvent

API_KEY = "fake-key-0001"
API_SECRET = "fake-secret-do-not-print-0001"
START = 1_700_000_000.0


@dataclass
class FakeOrder:
    """An order the fake exchange holds."""

    order_id: str
    link_id: str
    symbol: str
    side: str
    qty: str
    status: str = "New"


@dataclass
class FakeBybit:
    """A scripted Bybit V5 host for httpx.MockTransport.

    ``script[path]`` is a queue of faults served before normal handling:
    ``timeout`` (no effect), ``timeout_after`` (the POST takes effect, then the read times out),
    ``reset``/``reset_after`` (connection reset), ``connect`` (connection refused), ``500``, ``10016``,
    ``bad_json``, ``10006`` (with reset header ``reset_in_ms``), ``10006_bare`` (no reset header),
    ``429``, ``403``, ``10002``.
    """

    clock: SimClock
    secret: str | None = API_SECRET
    rsa_public_pem: bytes | None = None
    skew_ms: int = 0
    enforce_unique_link_id: bool = False
    reset_in_ms: int = 300
    handler_yields: int = 0  # await points inside the handler, to let concurrent requests overlap
    script: dict[str, deque[str]] = field(default_factory=lambda: defaultdict(deque))
    orders: list[FakeOrder] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)
    in_flight: int = 0
    peak_in_flight: int = 0
    remaining: dict[str, int] = field(default_factory=dict)  # X-Bapi-Limit-Status to send per path

    def server_ms(self) -> int:
        """Return the fake exchange's clock in ms."""
        return int(self.clock.time() * 1000) + self.skew_ms

    def transport(self) -> httpx.MockTransport:
        """Return the in-process transport."""
        return httpx.MockTransport(self.handle)

    def create_count(self) -> Counter[str]:
        """Count accepted orders per orderLinkId."""
        return Counter(order.link_id for order in self.orders)

    async def handle(self, request: httpx.Request) -> httpx.Response:
        """Serve one request."""
        self.requests.append(request)
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            for _ in range(self.handler_yields):
                await asyncio.sleep(0)
            return self._serve(request)
        finally:
            self.in_flight -= 1

    def _envelope(self, code: int, msg: str, result: object = None, **headers: str) -> httpx.Response:
        body = {
            "retCode": code,
            "retMsg": msg,
            "result": result or {},
            "retExtInfo": {},
            "time": self.server_ms(),
        }
        return httpx.Response(200, json=body, headers=headers)

    def _serve(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        fault = self.script[path].popleft() if self.script[path] else None
        if fault in ("timeout", "reset", "connect"):
            raise _transport_error(fault, request)
        if fault == "500":
            return httpx.Response(502, text="<html>bad gateway</html>")
        if fault == "bad_json":
            return httpx.Response(200, text="{not json")
        if fault == "10016":
            return self._envelope(10016, "Server error")
        if fault == "429":
            return httpx.Response(429, text="Too many requests")
        if fault == "403":
            return httpx.Response(403, text="access too frequent")
        if fault == "10006":
            reset = str(self.server_ms() + self.reset_in_ms)
            return self._envelope(10006, "Too many visits", **{"X-Bapi-Limit-Reset-Timestamp": reset})
        if fault == "10006_bare":
            return self._envelope(10006, "Too many visits")
        if fault == "10002":
            return self._envelope(10002, "The request time exceeds the time window range.")
        if fault is not None and fault.isdigit():
            return self._envelope(int(fault), "scripted answer")
        if not path.startswith("/v5/market/"):
            error = self._authenticate(request)
            if error is not None:
                return error
        response = self._route(request)
        if fault in ("timeout_after", "reset_after"):
            raise _transport_error(fault.split("_")[0], request)
        remaining = self.remaining.get(path)
        if remaining is not None:
            response.headers["X-Bapi-Limit-Status"] = str(remaining)
            response.headers["X-Bapi-Limit-Reset-Timestamp"] = str(self.server_ms() + self.reset_in_ms)
        return response

    def _authenticate(self, request: httpx.Request) -> httpx.Response | None:
        headers = request.headers
        if headers.get("x-bapi-api-key") != API_KEY:
            return self._envelope(10003, "API key is invalid.")
        ts = int(headers["x-bapi-timestamp"])
        window = int(headers["x-bapi-recv-window"])
        now = self.server_ms()
        if not now - window <= ts < now + 1000:
            return self._envelope(10002, f"req_timestamp[{ts}],server_timestamp[{now}],recv_window[{window}]")
        payload = request.url.query.decode() if request.method == "GET" else request.content.decode()
        text = f"{ts}{API_KEY}{window}{payload}"
        if not _verify(self.secret, self.rsa_public_pem, text, headers["x-bapi-sign"]):
            return self._envelope(10004, "Error sign, please check your signature generation algorithm.")
        return None

    def _route(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        query = dict(parse_qsl(request.url.query.decode()))
        if path == "/v5/market/time":
            ms = self.server_ms()
            return self._envelope(0, "OK", {"timeSecond": str(ms // 1000), "timeNano": str(ms * 1_000_000)})
        if path == "/v5/order/create":
            body = json.loads(request.content)
            link = body["orderLinkId"]
            if self.enforce_unique_link_id and any(o.link_id == link for o in self.orders):
                return self._envelope(170141, "Duplicate clientOrderId")
            order = FakeOrder(f"oid-{len(self.orders) + 1}", link, body["symbol"], body["side"], body["qty"])
            self.orders.append(order)
            return self._envelope(0, "OK", {"orderId": order.order_id, "orderLinkId": link})
        if path in ("/v5/order/realtime", "/v5/order/history"):
            want_open = path.endswith("realtime")
            found = [
                _order_json(o)
                for o in self.orders
                if (o.status == "New") == want_open and query.get("orderLinkId") in (None, o.link_id)
            ]
            return self._envelope(0, "OK", {"category": "spot", "list": found, "nextPageCursor": ""})
        if path == "/v5/order/cancel":
            body = json.loads(request.content)
            for order in self.orders:
                if order.link_id == body.get("orderLinkId") and order.status == "New":
                    order.status = "Cancelled"
                    return self._envelope(0, "OK", {"orderId": order.order_id, "orderLinkId": order.link_id})
            return self._envelope(170213, "Order does not exist.")
        if path == "/v5/account/wallet-balance":
            coin = {"coin": "USDT", "walletBalance": "1000", "locked": "10", "equity": "1000"}
            return self._envelope(0, "OK", {"list": [{"accountType": "UNIFIED", "coin": [coin]}]})
        if path == "/v5/user/query-api":
            return self._envelope(0, "", _QUERY_API)
        if path == "/v5/market/tickers":
            ticker = {
                "symbol": "BTCUSDT",
                "bid1Price": "100",
                "bid1Size": "1",
                "ask1Price": "101",
                "ask1Size": "2",
                "lastPrice": "100.5",
                "volume24h": "10",
                "turnover24h": "1000",
            }
            return self._envelope(0, "OK", {"category": "spot", "list": [ticker]})
        return httpx.Response(404, text="route not found")


_QUERY_API = {
    "id": "1", "note": "fake", "apiKey": API_KEY, "readOnly": 0, "secret": "",
    "permissions": {"Spot": ["SpotTrade"], "Wallet": []}, "ips": ["127.0.0.1"], "type": 1,
    "deadlineDay": 80, "expiredAt": "2027-01-01T00:00:00Z", "createdAt": "2026-01-01T00:00:00Z",
    "uta": 1, "userID": 1001, "isMaster": True, "parentUid": "0",
}  # fmt: skip


def _order_json(order: FakeOrder) -> dict[str, str]:
    return {
        "orderId": order.order_id, "orderLinkId": order.link_id, "symbol": order.symbol, "side": order.side,
        "orderType": "Limit", "orderStatus": order.status, "price": "100", "qty": order.qty,
        "cumExecQty": "0", "cumExecValue": "0", "leavesQty": order.qty, "avgPrice": "0",
        "timeInForce": "GTC", "createdTime": "1700000000000", "updatedTime": "1700000000000",
    }  # fmt: skip


def _transport_error(kind: str, request: httpx.Request) -> httpx.HTTPError:
    if kind == "timeout":
        return httpx.ReadTimeout("timed out", request=request)
    if kind == "connect":
        return httpx.ConnectError("connection refused", request=request)
    return httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)


def _verify(secret: str | None, rsa_public_pem: bytes | None, text: str, signature: str) -> bool:
    if secret is not None:
        return hmac.compare_digest(
            hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest(), signature
        )
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    assert rsa_public_pem is not None
    key = serialization.load_pem_public_key(rsa_public_pem)
    assert isinstance(key, rsa.RSAPublicKey)
    try:
        key.verify(base64.b64decode(signature), text.encode(), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


@dataclass
class Harness:
    """An adapter wired to a fake exchange, a fake clock, a metrics registry and an event list."""

    clock: SimClock
    exchange: FakeBybit
    metrics: ExchangeMetrics
    events: list[ExchangeEvent]
    make: Callable[..., BybitSpotAdapter]

    def value(self, name: str, **labels: str) -> float:
        """Return a metric sample for entrypoint ``ep``; a missing series fails the test."""
        value = self.metrics.value(name, entrypoint="ep", **labels)
        assert value is not None, f"series {name}{labels} missing"
        return value
