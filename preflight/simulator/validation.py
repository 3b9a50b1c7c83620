"""Validation of order parameters with Bybit's spot retCodes (lot size, tick size, min notional)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_UP, Decimal, InvalidOperation

from preflight.simulator.market import Instrument
from preflight.simulator.wire import ApiError, fmt

_LINK_ID = re.compile(r"^[A-Za-z0-9_-]{1,36}$")
_TIME_IN_FORCE = ("GTC", "IOC", "FOK", "PostOnly")
_ORDER_FILTERS = ("Order", "tpslOrder", "StopOrder")
# Parameters that make a spot order conditional or TP/SL (docs create-order.mdx); any non-empty value
# other than Bybit's "0" means "this is not a plain order" (docs/bybit_v5_simulator_notes.md, 4).
_CONDITIONAL_FIELDS = ("triggerPrice", "takeProfit", "stopLoss", "tpLimitPrice", "slLimitPrice")


@dataclass(frozen=True)
class OrderIntent:
    """A create-order request that passed parameter validation (not yet balance or book checks)."""

    symbol: str
    side: str
    order_type: str
    qty: Decimal
    price: Decimal | None
    time_in_force: str
    market_unit: str
    order_link_id: str


def require_spot(params: Mapping[str, object]) -> None:
    """Raise 10001 unless ``category`` is ``spot`` (the simulator serves spot only)."""
    category = params.get("category")
    if category is None or category == "":
        raise ApiError(10001, "params error: category is empty")
    if category != "spot":
        raise ApiError(10001, f"params error: category {category} is not supported, only spot")


def text_param(params: Mapping[str, object], name: str) -> str:
    """Return parameter ``name`` as text ("" when absent); numbers are accepted as sent."""
    value = params.get(name)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def decimal_param(params: Mapping[str, object], name: str) -> Decimal:
    """Return parameter ``name`` as a positive finite decimal, else 170130."""
    raw = text_param(params, name)
    if raw == "":
        raise ApiError(170105, f"Parameter '{name}' was empty.")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value <= 0:
        raise ApiError(170130, f"Data sent for paramter '{name}' is not valid.")
    return value


def _off_step(value: Decimal, step: Decimal) -> bool:
    return value % step != 0


def refuse_unsimulated(params: Mapping[str, object]) -> None:
    """Refuse, with Bybit's codes, the spot order kinds the simulator does not simulate.

    Margin (``isLeverage=1``): 170036, what Bybit answers an account without cross margin enabled.
    Conditional and TP/SL orders (``orderFilter`` StopOrder/tpslOrder, a trigger, TP or SL price):
    170227 "This feature is not supported." -- never executed as a plain order.
    See docs/bybit_v5_simulator_notes.md, section 4.
    """
    leverage = text_param(params, "isLeverage") or "0"
    if leverage not in ("0", "1"):
        raise ApiError(10001, "params error: isLeverage must be 0 or 1")
    if leverage == "1":
        raise ApiError(
            170036,
            "You haven't enabled Cross Margin Trading yet. To do so, please head to the PC trading site "
            "or the Bybit app",
        )
    order_filter = text_param(params, "orderFilter") or "Order"
    if order_filter not in _ORDER_FILTERS:
        raise ApiError(170202, "Invalid orderFilter parameter.")
    conditional = [name for name in _CONDITIONAL_FIELDS if text_param(params, name) not in ("", "0")]
    if order_filter != "Order" or conditional:
        raise ApiError(170227, "This feature is not supported.")


def parse_create(params: Mapping[str, object], instrument: Instrument) -> OrderIntent:
    """Validate a create-order body for ``instrument``; raise the ApiError Bybit would answer with."""
    refuse_unsimulated(params)
    side = text_param(params, "side")
    if side not in ("Buy", "Sell"):
        raise ApiError(170117, "Invalid side.")
    order_type = text_param(params, "orderType")
    if order_type not in ("Market", "Limit"):
        raise ApiError(170116, "Invalid orderType.")
    tif = text_param(params, "timeInForce") or "GTC"
    if tif not in _TIME_IN_FORCE:
        raise ApiError(170115, "Invalid timeInForce.")
    link_id = text_param(params, "orderLinkId")
    if link_id and not _LINK_ID.match(link_id):
        raise ApiError(10001, "params error: orderLinkId must be 1-36 letters, digits, '-' or '_'")
    qty = decimal_param(params, "qty")
    price: Decimal | None = None
    market_unit = ""
    if order_type == "Limit":
        price = decimal_param(params, "price")
        if _off_step(price, instrument.tick_size):
            raise ApiError(170134, "Order price decimal too long.")
    else:
        tif = "IOC"  # market orders are always IOC
        market_unit = text_param(params, "marketUnit") or ("quoteCoin" if side == "Buy" else "baseCoin")
        if market_unit not in ("baseCoin", "quoteCoin"):
            raise ApiError(10001, "params error: marketUnit must be baseCoin or quoteCoin")
    if market_unit == "quoteCoin":
        if _off_step(qty, instrument.quote_precision):
            raise ApiError(170148, "Market order amount decimal too long.")
    else:
        if _off_step(qty, instrument.base_precision):
            raise ApiError(170137, "Order volume decimal too long.")
        # minOrderQty/maxOrderQty are deprecated ("no longer check minOrderQty, check minOrderAmt
        # instead"); the order value is checked in check_notional. The per-type maxima still apply.
        ceiling = instrument.max_limit_order_qty if order_type == "Limit" else instrument.max_market_order_qty
        if qty > ceiling:
            raise ApiError(170124, "Order amount too large.")
    return OrderIntent(instrument.symbol, side, order_type, qty, price, tif, market_unit, link_id)


def parse_amend(
    params: Mapping[str, object], instrument: Instrument, qty: Decimal, price: Decimal, filled: Decimal
) -> tuple[Decimal, Decimal]:
    """Return the amended (qty, price) of a resting limit order; 10001 when nothing changes."""
    new_qty = decimal_param(params, "qty") if text_param(params, "qty") else qty
    new_price = decimal_param(params, "price") if text_param(params, "price") else price
    if new_qty == qty and new_price == price:
        raise ApiError(10001, "params error: the order is not modified; pass a new qty or price")
    if _off_step(new_price, instrument.tick_size):
        raise ApiError(170134, "Order price decimal too long.")
    if _off_step(new_qty, instrument.base_precision):
        raise ApiError(170137, "Order volume decimal too long.")
    if new_qty <= filled:
        raise ApiError(170313, "The modified contract quantity cannot be less than to the filled quantity")
    if new_qty > instrument.max_limit_order_qty:
        raise ApiError(170124, "Order amount too large.")
    return new_qty, new_price


def check_notional(intent: OrderIntent, instrument: Instrument, reference_price: Decimal) -> Decimal:
    """Return the order's quote value; 170140 below minOrderAmt, 170124 above maxOrderAmt."""
    if intent.market_unit == "quoteCoin":
        notional = intent.qty
    else:
        notional = intent.qty * (intent.price if intent.price is not None else reference_price)
    if notional < instrument.min_order_amt:
        raise ApiError(170140, "Order value exceeded lower limit.")
    if notional > instrument.max_order_amt:
        raise ApiError(170124, "Order amount too large.")
    return notional


def price_limits(instrument: Instrument, index: Decimal, mid: Decimal) -> tuple[Decimal, Decimal]:
    """Return the spot (highest buy, lowest sell) limit prices for ``index`` and book ``mid``.

    Bybit: max buy = Min[Max(I, I(1+x) + P), I(1+y)], min sell = Max[Min(I, I(1-x) + P), I(1-y)] with
    x, y = priceLimitRatioX/Y and P the 2-minute average premium of the mid over the index; the
    simulator's index is its last price and P the current premium (notes, section 5).
    """
    x, y = instrument.price_limit_ratio_x, instrument.price_limit_ratio_y
    premium = mid - index
    highest = min(max(index, index * (1 + x) + premium), index * (1 + y))
    lowest = max(min(index, index * (1 - x) + premium), index * (1 - y))
    tick = instrument.tick_size
    return (highest / tick).to_integral_value(ROUND_DOWN) * tick, (lowest / tick).to_integral_value(
        ROUND_UP
    ) * tick


def check_price_limit(intent: OrderIntent, highest_buy: Decimal, lowest_sell: Decimal) -> None:
    """Reject a limit order priced beyond the published limit (spot default: reject, not adjust)."""
    if intent.price is None:
        return
    if intent.side == "Buy" and intent.price > highest_buy:
        raise ApiError(170193, f"Buy order price cannot be higher than {fmt(highest_buy)}.")
    if intent.side == "Sell" and intent.price < lowest_sell:
        raise ApiError(170194, f"Sell order price cannot be lower than {fmt(lowest_sell)}.")
