"""Bybit V5 request authentication, checked the way Bybit documents it.

String to sign: ``timestamp + api_key + recv_window + payload`` where payload is the raw query string as
sent (GET) or the raw body bytes (POST). HMAC-SHA256 gives lowercase hex; RSA is PKCS#1 v1.5 over
SHA-256, base64. The timestamp must satisfy ``server_time - recv_window <= ts < server_time + 1000``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from preflight.simulator.accounts import Account, AccountBook
from preflight.simulator.wire import ApiError, HttpRefusal, SimRequest, is_digits

DEFAULT_RECV_WINDOW_MS = 5000
FUTURE_TOLERANCE_MS = 1000

MSG_INVALID_KEY = (
    "API key is invalid. Check whether the key and domain are matched, there are 4 env: "
    "mainnet, testnet, mainnet-demo, testnet-demo"
)
MSG_BAD_SIGN = "Error sign, please check your signature generation algorithm."
MSG_PERMISSION = "Permission denied, please check your API key permissions."
MSG_UNMATCHED_IP = "Unmatched IP, please check your API key's bound IP addresses."
MSG_EXPIRED = "Your api key has expired."
# Bybit's HTTP code table: 401 "Need to put authentication params in the request header" (notes, 1).
MSG_MISSING_AUTH = (
    "401 Unauthorized: put X-BAPI-API-KEY, X-BAPI-TIMESTAMP and X-BAPI-SIGN in the request header"
)
_AUTH_HEADERS = ("x-bapi-api-key", "x-bapi-timestamp", "x-bapi-sign")


def string_to_sign(timestamp: str, api_key: str, recv_window: str, payload: str) -> str:
    """Return Bybit's V5 string to sign."""
    return f"{timestamp}{api_key}{recv_window}{payload}"


def hmac_signature(secret: str, text: str) -> str:
    """Return the lowercase hex HMAC-SHA256 of ``text`` under ``secret``."""
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def signed_payload(request: SimRequest) -> str:
    """Return the payload part of the string to sign: raw query for GET, raw body for POST."""
    if request.method == "GET":
        return request.raw_query
    return request.body.decode("utf-8", errors="surrogateescape")


def timestamp_error(ts: int, server_ms: int, recv_window: int) -> ApiError:
    """Return Bybit's 10002 error for a timestamp outside the window."""
    return ApiError(
        10002,
        "invalid request, please check your server timestamp or recv_window param. "
        f"req_timestamp[{ts}],server_timestamp[{server_ms}],recv_window[{recv_window}]",
    )


def _verify_signature(book: AccountBook, account: Account, text: str, signature: str) -> bool:
    if account.api_secret is not None:
        # Bybit documents lowercase hex; an uppercase or otherwise different string does not match.
        expected = hmac_signature(account.api_secret, text)
        if hmac.compare_digest(expected, signature):
            return True
    if account.rsa_public_key_pem is not None:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        try:
            raw = base64.b64decode(signature, validate=True)
            book.rsa_public_key(account).verify(raw, text.encode(), padding.PKCS1v15(), hashes.SHA256())
        except (binascii.Error, ValueError, InvalidSignature):
            return False
        return True
    return False


def authenticate(request: SimRequest, book: AccountBook, server_ms: int) -> Account:
    """Return the account that signed ``request`` or raise the ApiError Bybit would answer with."""
    if not all(request.header(name) for name in _AUTH_HEADERS):
        raise HttpRefusal(401, MSG_MISSING_AUTH)
    api_key = request.header("x-bapi-api-key") or ""
    timestamp = request.header("x-bapi-timestamp") or ""
    signature = request.header("x-bapi-sign") or ""
    account = book.get(api_key)
    if account is None:
        raise ApiError(10003, MSG_INVALID_KEY)
    recv_text = request.header("x-bapi-recv-window")
    recv_window = DEFAULT_RECV_WINDOW_MS
    if recv_text is not None:
        if not is_digits(recv_text):
            raise ApiError(10001, "recv_window param is invalid.")
        recv_window = int(recv_text)
    if not is_digits(timestamp):
        raise timestamp_error(0, server_ms, recv_window)
    ts = int(timestamp)
    if not server_ms - recv_window <= ts < server_ms + FUTURE_TOLERANCE_MS:
        raise timestamp_error(ts, server_ms, recv_window)
    # The header value is signed as sent, so a client omitting the header signs with "" not "5000".
    text = string_to_sign(timestamp, api_key, recv_text or "", signed_payload(request))
    if not _verify_signature(book, account, text, signature):
        raise ApiError(10004, MSG_BAD_SIGN)
    if account.is_expired(server_ms):
        raise ApiError(33004, MSG_EXPIRED)
    if account.ips and "*" not in account.ips and request.client_ip not in account.ips:
        raise ApiError(10010, MSG_UNMATCHED_IP)
    return account


def require_spot_trade(account: Account) -> None:
    """Raise 10005 unless ``account`` may trade spot (not read-only and has Spot.SpotTrade)."""
    if not account.can_trade_spot():
        raise ApiError(10005, MSG_PERMISSION)
