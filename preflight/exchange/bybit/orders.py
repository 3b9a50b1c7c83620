"""Order creation and cancellation that never duplicate an order.

Every order carries an ``orderLinkId``. Creation is never blindly retried: after an answer that leaves
the outcome open (timeout, reset, 5xx, 10000/10016, unparsable body) the order is looked up by its
``orderLinkId`` in ``order/realtime`` and then ``order/history``; only when neither has it is the *same*
body (same id) sent again, so even a lookup that lags behind the exchange is caught by Bybit's
duplicate-id check (170141/110072), which in turn is answered by reconciling, never by a new id.
Refusals that prove the order was not taken (10006/429, 10002, connection never established) are
resubmitted after the usual wait.
"""

from __future__ import annotations

import json
import random
import re
import string
from decimal import Decimal

from preflight.errors import AmbiguousOrderError, ExchangeError, UsageError
from preflight.exchange.bybit.requester import AttemptFailed, Attempts, Requester
from preflight.exchange.bybit.retcodes import Kind
from preflight.exchange.bybit.wire import (
    OrderAck,
    OrderRequest,
    OrderState,
    parse_order_ack,
    parse_order_state,
    result_list,
)

CREATE = "/v5/order/create"
CANCEL = "/v5/order/cancel"
MAX_LINK_ID = 36
_LINK_ID = re.compile(r"^[A-Za-z0-9_-]{1,36}$")
_ALPHABET = string.ascii_lowercase + string.digits


def new_order_link_id(rng: random.Random, prefix: str = "pf") -> str:
    """Return a fresh orderLinkId: ``prefix-`` plus 30 random characters (at most 36 in all)."""
    return f"{prefix}-" + "".join(rng.choice(_ALPHABET) for _ in range(MAX_LINK_ID - len(prefix) - 1))


def _number(value: Decimal | str) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def order_body(order: OrderRequest, order_link_id: str, category: str = "spot") -> bytes:
    """Serialise the create-order body once (compact JSON); these exact bytes are signed and sent."""
    body: dict[str, str | int] = {
        "category": category,
        "symbol": order.symbol,
        "side": order.side,
        "orderType": order.order_type,
        "qty": _number(order.qty),
    }
    if order.price is not None:
        body["price"] = _number(order.price)
    body["timeInForce"] = order.time_in_force
    body["orderLinkId"] = order_link_id
    if category == "spot":
        # spot, not margin; a plain order (not TP/SL or conditional) - as Bybit's own spot example
        body["isLeverage"] = 0
        body["orderFilter"] = "Order"
    if order.market_unit:
        body["marketUnit"] = order.market_unit
    return json.dumps(body, separators=(",", ":")).encode()


async def find_order(
    requester: Requester, symbol: str, order_link_id: str, category: str = "spot"
) -> OrderState | None:
    """Look the order up by ``orderLinkId``: open orders first, then history; None when absent."""
    for endpoint in ("/v5/order/realtime", "/v5/order/history"):
        params = [("category", category), ("symbol", symbol), ("orderLinkId", order_link_id)]
        result = await requester.call("GET", endpoint, params=params)
        for item in result_list(result, endpoint):
            state = parse_order_state(item)
            if state.order_link_id == order_link_id:
                return state
    return None


async def _reconcile(
    requester: Requester, order: OrderRequest, link_id: str, category: str
) -> OrderState | None:
    try:
        return await find_order(requester, order.symbol, link_id, category)
    except ExchangeError as error:
        raise AmbiguousOrderError(
            f"order {link_id} on {order.symbol}: outcome unknown and the lookup by orderLinkId failed "
            f"({error}); check open orders before placing it again"
        ) from None


async def place_order(requester: Requester, order: OrderRequest, category: str = "spot") -> OrderAck:
    """Place ``order`` exactly once; see the module docstring for the reconciliation rules."""
    link_id = order.order_link_id or new_order_link_id(requester.rng)
    if not _LINK_ID.match(link_id):
        raise UsageError(f"orderLinkId {link_id!r} must be 1-36 letters, digits, '-' or '_'")
    body = order_body(order, link_id, category)
    attempts = Attempts(requester)
    while True:
        try:
            result = await requester.attempt("POST", CREATE, body=body)
        except AttemptFailed as failed:
            failure = failed.failure
            if failure.kind is Kind.DUPLICATE or (
                failure.kind is Kind.TRANSIENT and failure.may_have_executed
            ):
                found = await _reconcile(requester, order, link_id, category)
                if found is not None:
                    attempts.succeeded(extra_recovered=1)
                    return OrderAck(found.order_id, link_id, reconciled=True)
                if failure.kind is Kind.DUPLICATE:
                    requester.give_up(failure)
                    raise AmbiguousOrderError(
                        f"order {link_id}: the exchange reports the orderLinkId as taken but lists no such "
                        "order; check the account before placing it again"
                    ) from None
            if await attempts.resync(failure):
                continue
            # the exchange provably does not hold the order: resubmit the same bytes (same id)
            if failure.kind in (Kind.TRANSIENT, Kind.RATE_LIMIT) and await attempts.retry(failure):
                continue
            raise attempts.give_up(failure) from None
        attempts.succeeded()
        return parse_order_ack(result)


async def cancel_order(
    requester: Requester,
    symbol: str,
    *,
    order_link_id: str | None = None,
    order_id: str | None = None,
    category: str = "spot",
) -> OrderAck:
    """Cancel one order; after an ambiguous attempt a 'no such open order' answer is checked, not trusted."""
    if not (order_link_id or order_id):
        raise UsageError("cancel_order needs an order_link_id or an order_id")
    fields = {"category": category, "symbol": symbol}
    if order_id:
        fields["orderId"] = order_id
    if order_link_id:
        fields["orderLinkId"] = order_link_id
    body = json.dumps(fields, separators=(",", ":")).encode()
    attempts = Attempts(requester)
    ambiguous_before = False
    while True:
        try:
            result = await requester.attempt("POST", CANCEL, body=body)
        except AttemptFailed as failed:
            failure = failed.failure
            if failure.kind is Kind.NOT_FOUND and ambiguous_before:
                # an earlier attempt may have cancelled it: confirm the order is closed
                state = await _closed_state(requester, symbol, order_link_id, order_id, category)
                if state is not None:
                    attempts.succeeded()
                    return OrderAck(state.order_id, state.order_link_id, reconciled=True)
            if await attempts.resync(failure):
                continue
            if failure.kind in (Kind.TRANSIENT, Kind.RATE_LIMIT) and await attempts.retry(failure):
                ambiguous_before = ambiguous_before or failure.may_have_executed
                continue
            raise attempts.give_up(failure) from None
        attempts.succeeded()
        return parse_order_ack(result)


async def _closed_state(
    requester: Requester, symbol: str, order_link_id: str | None, order_id: str | None, category: str
) -> OrderState | None:
    params = [("category", category), ("symbol", symbol)]
    params.append(("orderId", order_id) if order_id else ("orderLinkId", order_link_id or ""))
    result = await requester.call("GET", "/v5/order/history", params=params)
    for item in result_list(result, "order/history"):
        state = parse_order_state(item)
        if not state.is_open and (state.order_id == order_id or state.order_link_id == order_link_id):
            return state
    return None
