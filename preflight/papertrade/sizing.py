"""Turn an order intent into an order the instrument accepts: lot size, tick size, minimums, free balance."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from preflight.exchange.bybit.wire import Instrument
from preflight.papertrade.strategies import OrderIntent, Side

# Spot cannot spend what the account does not hold; buys keep 1% headroom for fees and slippage.
BUY_HEADROOM = Decimal("1.01")


@dataclass
class Resting:
    """A limit order of the session that still rests on the book (mutable: fills accumulate)."""

    strategy: str
    symbol: str
    side: Side
    price: float
    qty: Decimal
    filled: Decimal = Decimal(0)


@dataclass(frozen=True)
class Sized:
    """The exchange-ready size of an intent: a quantity and, for a limit order, its price."""

    qty: Decimal
    price: Decimal | None


def locked(resting: Iterable[Resting], instruments: Mapping[str, Instrument], coin: str) -> Decimal:
    """Return how much of ``coin`` the resting orders hold (quote for buys, base for sells)."""
    total = Decimal(0)
    for order in resting:
        instrument = instruments[order.symbol]
        left = order.qty - order.filled
        if order.side is Side.BUY and coin == instrument.quote_coin:
            total += left * Decimal(repr(order.price))
        elif order.side is Side.SELL and coin == instrument.base_coin:
            total += left
    return total


def _step(value: float, step: Decimal, rounding: str) -> Decimal:
    return (Decimal(repr(value)) / step).to_integral_value(rounding) * step


def size_intent(
    intent: OrderIntent, price: float, instrument: Instrument, free: Mapping[str, Decimal]
) -> Sized | None:
    """Size ``intent`` at ``price`` (a limit at its own price); None when the exchange would refuse it."""
    reference = intent.price or price
    qty = _step(intent.notional / reference, instrument.base_precision, ROUND_FLOOR)
    limit = None
    if intent.price is not None:  # buys round down, sells up: never a worse price than the strategy asked
        rounding = ROUND_FLOOR if intent.side is Side.BUY else ROUND_CEILING
        limit = _step(intent.price, instrument.tick_size, rounding)
    value = qty * Decimal(repr(reference))
    if qty < instrument.min_order_qty or qty > instrument.max_order_qty or value < instrument.min_order_amt:
        return None
    if intent.side is Side.BUY and free.get(instrument.quote_coin, Decimal(0)) < value * BUY_HEADROOM:
        return None
    if intent.side is Side.SELL and free.get(instrument.base_coin, Decimal(0)) < qty:
        return None
    return Sized(qty, limit)
