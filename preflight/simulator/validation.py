"""Validation of order parameters with Bybit's spot retCodes (lot size, tick size, min notional)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from preflight.simulator.market import Instrument
from preflight.simulator.wire import ApiError

_LINK_ID = re.compile(r"^[A-Za-z0-9_-]{1,36}$")
_TIME_IN_FORCE = ("GTC", "IOC", "FOK", "PostOnly")


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


def parse_create(params: Mapping[str, object], instrument: Instrument) -> OrderIntent:
    """Validate a create-order body for ``instrument``; raise the ApiError Bybit would answer with."""
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
        if qty < instrument.min_order_qty:
            raise ApiError(170136, "Order quantity lower than the minimum.")
        if qty > instrument.max_order_qty:
            raise ApiError(170124, "Order amount too large.")
    return OrderIntent(instrument.symbol, side, order_type, qty, price, tif, market_unit, link_id)


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
