"""Signed endpoints: orders (create, amend, cancel, cancel-all, queries), executions, balance, key info."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from preflight.simulator.accounts import Account, query_api_result
from preflight.simulator.auth import require_spot_trade
from preflight.simulator.orders import Order
from preflight.simulator.routes_market import CATEGORIES, int_param
from preflight.simulator.validation import require_spot, text_param
from preflight.simulator.venue import Venue
from preflight.simulator.wire import ApiError, fmt, is_digits

T = TypeVar("T")
RECENT_CLOSED = 500
WEEK_MS = 7 * 86_400_000  # the longest startTime..endTime window of history and executions


def paginate(
    items: Sequence[T], params: Mapping[str, object], default: int, high: int
) -> tuple[list[T], str]:
    """Return one page of ``items`` and the cursor of the next page ("" on the last page)."""
    limit = int_param(params, "limit", default, 1, high)
    cursor = text_param(params, "cursor")
    offset = int(cursor) if is_digits(cursor) else 0
    page = list(items[offset : offset + limit])
    more = offset + limit < len(items)
    return page, str(offset + limit) if more else ""


def time_window(params: Mapping[str, object], now_ms: int) -> tuple[int, int]:
    """Return the inclusive [startTime, endTime] a history query covers, as Bybit documents it.

    Neither given: the last 7 days; only startTime: startTime + 7 days; only endTime: the 7 days
    before it; both: at most 7 days apart (notes, section 6).
    """
    start_text, end_text = text_param(params, "startTime"), text_param(params, "endTime")
    for name, text in (("startTime", start_text), ("endTime", end_text)):
        if text and not is_digits(text):
            raise ApiError(10001, f"params error: {name} must be a timestamp in milliseconds")
    if not start_text and not end_text:
        return now_ms - WEEK_MS, now_ms
    if not start_text:
        return int(end_text) - WEEK_MS, int(end_text)
    start = int(start_text)
    end = int(end_text) if end_text else start + WEEK_MS
    if end < start:
        raise ApiError(10001, "params error: endTime must not be before startTime")
    if end - start > WEEK_MS:
        raise ApiError(10001, "params error: the time between startTime and endTime must be at most 7 days")
    return start, end


def keyset_page(
    items: Sequence[T], key: Callable[[T], int], params: Mapping[str, object], default: int, high: int
) -> tuple[list[T], str]:
    """Return one page of ``items`` (newest first) after ``cursor``, and the next page's cursor.

    The cursor is the key of the last item returned, so items created between two calls never shift a
    page, the way an incremental poller needs it.
    """
    limit = int_param(params, "limit", default, 1, high)
    cursor = text_param(params, "cursor")
    if cursor and not is_digits(cursor):
        raise ApiError(10001, "params error: cursor is invalid")
    after = [item for item in items if not cursor or key(item) < int(cursor)]
    page = after[:limit]
    return page, str(key(page[-1])) if len(after) > limit else ""


def _ack(order: Order) -> dict[str, str]:
    """Return the ``{orderId, orderLinkId}`` acknowledgement order endpoints answer with."""
    return {"orderId": order.order_id, "orderLinkId": order.order_link_id}


def order_create(venue: Venue, account: Account, params: Mapping[str, object], now_ms: int) -> Any:
    """Answer POST /v5/order/create."""
    require_spot_trade(account)
    return _ack(venue.engine.place(account.uid, params, now_ms))


def order_cancel(venue: Venue, account: Account, params: Mapping[str, object], now_ms: int) -> Any:
    """Answer POST /v5/order/cancel."""
    require_spot_trade(account)
    return _ack(venue.engine.cancel(account.uid, params, now_ms))


def order_amend(venue: Venue, account: Account, params: Mapping[str, object], now_ms: int) -> Any:
    """Answer POST /v5/order/amend."""
    require_spot_trade(account)
    return _ack(venue.engine.amend(account.uid, params, now_ms))


def order_cancel_all(venue: Venue, account: Account, params: Mapping[str, object], now_ms: int) -> Any:
    """Answer POST /v5/order/cancel-all: the cancelled orders, and spot's ``success`` flag."""
    require_spot_trade(account)
    cancelled = venue.engine.cancel_all(account.uid, params, now_ms)
    return {
        "list": [_ack(o) for o in cancelled],
        "success": "1",
    }


def _not_traded(params: Mapping[str, object]) -> dict[str, Any] | None:
    """Return the empty page a query of a category the simulator does not trade answers, else None.

    No order or fill can exist outside spot here, so linear, inverse and option queries are well-formed
    and empty; a missing or unknown category is 10001.
    """
    category = text_param(params, "category")
    if category in CATEGORIES and category != "spot":
        return {"category": category, "list": [], "nextPageCursor": ""}
    require_spot(params)
    return None


def _matches(order: Order, params: Mapping[str, object]) -> bool:
    symbol = text_param(params, "symbol")
    base = text_param(params, "baseCoin")
    return (not symbol or order.symbol == symbol) and (not base or order.symbol.startswith(base))


def _by_id(venue: Venue, account: Account, params: Mapping[str, object]) -> list[Order] | None:
    order_id, link_id = text_param(params, "orderId"), text_param(params, "orderLinkId")
    if not order_id and not link_id:
        return None
    found = venue.engine.find(account.uid, order_id, link_id)
    return [found] if found is not None else []


def order_realtime(venue: Venue, account: Account, params: Mapping[str, object], now_ms: int) -> Any:
    """Answer GET /v5/order/realtime: open orders, or recent closed ones with openOnly=1.

    Asked by orderId/orderLinkId it also returns a recently closed order, so a client can reconcile an
    order whose create call had an ambiguous outcome.
    """
    if (empty := _not_traded(params)) is not None:
        return empty
    chosen = _by_id(venue, account, params)
    if chosen is None:
        open_only = text_param(params, "openOnly") or "0"
        if open_only not in ("0", "1"):
            raise ApiError(10001, "params error: openOnly must be 0 or 1")
        wanted_open = open_only == "0"
        orders = venue.engine.orders(account.uid)
        chosen = [o for o in orders if o.is_open == wanted_open and _matches(o, params)]
        if not wanted_open:
            chosen = chosen[:RECENT_CLOSED]
    page, cursor = paginate(chosen, params, 20, 50)
    return {"category": "spot", "list": [o.wire() for o in page], "nextPageCursor": cursor}


def order_history(venue: Venue, account: Account, params: Mapping[str, object], now_ms: int) -> Any:
    """Answer GET /v5/order/history: every order of the account, newest first, with filters."""
    if (empty := _not_traded(params)) is not None:
        return empty
    status = text_param(params, "orderStatus")
    start, end = time_window(params, now_ms)
    chosen = _by_id(venue, account, params)
    if chosen is None:
        chosen = [o for o in venue.engine.orders(account.uid) if _matches(o, params)]
    chosen = [o for o in chosen if (not status or o.status == status) and start <= o.created_ms <= end]
    page, cursor = keyset_page(chosen, _order_key, params, 20, 50)
    return {"category": "spot", "list": [o.wire() for o in page], "nextPageCursor": cursor}


def _order_key(order: Order) -> int:
    return int(order.order_id)  # ids grow with every order placed


def execution_list(venue: Venue, account: Account, params: Mapping[str, object], now_ms: int) -> Any:
    """Answer GET /v5/execution/list: the account's fills, newest first."""
    if (empty := _not_traded(params)) is not None:
        return empty
    symbol = text_param(params, "symbol")
    order_id, link_id = text_param(params, "orderId"), text_param(params, "orderLinkId")
    start, end = time_window(params, now_ms)
    chosen = [
        e
        for e in venue.engine.executions(account.uid)
        if (not symbol or e.symbol == symbol)
        and (not order_id or e.order_id == order_id)
        and (not link_id or e.order_link_id == link_id)
        and start <= e.exec_time_ms <= end
    ]
    page, cursor = keyset_page(chosen, lambda e: e.seq, params, 50, 100)
    return {"category": "spot", "list": [e.wire() for e in page], "nextPageCursor": cursor}


def wallet_balance(venue: Venue, account: Account, params: Mapping[str, object], now_ms: int) -> Any:
    """Answer GET /v5/account/wallet-balance (accountType=UNIFIED; without coin, non-zero coins only)."""
    if text_param(params, "accountType") != "UNIFIED":
        raise ApiError(10001, "accountType only support UNIFIED.")
    wanted = [c for c in text_param(params, "coin").split(",") if c]
    ledger, uid = venue.ledger, account.uid
    coins = wanted or [c for c in ledger.coins(uid) if ledger.wallet(uid, c)]
    items: list[dict[str, Any]] = []
    total = available = Decimal(0)
    for coin in coins:
        wallet, locked = ledger.wallet(uid, coin), ledger.locked(uid, coin)
        usd = wallet * venue.usd_price(coin)
        total += usd
        available += (wallet - locked) * venue.usd_price(coin)
        items.append(_coin_item(coin, wallet, locked, usd))
    summary = {
        "accountType": "UNIFIED",
        "totalEquity": fmt(total),
        "totalWalletBalance": fmt(total),
        "totalMarginBalance": fmt(total),
        "totalAvailableBalance": fmt(available),
        "totalPerpUPL": "0",
        "totalInitialMargin": "0",
        "totalMaintenanceMargin": "0",
        "accountIMRate": "0",
        "accountMMRate": "0",
        "accountLTV": "0",
        "coin": items,
    }
    return {"list": [summary]}


def _coin_item(coin: str, wallet: Decimal, locked: Decimal, usd: Decimal) -> dict[str, Any]:
    return {
        "coin": coin,
        "equity": fmt(wallet),
        "usdValue": fmt(usd),
        "walletBalance": fmt(wallet),
        "free": "",
        "locked": fmt(locked),
        "spotHedgingQty": "0",
        "borrowAmount": "0",
        "availableToWithdraw": "",
        "availableToBorrow": "",
        "accruedInterest": "0",
        "totalOrderIM": "0",
        "totalPositionIM": "0",
        "totalPositionMM": "0",
        "unrealisedPnl": "0",
        "cumRealisedPnl": "0",
        "bonus": "0",
        "collateralSwitch": True,
        "marginCollateral": True,
        "spotBorrow": "0",
    }


def query_api(venue: Venue, account: Account, params: Mapping[str, object], now_ms: int) -> Any:
    """Answer GET /v5/user/query-api (any permission may call it)."""
    return query_api_result(account, now_ms)
