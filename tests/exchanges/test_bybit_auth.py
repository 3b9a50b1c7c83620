"""Known-answer tests for Bybit V5 signing (shared/reference/bybit_v5.md section 1.5) and BybitAuth."""

from __future__ import annotations

import base64

import httpx
import pytest

from preflight.errors import AuthError
from preflight.exchange.bybit.auth import (
    BybitAuth,
    Credentials,
    sign_hmac,
    sign_rsa,
    signed_payload,
    string_to_sign,
)
from preflight.exchange.bybit.vectors import PUBLISHED_VECTORS, STRING_TO_SIGN_EXAMPLES


@pytest.mark.parametrize("vector", PUBLISHED_VECTORS, ids=lambda v: v.name)
def test_hmac_vector(vector):
    assert sign_hmac(vector.api_secret, vector.message) == vector.signature


@pytest.mark.parametrize("example", STRING_TO_SIGN_EXAMPLES, ids=lambda e: e.name)
def test_docs_string_to_sign(example):
    assert (
        string_to_sign(example.timestamp, example.api_key, example.recv_window, example.payload)
        == example.expected
    )


def _request(method: str, **kwargs) -> httpx.Request:
    return httpx.Request(method, "https://api.bybit.com/v5/order/create", **kwargs)


def test_auth_signs_the_exact_query_and_body_bytes():
    vector_get = next(v for v in PUBLISHED_VECTORS if v.name == "E-get-spot")
    vector_post = next(v for v in PUBLISHED_VECTORS if v.name == "E-post-spot")
    auth = BybitAuth(
        Credentials(vector_get.api_key, vector_get.api_secret), 5000, clock=lambda: 1672211928338
    )
    get = httpx.Request(
        "GET", "https://x/v5/order/realtime", params=[("category", "spot"), ("symbol", "BTCUSDT")]
    )
    signed = next(auth.auth_flow(get))
    assert signed.headers["X-BAPI-SIGN"] == vector_get.signature
    assert signed.headers["X-BAPI-SIGN-TYPE"] == "2"
    assert signed.headers["X-BAPI-RECV-WINDOW"] == "5000"
    assert signed.headers["X-BAPI-TIMESTAMP"] == "1672211928338"
    post = _request("POST", content=vector_post.payload.encode())
    assert next(auth.auth_flow(post)).headers["X-BAPI-SIGN"] == vector_post.signature


def test_empty_query_signs_empty_tail():
    vector = next(v for v in PUBLISHED_VECTORS if v.name == "E-get-empty")
    auth = BybitAuth(
        Credentials(vector.api_key, vector.api_secret), 5000, clock=lambda: int(vector.timestamp)
    )
    signed = next(auth.auth_flow(httpx.Request("GET", "https://x/v5/account/wallet-balance")))
    assert signed_payload(signed) == ""
    assert signed.headers["X-BAPI-SIGN"] == vector.signature


def test_query_is_signed_as_percent_encoded_on_the_wire():
    auth = BybitAuth(Credentials("k", "s"), 5000, clock=lambda: 1)
    request = httpx.Request("GET", "https://x/v5/order/realtime", params=[("orderLinkId", "a b/c")])
    signed = next(auth.auth_flow(request))
    raw = request.url.raw_path.decode().split("?", 1)[1]
    assert signed_payload(signed) == raw == "orderLinkId=a+b%2Fc"
    assert signed.headers["X-BAPI-SIGN"] == sign_hmac("s", f"1k5000{raw}")


def test_rsa_signature_verifies_with_the_public_key(rsa_key_pair):
    private_pem, public_pem = rsa_key_pair
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    message = string_to_sign("1700000000000", "test_api_key", 5000, "category=spot&symbol=BTCUSDT")
    signature = sign_rsa(private_pem, message)
    public = serialization.load_pem_public_key(public_pem)
    public.verify(base64.b64decode(signature), message.encode(), padding.PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr]
    # PKCS#1 v1.5 is deterministic: the same message signs identically.
    assert sign_rsa(private_pem, message) == signature


def test_credentials_never_show_secrets(rsa_key_pair):
    creds = Credentials("abcdefgh12345678", "super-secret-value")
    assert "super-secret-value" not in repr(creds) and "abcdefgh1234" not in repr(creds)
    assert "5678" in repr(creds)
    rsa = Credentials("abcdefgh12345678", rsa_private_key_pem=rsa_key_pair[0])
    assert "PRIVATE" not in repr(rsa) and "PRIVATE" not in str(BybitAuth(rsa))


def test_credentials_need_exactly_one_secret():
    with pytest.raises(AuthError):
        Credentials("key")
    with pytest.raises(AuthError):
        Credentials("key", "secret", "pem")


def test_bad_rsa_key_message_has_no_key_material():
    with pytest.raises(AuthError) as info:
        sign_rsa("-----BEGIN PRIVATE KEY-----\nnot-a-key-SECRETSTUFF\n-----END PRIVATE KEY-----\n", "x")
    assert "SECRETSTUFF" not in str(info.value)


def test_from_entry_is_duck_typed():
    class Entry:
        name = "bybit_paper_trading"
        api_key = "key-1234"
        api_secret = "sec"
        rsa_private_key = None

    assert Credentials.from_entry(Entry()).method == "hmac"
