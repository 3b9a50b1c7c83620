"""The one table from Bybit retCodes (and HTTP statuses) to error classes and handling.

Sources: docs:docs/v5/error.mdx as summarised in shared/reference/bybit_v5.md sections 2.2-2.6. The
*kind* says how the adapter reacts; the error class is what escapes when it gives up.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from preflight.errors import (
    AuthError,
    BybitApiError,
    ClockSkewError,
    ExchangeError,
    IpBannedError,
    OrderRejectedError,
    RateLimitedError,
    TransportError,
)


class Kind(StrEnum):
    """How the adapter treats an answer."""

    TRANSIENT = "transient"  # retry reads; an order's outcome is ambiguous -> reconcile
    RATE_LIMIT = "rate_limit"  # the gateway refused it: wait for the reset, then retry
    CLOCK = "clock"  # timestamp outside the window: resync once, then retry
    AUTH = "auth"  # key, signature, permission, IP binding, expiry: never retried, critical
    BANNED = "banned"  # HTTP 403: stop all traffic to the host, critical
    DUPLICATE = "duplicate"  # the orderLinkId already exists: the order is there -> reconcile
    NOT_FOUND = "not_found"  # the order does not exist (cancel/query)
    REJECTED = "rejected"  # a business rejection: never retried
    OTHER = "other"  # any other non-zero retCode


@dataclass(frozen=True)
class RetCode:
    """One row of the table: the code, how it is handled, and the error raised for it."""

    code: int
    kind: Kind
    error: type[ExchangeError]
    meaning: str


def _rows(kind: Kind, error: type[ExchangeError], rows: dict[int, str]) -> dict[int, RetCode]:
    return {code: RetCode(code, kind, error, meaning) for code, meaning in rows.items()}


TABLE: dict[int, RetCode] = {
    **_rows(
        Kind.TRANSIENT,
        TransportError,
        {
            10000: "server timeout",
            10016: "server error",
            170001: "internal error",
            170007: "timeout waiting for response from backend server",
            170032: "network error",
            170146: "order creation timeout",
            170147: "order cancellation timeout",
            170234: "system error",
        },
    ),
    **_rows(
        Kind.RATE_LIMIT,
        RateLimitedError,
        {
            429: "system-level frequency protection",
            10006: "too many visits: API rate limit exceeded",
            10018: "IP rate limit exceeded",
            170005: "too many new orders",
            170222: "too many requests in this time frame",
        },
    ),
    **_rows(Kind.CLOCK, ClockSkewError, {10002: "request time outside the recv window"}),
    **_rows(
        Kind.AUTH,
        AuthError,
        {
            10003: "API key is invalid or belongs to another environment",
            10004: "signature mismatch",
            10005: "permission denied",
            10007: "user authentication failed",
            10008: "account banned",
            10009: "region restricted",
            10010: "unmatched IP (key bound to other addresses)",
            10024: "compliance rules triggered",
            10027: "transactions are banned",
            10028: "unified account required",
            -2015: "API key expired",
            33004: "API key expired",
        },
    ),
    **_rows(
        Kind.DUPLICATE,
        OrderRejectedError,
        {170141: "duplicate clientOrderId", 110072: "orderLinkId is duplicate"},
    ),
    **_rows(
        Kind.NOT_FOUND,
        OrderRejectedError,
        {
            110001: "order does not exist",
            170213: "order does not exist",
            170139: "order has been filled",
            170142: "order has been cancelled",
            170143: "cannot be found on order book",
            170190: "cancel order has been finished",
        },
    ),
    **_rows(
        Kind.REJECTED,
        OrderRejectedError,
        {
            10001: "request parameter error",
            110007: "available balance is insufficient",
            110094: "order notional below the lower limit",
            170105: "parameter was empty",
            170115: "invalid timeInForce",
            170116: "invalid orderType",
            170117: "invalid side",
            170121: "invalid symbol",
            170124: "order amount too large",
            170130: "invalid parameter value",
            170131: "balance insufficient",
            170132: "order price too high",
            170133: "order price lower than the minimum",
            170134: "order price decimal too long",
            170136: "order quantity lower than the minimum",
            170137: "order volume decimal too long",
            170140: "order value below the lower limit",
            170148: "market order amount decimal too long",
            170149: "create order failed",
            170150: "cancel order failed",
            170151: "trading pair not open yet",
            170157: "trading pair not available for API trading",
            170210: "new order rejected",
            170217: "only LIMIT-MAKER orders supported",
            170218: "LIMIT-MAKER order rejected: invalid price",
            170341: "order quantity exceeds the maximum",
            170810: "too many open orders",
        },
    ),
}

_OTHER = RetCode(0, Kind.OTHER, BybitApiError, "unknown retCode")


def lookup(code: int) -> RetCode:
    """Return the table row for ``code`` (unknown codes are ``Kind.OTHER`` / BybitApiError)."""
    return TABLE.get(code, _OTHER)


def for_http_status(status: int) -> RetCode | None:
    """Return how a non-200 HTTP status is handled, or None when the body's retCode decides."""
    if status == 403:
        return RetCode(403, Kind.BANNED, IpBannedError, "forbidden: IP rate limit breached or IP banned")
    if status == 429:
        return TABLE[429]
    if status == 401:
        return RetCode(401, Kind.AUTH, AuthError, "invalid request: wrong key or missing auth headers")
    if status >= 500:
        return RetCode(status, Kind.TRANSIENT, TransportError, "server error")
    return None


def error_for(
    row: RetCode, code: int | None, message: str, *, http_status: int | None = None
) -> ExchangeError:
    """Build the error for ``row`` (messages come from retMsg or this table, never from secrets)."""
    return row.error(
        f"{message} (retCode {code})" if code is not None else message, code=code, http_status=http_status
    )
