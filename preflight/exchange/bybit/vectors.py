"""Bybit V5 signing known-answer vectors, verbatim from shared/reference/bybit_v5.md section 1.5.

B are nautilus_trader's published vectors (re-computed by the reference's author), E are spot vectors
computed with Python's hmac, C is pybit's fixture, and A is the official docs example whose secret is
unpublished: only its string to sign can be checked. Used by the tests and the ``adapter_signing`` kind.
"""

from __future__ import annotations

from dataclasses import dataclass

from preflight.exchange.bybit.auth import string_to_sign


@dataclass(frozen=True)
class SigningVector:
    """One HMAC vector: the inputs and the published lowercase-hex signature.

    ``method`` is GET or POST (REST string to sign), WS (``"GET/realtime" + expires``) or RAW (the
    payload is the whole message).
    """

    name: str
    source: str
    api_key: str
    api_secret: str
    timestamp: str
    recv_window: str
    method: str
    payload: str
    signature: str

    @property
    def message(self) -> str:
        """Return the exact string that is signed."""
        if self.method == "WS":
            return f"GET/realtime{self.timestamp}"
        if self.method == "RAW":
            return self.payload
        return string_to_sign(self.timestamp, self.api_key, self.recv_window, self.payload)


@dataclass(frozen=True)
class StringToSignExample:
    """A documented string to sign whose digest cannot be reproduced (the secret is unpublished)."""

    name: str
    timestamp: str
    api_key: str
    recv_window: str
    payload: str
    expected: str


_NAUTILUS = "nautilus_trader crates/adapters/bybit/src/common/credential.rs (reference 1.5 B)"
_LOCAL = "computed with Python hmac (reference 1.5 E)"
_SPOT_BODY = (
    '{"category":"spot","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.1","price":"15600",'
    '"timeInForce":"PostOnly","orderLinkId":"spot-test-01","isLeverage":0,"orderFilter":"Order"}'
)

PUBLISHED_VECTORS: tuple[SigningVector, ...] = (
    SigningVector(
        "B-get", _NAUTILUS, "test_api_key", "test_secret", "1700000000000", "5000", "GET",
        "category=linear&symbol=BTCUSDT",
        "fd4f31228a46109dc6673062328693696df9a96c7ff04e6491a45e7f63a0fdd7",
    ),
    SigningVector(
        "B-post", _NAUTILUS, "test_api_key", "test_secret", "1700000000000", "5000", "POST",
        '{"category": "linear", "symbol": "BTCUSDT", "orderLinkId": "test-order-1"}',
        "2df4a0603d69c08d5dea29ba85b46eb7db64ce9e9ebd34a7802a3d69700cb2a1",
    ),
    SigningVector(
        "B-ws", _NAUTILUS, "test_api_key", "test_secret", "1700000000000", "", "WS", "",
        "bacffe7500499eb829bb58c45d36d1b3e5ac67c14eaeba91df5e99ccee013925",
    ),
    SigningVector(
        "C-pybit", "pybit tests/test_pybit.py (reference 1.5 C)", "CFEJUGQEQPPHGOHGHM",
        "VDFZSSPUTKRJMXAVMJXBHEXIPZNZJIZUBVRQ", "", "", "RAW", "12345mykey6789payload",
        "41a5ab59eff2a5fc34ac3fcb66df173928373d268d9f188127fc31cdc3dcb842",
    ),
    SigningVector(
        "E-get-spot", _LOCAL, "XXXXXXXXXX", "YYYYYYYYYY", "1672211928338", "5000", "GET",
        "category=spot&symbol=BTCUSDT",
        "4e7e7e5b792b14cb2a693de49d17d872dd746e9cb5f7c7afe81e920daf5fa6a9",
    ),
    SigningVector(
        "E-get-empty", _LOCAL, "XXXXXXXXXX", "YYYYYYYYYY", "1672211928338", "5000", "GET", "",
        "89d62ea20e1eb2d99cdc04d0f99ef73c819bf4507ae4ea1191729e6b38337a45",
    ),
    SigningVector(
        "E-post-spot", _LOCAL, "XXXXXXXXXX", "YYYYYYYYYY", "1672211928338", "5000", "POST", _SPOT_BODY,
        "be9c4c24fb888eb09a43099c659318852e8235cd166055ba579c3e3121f89316",
    ),
    SigningVector(
        "E-get-wallet", _LOCAL, "XXXXXXXXXX", "YYYYYYYYYY", "1672125440406", "5000", "GET",
        "accountType=UNIFIED&coin=BTC",
        "4d4c9872f26f7dfc3b76db8326ec6e85e351ba4c954c3af2e1bf3549878d552b",
    ),
)  # fmt: skip

STRING_TO_SIGN_EXAMPLES: tuple[StringToSignExample, ...] = (
    StringToSignExample(
        "A-get", "1658384314791", "XXXXXXXXXX", "5000", "category=option&symbol=BTC-29JUL22-25000-C",
        "1658384314791XXXXXXXXXX5000category=option&symbol=BTC-29JUL22-25000-C",
    ),
    StringToSignExample(
        "A-post", "1658385579423", "XXXXXXXXXX", "5000", '{"category": "option"}',
        '1658385579423XXXXXXXXXX5000{"category": "option"}',
    ),
)  # fmt: skip


# A fixed RSA-2048 key for the RSA round trip of ``adapter_signing``: generated once for this purpose,
# published here, never a real account's key. Fixed so a run neither generates a key (57-208 ms) nor
# signs differently from the last one (RSASSA-PKCS1-v1_5 is deterministic).
TEST_RSA_PRIVATE_KEY_PEM = """\
-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCn/sp/HMh+i+sz
rYm5tUyXl/fWOIPAVzicJ7QjY+BHd6PDwvHQBXAK/CwOQK5uA6WOzv0QANS3svsy
gH6Ruz03NgQaOdqafWRTrw4gwf/OJYW1i83xBo1IIIzoJiwYAbOG3+ML0taVKcf3
3M/Ug0O7fhYWW7eG+S0Fytee9BmEiSN/ejd7oJuuHVKXctt2h6n4SKfhNNjvVaMS
Uy9DEwIwVGdHxV82El8KyX56buTQBofEQLN5snK2MbBYytQs4XuTpJCdTyJTwq8X
nc/bgs94k4teD+pY9D+BD7XC8BEMTHgPsT9Z0RetIa04HTkNnuePlaT3g5Jbu2HO
/wWiP1d1AgMBAAECggEAFYlayQxAlnCLjjbLduJLgmJPZHLJo9PKrxeBRsmGtsLG
B30Au7amvtHF4sHfWr00RpLklbOgPDiWxB+oROMocuEwNMiBQi2cZK9cHqOgOVD4
IOZeWBg17oQ1wYvQj/dP3j+U1NmKUYRnXVrnzd+nbuw4GqpWudf3Mfc8yI+UjI1E
AsyRU4Wzxd6lL8FB0MiGK6nStceO5rY6SswPEk18cbKkgVKeZWZuS9AQl9cV3djp
vHF7cGGJXDMGgpJZh8wiSwAkdasx6zEu2iiw/5z+6Cgy7fkUYDoWTO1JnJ+lIMyy
Yt0CygUBHoOQfUUwi9X+ekAjA6SeBriaPM7RTLb7tQKBgQDouDnMtAePJCkToNUM
FZKTGQPJgk6m8f0yFMkGXjmfud+G6CWSAjI76yGDNxTW+n/soCClkmOvRQI30zQV
U2jrv38QuKpWJtjbslJBAl6h8tM/Tx3OyzIvHZ8aptt3xt+Mba1gOvkOULi/LFml
ZNxLJBPtYJofsD94oR9kC7bkOwKBgQC4zQX4t489Hw/ucvObVaHoQdxGCDav0ra8
dtSkl3qHU3QwlQjcbU6PYwZbANCU6QiNtparAwQUL5d+m5pMGC222MEoU+P+u+Lo
Xnk89Jrx23XgT4rLBZ+oRYKrHo+f2W84aSVO0rcnsYXLjwyei+N1XCQlOlBv2zYq
fAm3pHBoDwKBgD3IgxfUh9k5uWoLneQaahKBZp796FGsFxNPr1rwcw3zs+NGCItt
59Y+g2QpoG++i23PyTsL1Uk34fHeMYqj3UwRR/Oxgw9iOtqAyhOWRHdsVycMoxY+
nfEiRRY3TDbNZpYKnCfbIDnrtlCSvq4JS+7rAhtYNTLKgN9Or13JOmH3AoGAfxud
0N3Iqvyzg4oTXrM+orayIIVDwBmJ0QVW60K5Z10SXNwVdS/FykANPgjIbrP+SyLc
bRGs+4lkhRPXxCEZSFu8N9XDyxFGWBerAi8oZ9RQNpHfYBclIqN05egmV4dBxaYk
oBu1GJs08Lcase5769wNjIGYk+dOUVhxgpubKScCgYBblRLxrjn+1KoTKTAShfRu
M4aabmFdVutQEq+3lMQ2PnMMX/MJ+C6SfzNHdAmqRudp/SqmbXDx6Ho4RZohhxyk
gNufJ3TKrI0UMdIWKt9uHDFF9gKHr/wFq3+ShLRxLoko7Gpowmfn9jrolPi+Y1ut
yrNGObbpRgTDb6666uslvg==
-----END PRIVATE KEY-----
"""
TEST_RSA_PUBLIC_KEY_PEM = """\
-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAp/7KfxzIfovrM62JubVM
l5f31jiDwFc4nCe0I2PgR3ejw8Lx0AVwCvwsDkCubgOljs79EADUt7L7MoB+kbs9
NzYEGjnamn1kU68OIMH/ziWFtYvN8QaNSCCM6CYsGAGzht/jC9LWlSnH99zP1IND
u34WFlu3hvktBcrXnvQZhIkjf3o3e6Cbrh1Sl3Lbdoep+Ein4TTY71WjElMvQxMC
MFRnR8VfNhJfCsl+em7k0AaHxECzebJytjGwWMrULOF7k6SQnU8iU8KvF53P24LP
eJOLXg/qWPQ/gQ+1wvARDEx4D7E/WdEXrSGtOB05DZ7nj5Wk94OSW7thzv8Foj9X
dQIDAQAB
-----END PUBLIC KEY-----
"""
