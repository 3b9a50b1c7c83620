"""Public endpoints: time, instruments-info, tickers, kline, orderbook, recent-trade, price-limit, status."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from preflight.simulator.market import aggregate
from preflight.simulator.validation import text_param
from preflight.simulator.venue import Venue
from preflight.simulator.wire import ApiError, fmt, is_digits

_INTERVAL_SECONDS = {
    "1": 60, "3": 180, "5": 300, "15": 900, "30": 1800, "60": 3600, "120": 7200, "240": 14400,
    "360": 21600, "720": 43200, "D": 86400, "W": 604800, "M": 2_592_000,
}  # fmt: skip


# Bybit's product categories; the simulator trades spot only and lists no instrument in the others.
CATEGORIES = ("spot", "linear", "inverse", "option")
SPOT_BOOK_DEPTH = 1000  # docs orderbook.mdx: spot limit [1, 1000]
RECENT_TRADES = 60  # docs recent-trade.mdx: spot limit [1, 60], default 60


def _category(params: Mapping[str, object]) -> str:
    """Return the category asked for; 10001 when it is missing or not one of Bybit's four."""
    category = text_param(params, "category")
    if not category:
        raise ApiError(10001, "params error: category is empty")
    if category not in CATEGORIES:
        raise ApiError(10001, f"params error: category {category} is invalid")
    return category


def _spot_only(params: Mapping[str, object], default: str | None = None) -> None:
    category = text_param(params, "category") or default
    if not category:
        raise ApiError(10001, "params error: category is empty")
    if category != "spot":
        raise ApiError(10001, f"params error: category {category} is not served by the simulator; use spot")


def int_param(params: Mapping[str, object], name: str, default: int, low: int, high: int) -> int:
    """Return an integer parameter within [low, high]; 10001 when it is not a number or out of range."""
    raw = text_param(params, name)
    if raw == "":
        return default
    if not is_digits(raw.removeprefix("-")) or not low <= int(raw) <= high:
        raise ApiError(10001, f"params error: {name} must be an integer in [{low}, {high}]")
    return int(raw)


def market_time(venue: Venue, params: Mapping[str, object], now_ms: int) -> Any:
    """Answer GET /v5/market/time."""
    return {"timeSecond": str(now_ms // 1000), "timeNano": str(now_ms * 1_000_000)}


def instruments_info(venue: Venue, params: Mapping[str, object], now_ms: int) -> Any:
    """Answer GET /v5/market/instruments-info (spot; no pagination, as on Bybit).

    linear, inverse and option answer a well-formed empty list: the simulator lists nothing there.
    """
    category = _category(params)
    if category != "spot":
        return {"category": category, "list": [], "nextPageCursor": ""}
    symbol = text_param(params, "symbol")
    status = text_param(params, "status")
    items = [
        market.instrument.info()
        for name, market in venue.markets.items()
        if (not symbol or name == symbol) and status in ("", "Trading")
    ]
    return {"category": "spot", "list": items, "nextPageCursor": ""}


def tickers(venue: Venue, params: Mapping[str, object], now_ms: int) -> Any:
    """Answer GET /v5/market/tickers (category required; empty for the categories not traded)."""
    category = _category(params)
    if category != "spot":
        return {"category": category, "list": []}
    symbol = text_param(params, "symbol")
    if symbol and symbol not in venue.markets:
        raise ApiError(10001, "Not supported symbols")
    items = [m.ticker() for name, m in venue.markets.items() if not symbol or name == symbol]
    return {"category": "spot", "list": items}


def kline(venue: Venue, params: Mapping[str, object], now_ms: int) -> Any:
    """Answer GET /v5/market/kline: newest first; category defaults to linear as on Bybit."""
    _spot_only(params, default="linear")
    symbol = text_param(params, "symbol")
    market = venue.markets.get(symbol)
    if market is None:
        raise ApiError(10001, "Not supported symbols")
    seconds = _INTERVAL_SECONDS.get(text_param(params, "interval"))
    bucket_ms = seconds * 1000 if seconds else 0
    if not bucket_ms or bucket_ms < market.interval_ms or bucket_ms % market.interval_ms:
        raise ApiError(10001, "Invalid period!")
    limit = int_param(params, "limit", 200, 1, 1000)
    start = int_param(params, "start", 0, 0, 2**62)
    end = int_param(params, "end", 2**62, 0, 2**62)
    series = venue.candles(symbol, now_ms)
    candles = series if bucket_ms == market.interval_ms else aggregate(series, bucket_ms)
    rows = [c.row() for c in reversed(candles) if start <= c.start_ms <= end]
    return {"symbol": symbol, "category": "spot", "list": rows[:limit]}


def orderbook(venue: Venue, params: Mapping[str, object], now_ms: int) -> Any:
    """Answer GET /v5/market/orderbook: spot depth [1, 1000], default 1; bids descending, asks ascending."""
    _spot_only(params)
    market = venue.markets.get(text_param(params, "symbol"))
    if market is None:
        raise ApiError(10001, "Not supported symbols")
    depth = int_param(params, "limit", 1, 1, SPOT_BOOK_DEPTH)
    book = market.book
    return {
        "s": market.instrument.symbol,
        "b": [[fmt(level.price), fmt(level.size)] for level in book.bids[:depth]],
        "a": [[fmt(level.price), fmt(level.size)] for level in book.asks[:depth]],
        "ts": now_ms,
        "u": book.update_id + 1,
        "seq": book.update_id + 1_000_000,
        "cts": now_ms,
    }


def recent_trade(venue: Venue, params: Mapping[str, object], now_ms: int) -> Any:
    """Answer GET /v5/market/recent-trade: the public tape, newest first (spot limit [1, 60])."""
    _spot_only(params)
    symbol = text_param(params, "symbol")
    market = venue.markets.get(symbol)
    if market is None:
        raise ApiError(10001, "Not supported symbols")
    limit = int_param(params, "limit", RECENT_TRADES, 1, RECENT_TRADES)
    return {"category": "spot", "list": venue.public_trades(symbol, limit)}


def price_limit(venue: Venue, params: Mapping[str, object], now_ms: int) -> Any:
    """Answer GET /v5/market/price-limit: the highest buy and lowest sell price accepted right now."""
    _spot_only(params, default="linear")
    market = venue.markets.get(text_param(params, "symbol"))
    if market is None:
        raise ApiError(10001, "Not supported symbols")
    highest, lowest = venue.engine.price_limits(market)
    return {
        "symbol": market.instrument.symbol,
        "buyLmt": fmt(highest),
        "sellLmt": fmt(lowest),
        "ts": str(now_ms),
    }


def system_status(venue: Venue, params: Mapping[str, object], now_ms: int) -> Any:
    """Answer GET /v5/system/status: no maintenance, past or planned (docs system-status.mdx)."""
    return {"list": []}
