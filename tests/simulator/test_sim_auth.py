"""Signature verification, timestamp window, keys, permissions and IPs, as Bybit answers them."""

from __future__ import annotations

import base64
import json
import sys
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from preflight.simulator import Account, BybitSimulator, SimRequest, SimulatorConfig
from preflight.simulator.accounts import AccountBook
from preflight.simulator.auth import authenticate, hmac_signature, string_to_sign
from preflight.simulator.wire import ApiError

# reference/bybit_v5.md 1.5 B (nautilus_trader, published) and E (computed fixtures).
VECTORS = [
    ("test_api_key", "test_secret", "1700000000000", "GET", "category=linear&symbol=BTCUSDT",
     "fd4f31228a46109dc6673062328693696df9a96c7ff04e6491a45e7f63a0fdd7"),
    ("test_api_key", "test_secret", "1700000000000", "POST",
     '{"category": "linear", "symbol": "BTCUSDT", "orderLinkId": "test-order-1"}',
     "2df4a0603d69c08d5dea29ba85b46eb7db64ce9e9ebd34a7802a3d69700cb2a1"),
    ("XXXXXXXXXX", "YYYYYYYYYY", "1672211928338", "GET", "category=spot&symbol=BTCUSDT",
     "4e7e7e5b792b14cb2a693de49d17d872dd746e9cb5f7c7afe81e920daf5fa6a9"),
    ("XXXXXXXXXX", "YYYYYYYYYY", "1672211928338", "GET", "",
     "89d62ea20e1eb2d99cdc04d0f99ef73c819bf4507ae4ea1191729e6b38337a45"),
    ("XXXXXXXXXX", "YYYYYYYYYY", "1672211928338", "POST",
     '{"category":"spot","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.1","price":"15600",'
     '"timeInForce":"PostOnly","orderLinkId":"spot-test-01","isLeverage":0,"orderFilter":"Order"}',
     "be9c4c24fb888eb09a43099c659318852e8235cd166055ba579c3e3121f89316"),
    ("XXXXXXXXXX", "YYYYYYYYYY", "1672125440406", "GET", "accountType=UNIFIED&coin=BTC",
     "4d4c9872f26f7dfc3b76db8326ec6e85e351ba4c954c3af2e1bf3549878d552b"),
]  # fmt: skip


def _request(key: str, ts: str, method: str, payload: str, sign: str, recv: str = "5000") -> SimRequest:
    headers = {"x-bapi-api-key": key, "x-bapi-timestamp": ts, "x-bapi-sign": sign, "x-bapi-recv-window": recv}
    if method == "GET":
        return SimRequest("GET", "/v5/order/realtime", payload, headers)
    return SimRequest("POST", "/v5/order/create", "", headers, payload.encode())


@pytest.mark.parametrize(("key", "secret", "ts", "method", "payload", "expected"), VECTORS)
def test_published_vectors_are_accepted_and_a_flipped_digit_is_not(
    key, secret, ts, method, payload, expected
):
    assert hmac_signature(secret, string_to_sign(ts, key, "5000", payload)) == expected
    book = AccountBook()
    book.add(Account(uid="1", api_key=key, api_secret=secret))
    assert authenticate(_request(key, ts, method, payload, expected), book, int(ts)).uid == "1"
    wrong = expected[:-1] + ("0" if expected[-1] != "0" else "1")
    with pytest.raises(ApiError) as caught:
        authenticate(_request(key, ts, method, payload, wrong), book, int(ts))
    assert caught.value.ret_code == 10004
    assert caught.value.ret_msg == "Error sign, please check your signature generation algorithm."


def test_rsa_signature_round_trip_and_a_foreign_key_is_refused(clock):
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    account = Account(uid="77", api_key="rsa-key-1", rsa_public_key_pem=public_pem)
    simulator = BybitSimulator(SimulatorConfig(accounts=(account,)), clock_ms=clock)
    query = "accountType=UNIFIED"

    def send(signing_key: rsa.RSAPrivateKey) -> dict:
        text = f"{clock()}rsa-key-15000{query}".encode()
        sign = base64.b64encode(signing_key.sign(text, padding.PKCS1v15(), hashes.SHA256())).decode()
        headers = {
            "X-BAPI-API-KEY": "rsa-key-1", "X-BAPI-TIMESTAMP": str(clock()), "X-BAPI-SIGN": sign,
            "X-BAPI-RECV-WINDOW": "5000", "X-BAPI-SIGN-TYPE": "2",
        }  # fmt: skip
        with httpx.Client(transport=simulator.transport(), base_url="http://sim") as http:
            return http.get(f"/v5/account/wallet-balance?{query}", headers=headers).json()

    assert send(private)["retCode"] == 0
    assert send(rsa.generate_private_key(public_exponent=65537, key_size=2048))["retCode"] == 10004


def test_pybit_style_get_and_post_are_accepted(client):
    balance = client.call("GET", "/v5/account/wallet-balance", {"accountType": "UNIFIED", "coin": "USDT"})
    assert balance["retCode"] == 0
    created = client.call(
        "POST",
        "/v5/order/create",
        {"category": "spot", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit", "qty": "0.001",
         "price": "50000", "orderLinkId": "pybit-1"},
    )  # fmt: skip
    assert created["retCode"] == 0
    assert created["result"]["orderLinkId"] == "pybit-1"


def test_a_reserialised_body_is_rejected_10004(client, simulator):
    params = {"category": "spot", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit", "qty": "0.001",
              "price": "50000"}  # fmt: skip
    signed = json.dumps(params)  # "a": "b" with spaces
    sent = json.dumps(params, separators=(",", ":"))  # same object, other bytes
    response = client.http.post("/v5/order/create", content=sent.encode(), headers=client.headers(signed))
    assert response.status_code == 200
    assert response.json()["retCode"] == 10004
    assert simulator.orders_for("1001") == ()


def test_query_reordered_after_signing_is_rejected(client):
    headers = client.headers("accountType=UNIFIED&coin=USDT")
    response = client.http.get("/v5/account/wallet-balance?coin=USDT&accountType=UNIFIED", headers=headers)
    assert response.json()["retCode"] == 10004


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [(-5000, True), (-5001, False), (999, True), (1000, False), (-60_000, False), (30_000, False)],
)
def test_timestamp_window_bounds(client, clock, offset, accepted):
    response = client.get("/v5/account/wallet-balance", {"accountType": "UNIFIED"}, ts=clock() + offset)
    body = response.json()
    if accepted:
        assert body["retCode"] == 0
    else:
        assert body["retCode"] == 10002
        assert body["retMsg"].endswith(
            f"req_timestamp[{clock() + offset}],server_timestamp[{clock()}],recv_window[5000]"
        )


def test_unknown_key_missing_headers_and_bad_recv_window(client):
    client.api_key = "no-such-key"
    assert client.call("GET", "/v5/order/realtime", {"category": "spot"})["retCode"] == 10003
    # Missing auth headers: Bybit's HTTP code table answers 401, not a retCode.
    response = client.http.get("/v5/order/realtime?category=spot")
    assert response.status_code == 401
    headers = client.headers("category=spot")
    headers["X-BAPI-API-KEY"] = "sim-test-key-0001"
    del headers["X-BAPI-SIGN"]
    assert client.http.get("/v5/order/realtime?category=spot", headers=headers).status_code == 401


def test_read_only_key_reads_but_cannot_trade(clock, signer):
    account = Account(uid="9", api_key="ro-key", api_secret="ro-secret", read_only=True)
    no_spot = Account(
        uid="10", api_key="wallet-key", api_secret="w-secret", permissions={"Wallet": ("AccountTransfer",)}
    )
    simulator = BybitSimulator(SimulatorConfig(accounts=(account, no_spot)), clock_ms=clock)
    order = {"category": "spot", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Market", "qty": "10"}
    with httpx.Client(transport=simulator.transport(), base_url="http://sim") as http:
        for key, secret in (("ro-key", "ro-secret"), ("wallet-key", "w-secret")):
            c = signer(http, clock, api_key=key, api_secret=secret)
            assert c.call("GET", "/v5/user/query-api")["retCode"] == 0
            rejected = c.call("POST", "/v5/order/create", order)
            assert rejected["retCode"] == 10005
            assert rejected["retMsg"] == "Permission denied, please check your API key permissions."
    assert simulator.orders_for("9") == ()


def test_expired_key_and_bound_ips(clock, signer):
    expired = Account(
        uid="5", api_key="old-key", api_secret="s1", expires_at=datetime(2020, 1, 1, tzinfo=UTC)
    )
    bound = Account(uid="6", api_key="ip-key", api_secret="s2", ips=("10.1.2.3",))
    simulator = BybitSimulator(SimulatorConfig(accounts=(expired, bound)), clock_ms=clock)
    with httpx.Client(transport=simulator.transport(), base_url="http://sim") as http:
        assert (
            signer(http, clock, api_key="old-key", api_secret="s1").call("GET", "/v5/user/query-api")[
                "retCode"
            ]
            == 33004
        )
        assert (
            signer(http, clock, api_key="ip-key", api_secret="s2").call("GET", "/v5/user/query-api")[
                "retCode"
            ]
            == 10010
        )
    with httpx.Client(transport=simulator.transport(client_ip="10.1.2.3"), base_url="http://sim") as http:
        info = signer(http, clock, api_key="ip-key", api_secret="s2").call("GET", "/v5/user/query-api")
    assert info["retCode"] == 0
    assert info["result"]["ips"] == ["10.1.2.3"]


def test_query_api_shape(client):
    body = client.call("GET", "/v5/user/query-api")
    assert body["retMsg"] == ""
    result = body["result"]
    for name in ("id", "apiKey", "readOnly", "permissions", "ips", "userID", "isMaster", "parentUid",
                 "expiredAt", "deadlineDay", "uta", "secret", "rsaPublicKey"):  # fmt: skip
        assert name in result, name
    assert result["secret"] == ""
    assert result["readOnly"] == 0
    assert result["permissions"] == {"Spot": ["SpotTrade"]}
    assert result["userID"] == 1001 and result["isMaster"] is True and result["parentUid"] == "0"
    assert result["uta"] == 1


def test_account_repr_never_shows_the_secret():
    account = Account(
        uid="1", api_key="abcdefghijkl", api_secret="super-secret-value", balances={"USDT": Decimal(1)}
    )
    assert "super-secret-value" not in repr(account)
    assert "abcdefghijkl" not in repr(account)


def test_accounts_added_at_runtime_are_served_independently(simulator, clock, signer):
    with httpx.Client(transport=simulator.transport(), base_url="http://sim") as http:
        late = signer(http, clock, api_key="late-key-000", api_secret="late-secret")
        assert late.call("GET", "/v5/user/query-api")["retCode"] == 10003
        for n in range(50):
            simulator.add_account(
                Account(
                    uid=str(5000 + n),
                    api_key=f"late-key-{n:03d}",
                    api_secret=f"late-secret{'' if n == 0 else n}",
                    balances={"USDT": Decimal(10_000)},
                )
            )
        assert late.call("GET", "/v5/user/query-api")["result"]["userID"] == 5000
        other = signer(http, clock, api_key="late-key-049", api_secret="late-secret49")
        balance = other.call("GET", "/v5/account/wallet-balance", {"accountType": "UNIFIED"})
        assert balance["result"]["list"][0]["coin"][0]["walletBalance"] == "10000"


def test_query_api_reports_expiry(clock, signer):
    expires = datetime.fromtimestamp((clock() + 3 * 86_400_000 - 60_000) / 1000, tz=UTC)
    account = Account(uid="8", api_key="soon-key", api_secret="s", expires_at=expires)
    simulator = BybitSimulator(SimulatorConfig(accounts=(account,)), clock_ms=clock)
    with httpx.Client(transport=simulator.transport(), base_url="http://sim") as http:
        result = signer(http, clock, api_key="soon-key", api_secret="s").call("GET", "/v5/user/query-api")[
            "result"
        ]
    assert result["deadlineDay"] == 3
    assert result["expiredAt"] == expires.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(
    ("ts", "recv", "code"),
    [("\u00b2", "5000", 10002), ("1700000000000", "\u00b2", 10001)],
    ids=["ts", "recv"],
)
def test_non_ascii_digits_in_auth_headers_are_refused_not_crashed(clock, ts, recv, code):
    book = AccountBook()
    book.add(Account(uid="1", api_key="k", api_secret="s"))
    with pytest.raises(ApiError) as caught:
        authenticate(_request("k", ts, "GET", "", "sig", recv), book, 1700000000000)
    assert caught.value.ret_code == code


def test_query_api_keeps_a_uid_that_is_not_ascii_digits_as_text():
    from preflight.simulator.accounts import query_api_result

    account = Account(uid="\u00b2", api_key="k", api_secret="s")
    assert query_api_result(account, 1700000000000)["userID"] == "\u00b2"


def test_a_hostile_deeply_nested_body_gets_10001_whatever_the_recursion_limit(client):
    body = "[" * 200_000  # json.loads alone dies of RecursionError here, or worse with a raised limit
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(1_000_000)
    try:
        response = client.http.post("/v5/order/create", content=body.encode(), headers=client.headers(body))
    finally:
        sys.setrecursionlimit(before)
    assert response.json()["retCode"] == 10001
