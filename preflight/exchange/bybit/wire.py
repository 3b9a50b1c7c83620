"""Bybit V5 wire payloads: explicit parsers from the JSON ``result`` to frozen domain values.

Every numeric field arrives as a string; parsers turn them into ``Decimal``. A payload missing a field
the adapter relies on raises ``BybitApiError`` naming the field (the exchange broke the contract).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from types import MappingProxyType

from preflight.errors import BybitApiError
from preflight.exchange.bybit.models import (
    ApiKeyInfo,
    CoinBalance,
    Execution,
    Instrument,
    Kline,
    Level,
    OrderAck,
    OrderBook,
    OrderRequest,
    OrderState,
    Ticker,
)

__all__ = [
    "ApiKeyInfo",
    "CoinBalance",
    "Execution",
    "Instrument",
    "Kline",
    "Level",
    "OrderAck",
    "OrderBook",
    "OrderRequest",
    "OrderState",
    "Ticker",
]


def _get(data: Mapping[str, object], key: str, where: str) -> object:
    if key not in data:
        raise BybitApiError(f"malformed {where} payload: field {key!r} is missing")
    return data[key]


def _str(data: Mapping[str, object], key: str, where: str, default: str | None = None) -> str:
    if default is not None and key not in data:
        return default
    value = _get(data, key, where)
    return "" if value is None else str(value)


def _dec(data: Mapping[str, object], key: str, where: str, default: str | None = None) -> Decimal:
    text = _str(data, key, where, default)
    try:
        return Decimal(text) if text != "" else Decimal(0)
    except InvalidOperation:
        raise BybitApiError(f"malformed {where} payload: {key}={text!r} is not a number") from None


def _int(data: Mapping[str, object], key: str, where: str, default: str | None = None) -> int:
    text = _str(data, key, where, default)
    try:
        return int(text) if text != "" else 0
    except ValueError:
        raise BybitApiError(f"malformed {where} payload: {key}={text!r} is not an integer") from None


def _mapping(value: object, where: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise BybitApiError(f"malformed {where} payload: expected an object")
    return value


def result_list(result: Mapping[str, object], where: str) -> list[Mapping[str, object]]:
    """Return ``result.list`` as a list of objects."""
    items = _get(result, "list", where)
    if not isinstance(items, list):
        raise BybitApiError(f"malformed {where} payload: 'list' is not an array")
    return [_mapping(item, where) for item in items]


def next_cursor(result: Mapping[str, object]) -> str:
    """Return ``result.nextPageCursor`` or an empty string."""
    cursor = result.get("nextPageCursor")
    return cursor if isinstance(cursor, str) else ""


def parse_server_time_ms(result: Mapping[str, object]) -> int:
    """Parse ``/v5/market/time``: nanoseconds when present, else seconds."""
    if "timeNano" in result:
        return _int(result, "timeNano", "market/time") // 1_000_000
    return _int(result, "timeSecond", "market/time") * 1000


def parse_instrument(item: Mapping[str, object]) -> Instrument:
    """Parse one ``instruments-info`` list item of category spot."""
    where = "instruments-info"
    lot = _mapping(_get(item, "lotSizeFilter", where), where)
    price = _mapping(_get(item, "priceFilter", where), where)
    return Instrument(
        symbol=_str(item, "symbol", where),
        base_coin=_str(item, "baseCoin", where),
        quote_coin=_str(item, "quoteCoin", where),
        status=_str(item, "status", where),
        base_precision=_dec(lot, "basePrecision", where),
        quote_precision=_dec(lot, "quotePrecision", where),
        min_order_qty=_dec(lot, "minOrderQty", where, "0"),
        max_order_qty=_dec(lot, "maxOrderQty", where, "0"),
        min_order_amt=_dec(lot, "minOrderAmt", where, "0"),
        max_order_amt=_dec(lot, "maxOrderAmt", where, "0"),
        tick_size=_dec(price, "tickSize", where),
    )


def parse_ticker(item: Mapping[str, object]) -> Ticker:
    """Parse one ``market/tickers`` list item."""
    where = "tickers"
    return Ticker(
        symbol=_str(item, "symbol", where),
        bid1_price=_dec(item, "bid1Price", where),
        bid1_size=_dec(item, "bid1Size", where),
        ask1_price=_dec(item, "ask1Price", where),
        ask1_size=_dec(item, "ask1Size", where),
        last_price=_dec(item, "lastPrice", where),
        volume_24h=_dec(item, "volume24h", where, "0"),
        turnover_24h=_dec(item, "turnover24h", where, "0"),
    )


def parse_kline(row: object) -> Kline:
    """Parse one ``market/kline`` row ``[start, open, high, low, close, volume, turnover]``."""
    if not isinstance(row, Sequence) or isinstance(row, str) or len(row) < 7:
        raise BybitApiError("malformed kline payload: a row is not a 7-element array")
    try:
        values = [Decimal(str(v)) for v in row[1:7]]
        return Kline(int(str(row[0])), *values)
    except (InvalidOperation, ValueError):
        raise BybitApiError("malformed kline payload: a row holds a non-number") from None


def _levels(value: object, where: str) -> tuple[Level, ...]:
    if not isinstance(value, list):
        raise BybitApiError(f"malformed {where} payload: a side is not an array")
    try:
        return tuple((Decimal(str(p)), Decimal(str(s))) for p, s in value)
    except (InvalidOperation, ValueError, TypeError):
        raise BybitApiError(f"malformed {where} payload: a level is not [price, size]") from None


def parse_orderbook(result: Mapping[str, object]) -> OrderBook:
    """Parse ``market/orderbook``."""
    where = "orderbook"
    return OrderBook(
        symbol=_str(result, "s", where),
        bids=_levels(_get(result, "b", where), where),
        asks=_levels(_get(result, "a", where), where),
        ts_ms=_int(result, "ts", where, "0"),
        update_id=_int(result, "u", where, "0"),
    )


def parse_order_ack(result: Mapping[str, object], *, reconciled: bool = False) -> OrderAck:
    """Parse the acknowledgement of ``order/create`` or ``order/cancel``."""
    where = "order acknowledgement"
    return OrderAck(_str(result, "orderId", where), _str(result, "orderLinkId", where), reconciled)


def parse_order_state(item: Mapping[str, object]) -> OrderState:
    """Parse one ``order/realtime`` or ``order/history`` list item."""
    where = "order"
    return OrderState(
        order_id=_str(item, "orderId", where),
        order_link_id=_str(item, "orderLinkId", where),
        symbol=_str(item, "symbol", where),
        side=_str(item, "side", where),
        order_type=_str(item, "orderType", where),
        status=_str(item, "orderStatus", where),
        price=_dec(item, "price", where, "0"),
        qty=_dec(item, "qty", where),
        cum_exec_qty=_dec(item, "cumExecQty", where, "0"),
        cum_exec_value=_dec(item, "cumExecValue", where, "0"),
        leaves_qty=_dec(item, "leavesQty", where, "0"),
        avg_price=_dec(item, "avgPrice", where, "0"),
        time_in_force=_str(item, "timeInForce", where, "GTC"),
        created_ms=_int(item, "createdTime", where, "0"),
        updated_ms=_int(item, "updatedTime", where, "0"),
        reject_reason=_str(item, "rejectReason", where, ""),
    )


def parse_execution(item: Mapping[str, object]) -> Execution:
    """Parse one ``execution/list`` item."""
    where = "execution"
    maker = item.get("isMaker", False)
    return Execution(
        exec_id=_str(item, "execId", where),
        order_id=_str(item, "orderId", where),
        order_link_id=_str(item, "orderLinkId", where, ""),
        symbol=_str(item, "symbol", where),
        side=_str(item, "side", where),
        exec_price=_dec(item, "execPrice", where),
        exec_qty=_dec(item, "execQty", where),
        exec_value=_dec(item, "execValue", where, "0"),
        exec_fee=_dec(item, "execFee", where, "0"),
        fee_currency=_str(item, "feeCurrency", where, ""),
        is_maker=maker is True or str(maker).lower() == "true",
        exec_time_ms=_int(item, "execTime", where),
    )


def parse_wallet(result: Mapping[str, object]) -> dict[str, CoinBalance]:
    """Parse ``account/wallet-balance`` (UNIFIED) into coin -> balance."""
    where = "wallet-balance"
    balances: dict[str, CoinBalance] = {}
    for account in result_list(result, where):
        coins = account.get("coin", [])
        if not isinstance(coins, list):
            raise BybitApiError(f"malformed {where} payload: 'coin' is not an array")
        for raw in coins:
            coin = _mapping(raw, where)
            name = _str(coin, "coin", where)
            balances[name] = CoinBalance(
                coin=name,
                wallet_balance=_dec(coin, "walletBalance", where),
                locked=_dec(coin, "locked", where, "0"),
                equity=_dec(coin, "equity", where, "0"),
            )
    return balances


def _datetime(text: str) -> datetime | None:
    if not text or text.startswith("1970-01-01"):
        return None  # Bybit's "no expiry" sentinel
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        raise BybitApiError(f"malformed query-api payload: {text!r} is not a timestamp") from None


def parse_api_key_info(result: Mapping[str, object]) -> ApiKeyInfo:
    """Parse ``user/query-api``."""
    where = "query-api"
    raw_permissions = _mapping(result.get("permissions", {}), where)
    permissions = {
        group: tuple(str(p) for p in values) if isinstance(values, list) else ()
        for group, values in raw_permissions.items()
    }
    ips = result.get("ips", [])
    deadline = result.get("deadlineDay")
    return ApiKeyInfo(
        api_key=_str(result, "apiKey", where, ""),
        read_only=_int(result, "readOnly", where) == 1,
        permissions=MappingProxyType(permissions),
        ips=tuple(str(ip) for ip in ips) if isinstance(ips, list) else (),
        uid=_str(result, "userID", where),
        is_master=result.get("isMaster") is True,
        parent_uid=_str(result, "parentUid", where, "0"),
        expired_at=_datetime(_str(result, "expiredAt", where, "")),
        deadline_day=int(str(deadline)) if deadline not in (None, "") else None,
        created_at=_datetime(_str(result, "createdAt", where, "")),
        uta=_int(result, "uta", where, "0") == 1,
        note=_str(result, "note", where, ""),
    )
