"""The seeded market: instruments, a GBM-like price path per symbol, candles, and a book around mid."""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_UP, Decimal
from typing import Any

from preflight.errors import UsageError
from preflight.simulator.wire import fmt

HISTORY_CANDLES = 300
BOOK_LEVELS = 10
_QUOTE_DEPTH_PER_LEVEL = 40_000.0  # USDT of resting size per book level, before the random factor


@dataclass(frozen=True)
class Instrument:
    """A spot instrument's trading rules, as instruments-info publishes them."""

    symbol: str
    base_coin: str
    quote_coin: str
    start_price: Decimal
    tick_size: Decimal
    base_precision: Decimal
    quote_precision: Decimal = Decimal("0.0000001")
    min_order_qty: Decimal = Decimal("0.000011")
    max_order_qty: Decimal = Decimal("83")
    min_order_amt: Decimal = Decimal("5")
    max_order_amt: Decimal = Decimal("8000000")
    volatility: float = 0.0015  # standard deviation of the log return per tick
    price_limit_ratio_x: Decimal = Decimal("0.005")
    price_limit_ratio_y: Decimal = Decimal("0.01")

    @property
    def max_limit_order_qty(self) -> Decimal:
        """Return the largest base quantity of one limit order (maxLimitOrderQty)."""
        return self.max_order_qty

    @property
    def max_market_order_qty(self) -> Decimal:
        """Return the largest base quantity of one market order (maxMarketOrderQty)."""
        return self.max_order_qty / 2

    def info(self) -> dict[str, Any]:
        """Return this instrument's instruments-info list item (numbers as strings)."""
        return {
            "symbol": self.symbol,
            "baseCoin": self.base_coin,
            "quoteCoin": self.quote_coin,
            "innovation": "0",
            "status": "Trading",
            "marginTrading": "utaOnly",
            "stTag": "0",
            "lotSizeFilter": {
                "basePrecision": fmt(self.base_precision),
                "quotePrecision": fmt(self.quote_precision),
                "minOrderQty": fmt(self.min_order_qty),
                "maxOrderQty": fmt(self.max_order_qty),
                "minOrderAmt": fmt(self.min_order_amt),
                "maxOrderAmt": fmt(self.max_order_amt),
                "maxLimitOrderQty": fmt(self.max_limit_order_qty),
                "maxMarketOrderQty": fmt(self.max_market_order_qty),
                "postOnlyMaxLimitOrderSize": "60000",
            },
            "priceFilter": {"tickSize": fmt(self.tick_size)},
            "riskParameters": {
                "priceLimitRatioX": fmt(self.price_limit_ratio_x),
                "priceLimitRatioY": fmt(self.price_limit_ratio_y),
            },
            "symbolType": "",
        }


_KNOWN: dict[str, Instrument] = {
    "BTCUSDT": Instrument(
        "BTCUSDT", "BTC", "USDT", Decimal("60000"), Decimal("0.1"), Decimal("0.000001"),
    ),
    "ETHUSDT": Instrument(
        "ETHUSDT", "ETH", "USDT", Decimal("3000"), Decimal("0.01"), Decimal("0.00001"),
        min_order_qty=Decimal("0.00062"), max_order_qty=Decimal("1229.2336343"), volatility=0.002,
    ),
    "SOLUSDT": Instrument(
        "SOLUSDT", "SOL", "USDT", Decimal("150"), Decimal("0.01"), Decimal("0.001"),
        min_order_qty=Decimal("0.01"), max_order_qty=Decimal("50000"), volatility=0.0025,
    ),
}  # fmt: skip


def instrument_for(symbol: str) -> Instrument:
    """Return the instrument for ``symbol``: a known one, or a generic ``<BASE>USDT`` at 100 USDT."""
    known = _KNOWN.get(symbol)
    if known is not None:
        return known
    if not symbol.endswith("USDT") or len(symbol) <= 4 or not symbol.isalnum() or not symbol.isupper():
        raise UsageError(f"unsupported simulator symbol {symbol!r}; use a spot <BASE>USDT pair")
    return Instrument(
        symbol,
        symbol[:-4],
        "USDT",
        Decimal("100"),
        Decimal("0.01"),
        Decimal("0.001"),
        min_order_qty=Decimal("0.001"),
        max_order_qty=Decimal("100000"),
    )


@dataclass(frozen=True)
class Candle:
    """One kline: start time (ms) and OHLC, base volume, quote turnover."""

    start_ms: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    turnover: Decimal

    def row(self) -> list[str]:
        """Return the kline list row ``[startTime, open, high, low, close, volume, turnover]``."""
        return [
            str(self.start_ms),
            fmt(self.open),
            fmt(self.high),
            fmt(self.low),
            fmt(self.close),
            fmt(self.volume),
            fmt(self.turnover),
        ]


@dataclass(frozen=True)
class BookLevel:
    """One price level of the book."""

    price: Decimal
    size: Decimal


@dataclass(frozen=True)
class Book:
    """A book snapshot: bids best (highest) first, asks best (lowest) first."""

    bids: tuple[BookLevel, ...]
    asks: tuple[BookLevel, ...]
    update_id: int


def _round(value: float, step: Decimal, rounding: str = ROUND_DOWN) -> Decimal:
    return (Decimal(repr(value)) / step).to_integral_value(rounding=rounding) * step


class SymbolMarket:
    """One symbol's seeded price path: candles oldest first, the current book, and advance()."""

    def __init__(self, instrument: Instrument, seed: int, start_ms: int, interval_ms: int) -> None:
        self.instrument = instrument
        self.interval_ms = interval_ms
        # str seeds are hashed by random.Random deterministically (unlike hash() of a str).
        self._rng = random.Random(f"market:{seed}:{instrument.symbol}")
        self._price = float(instrument.start_price)
        self.candles: list[Candle] = []
        self._day = _DayWindow(max(1, 86_400_000 // interval_ms))
        self._next_start = start_ms - HISTORY_CANDLES * interval_ms
        for _ in range(HISTORY_CANDLES):
            self._step()
        self.book = self._make_book(0)
        self._ticker: tuple[int, dict[str, Any]] | None = None  # (book update id, item): one sum per tick

    @property
    def last_price(self) -> Decimal:
        """Return the last traded price (the latest candle's close)."""
        return self.candles[-1].close

    def _step(self) -> Candle:
        inst, rng = self.instrument, self._rng
        sigma = inst.volatility
        open_ = self._price
        self._price = open_ * math.exp(rng.gauss(-0.5 * sigma * sigma, sigma))
        close = self._price
        high = max(open_, close) * (1 + abs(rng.gauss(0, sigma / 2)))
        low = min(open_, close) * (1 - abs(rng.gauss(0, sigma / 2)))
        volume = _round(rng.uniform(0.5, 3.0) * 200_000 / close, inst.base_precision)
        o, h = _round(open_, inst.tick_size), _round(high, inst.tick_size, ROUND_UP)
        lo, c = _round(low, inst.tick_size), _round(close, inst.tick_size)
        turnover = (volume * (o + c) / 2).quantize(inst.quote_precision)
        candle = Candle(self._next_start, o, h, lo, c, volume, turnover)
        self._next_start += self.interval_ms
        self.candles.append(candle)
        self._day.push(self.candles)
        return candle

    def _make_book(self, update_id: int) -> Book:
        inst, rng = self.instrument, self._rng
        tick = inst.tick_size
        mid = self._price
        half_spread = max(float(tick), mid * 0.00005)
        best_bid = _round(mid - half_spread, tick)
        best_ask = _round(mid + half_spread, tick, ROUND_UP)
        if best_ask <= best_bid:
            best_ask = best_bid + tick
        step = max(tick, _round(mid * 0.0001, tick))
        bids, asks = [], []
        for level in range(BOOK_LEVELS):
            bid_size = _round(_QUOTE_DEPTH_PER_LEVEL * rng.uniform(0.3, 1.7) / mid, inst.base_precision)
            ask_size = _round(_QUOTE_DEPTH_PER_LEVEL * rng.uniform(0.3, 1.7) / mid, inst.base_precision)
            bids.append(BookLevel(best_bid - step * level, max(bid_size, inst.base_precision)))
            asks.append(BookLevel(best_ask + step * level, max(ask_size, inst.base_precision)))
        return Book(tuple(bids), tuple(asks), update_id)

    def advance(self) -> Candle:
        """Move one tick: append a candle and rebuild the book around the new mid."""
        candle = self._step()
        self.book = self._make_book(self.book.update_id + 1)
        return candle

    def ticker(self) -> dict[str, Any]:
        """Return the tickers list item, the 24 h figures taken over the candles of the last day."""
        cached = self._ticker
        if cached is not None and cached[0] == self.book.update_id:
            return dict(cached[1])
        item = self._ticker_item()
        self._ticker = (self.book.update_id, item)
        return dict(item)

    def _ticker_item(self) -> dict[str, Any]:
        day = self._day
        last, prev = self.last_price, day.first_open(self.candles)
        return {
            "symbol": self.instrument.symbol,
            "bid1Price": fmt(self.book.bids[0].price),
            "bid1Size": fmt(self.book.bids[0].size),
            "ask1Price": fmt(self.book.asks[0].price),
            "ask1Size": fmt(self.book.asks[0].size),
            "lastPrice": fmt(last),
            "prevPrice24h": fmt(prev),
            "price24hPcnt": fmt(((last - prev) / prev).quantize(Decimal("0.0001"))),
            "highPrice24h": fmt(day.high),
            "lowPrice24h": fmt(day.low),
            "turnover24h": fmt(day.turnover),
            "volume24h": fmt(day.volume),
            "usdIndexPrice": fmt(last),
        }


class _DayWindow:
    """Running 24 h figures over the last ``size`` candles, updated in O(1) per new candle.

    Why: the tickers endpoint is the hottest of a session (one call per symbol per tick) and summing a
    day of candles with Decimal on each answer cost more than the rest of the answer. Decimal addition
    and subtraction of these fixed-precision values is exact, so the running sums equal fresh sums; the
    high and low come from monotonic queues that keep the earliest of equal values, as max()/min() do.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.volume = Decimal(0)
        self.turnover = Decimal(0)
        self._highs: deque[tuple[int, Decimal]] = deque()  # (index, high), highs strictly decreasing
        self._lows: deque[tuple[int, Decimal]] = deque()  # (index, low), lows strictly increasing

    def push(self, candles: list[Candle]) -> None:
        """Take in the newest candle of ``candles`` and let the one a day older drop out."""
        index = len(candles) - 1
        candle = candles[index]
        self.volume += candle.volume
        self.turnover += candle.turnover
        oldest = index - self.size  # the candle that just left the window, if any
        if oldest >= 0:
            self.volume -= candles[oldest].volume
            self.turnover -= candles[oldest].turnover
        highs, lows = self._highs, self._lows
        while highs and highs[-1][1] < candle.high:
            highs.pop()
        highs.append((index, candle.high))
        while lows and lows[-1][1] > candle.low:
            lows.pop()
        lows.append((index, candle.low))
        while highs[0][0] <= oldest:
            highs.popleft()
        while lows[0][0] <= oldest:
            lows.popleft()

    @property
    def high(self) -> Decimal:
        """Return the highest high of the window."""
        return self._highs[0][1]

    @property
    def low(self) -> Decimal:
        """Return the lowest low of the window."""
        return self._lows[0][1]

    def first_open(self, candles: list[Candle]) -> Decimal:
        """Return the open of the window's oldest candle."""
        return candles[max(0, len(candles) - self.size)].open


def aggregate(candles: Iterable[Candle], bucket_ms: int) -> list[Candle]:
    """Merge consecutive candles into buckets of ``bucket_ms`` aligned on multiples of it."""
    merged: list[Candle] = []
    for candle in candles:
        start = candle.start_ms - candle.start_ms % bucket_ms
        if merged and merged[-1].start_ms == start:
            prev = merged[-1]
            merged[-1] = Candle(
                start,
                prev.open,
                max(prev.high, candle.high),
                min(prev.low, candle.low),
                candle.close,
                prev.volume + candle.volume,
                prev.turnover + candle.turnover,
            )
        else:
            merged.append(Candle(start, *(getattr(candle, f) for f in _OHLCVT)))
    return merged


_OHLCVT = ("open", "high", "low", "close", "volume", "turnover")
