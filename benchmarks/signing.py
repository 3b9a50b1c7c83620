"""A minimal Bybit V5 HMAC signer for the benchmark clients, written from the published rule.

String to sign: ``timestamp + api_key + recv_window + (query string | JSON body)``, HMAC-SHA256, lower
hex (reference/bybit_v5.md 1.2). Independent of the adapter on purpose: the simulator figure must not
depend on the code the adapter figure measures.
"""

from __future__ import annotations

import hashlib
import hmac
import time

RECV_WINDOW = "5000"


def signed_headers(api_key: str, api_secret: str, payload: str, offset_ms: int = 0) -> dict[str, str]:
    """Return the X-BAPI-* headers signing ``payload`` (the exact query string or body sent)."""
    timestamp = str(int(time.time() * 1000) + offset_ms)
    text = timestamp + api_key + RECV_WINDOW + payload
    signature = hmac.new(api_secret.encode(), text.encode(), hashlib.sha256).hexdigest()
    return {
        "X-BAPI-API-KEY": api_key,
        "X-BAPI-TIMESTAMP": timestamp,
        "X-BAPI-SIGN": signature,
        "X-BAPI-RECV-WINDOW": RECV_WINDOW,
        "X-BAPI-SIGN-TYPE": "2",
    }


def server_offset_ms(market_time_body: dict[str, object]) -> int:
    """Return how far the server clock is ahead of ours, from a ``/v5/market/time`` answer."""
    result = market_time_body.get("result")
    if isinstance(result, dict) and "timeNano" in result:
        server_ms = int(result["timeNano"]) // 1_000_000
    else:
        server_ms = int(str(market_time_body["time"]))
    return server_ms - int(time.time() * 1000)
