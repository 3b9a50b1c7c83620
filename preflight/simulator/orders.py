"""Orders and executions as the simulator stores them, and their Bybit wire rendering."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from preflight.simulator.wire import fmt

OPEN_STATUSES = frozenset({"New", "PartiallyFilled"})
ZERO = Decimal(0)


@dataclass(frozen=True)
class Order:
    """One spot order; ``qty`` is in quote coin for a market buy by value (``market_unit`` quoteCoin)."""

    order_id: str
    order_link_id: str
    uid: str
    symbol: str
    side: str  # Buy | Sell
    order_type: str  # Market | Limit
    time_in_force: str  # GTC | IOC | FOK | PostOnly
    qty: Decimal
    price: Decimal | None
    market_unit: str  # "" for limit orders, else baseCoin | quoteCoin
    base_price: Decimal
    created_ms: int
    updated_ms: int
    status: str = "New"
    reject_reason: str = "EC_NoError"
    cancel_type: str = "UNKNOWN"
    cum_exec_qty: Decimal = ZERO
    cum_exec_value: Decimal = ZERO
    cum_exec_fee: Decimal = ZERO
    fee_coin: str = ""

    @property
    def is_open(self) -> bool:
        """Say whether the order still rests on the book."""
        return self.status in OPEN_STATUSES

    @property
    def by_value(self) -> bool:
        """Say whether ``qty`` is a quote-coin amount (market order by value)."""
        return self.market_unit == "quoteCoin"

    @property
    def leaves_qty(self) -> Decimal:
        """Return the base quantity still to fill (0 for a closed order or an order by value)."""
        if not self.is_open or self.by_value:
            return ZERO
        return self.qty - self.cum_exec_qty

    def wire(self) -> dict[str, Any]:
        """Return the order/realtime and order/history list item."""
        leaves = self.leaves_qty
        leaves_value = leaves * self.price if self.price is not None else ZERO
        avg = self.cum_exec_value / self.cum_exec_qty if self.cum_exec_qty else ZERO
        return {
            "orderId": self.order_id,
            "orderLinkId": self.order_link_id,
            "blockTradeId": "",
            "symbol": self.symbol,
            "price": fmt(self.price) if self.price is not None else "0",
            "qty": fmt(self.qty),
            "side": self.side,
            "isLeverage": "0",
            "positionIdx": 0,
            "orderStatus": self.status,
            "cancelType": self.cancel_type,
            "rejectReason": self.reject_reason,
            "avgPrice": fmt(avg.quantize(Decimal("0.00000001"))) if avg else "0",
            "leavesQty": fmt(leaves),
            "leavesValue": fmt(leaves_value),
            "cumExecQty": fmt(self.cum_exec_qty),
            "cumExecValue": fmt(self.cum_exec_value),
            "cumExecFee": fmt(self.cum_exec_fee),
            "cumFeeDetail": {self.fee_coin: fmt(self.cum_exec_fee)} if self.fee_coin else {},
            "timeInForce": self.time_in_force,
            "orderType": self.order_type,
            "stopOrderType": "",
            "orderIv": "",
            "triggerPrice": "0",
            "takeProfit": "0",
            "stopLoss": "0",
            "tpTriggerBy": "",
            "slTriggerBy": "",
            "triggerDirection": 0,
            "triggerBy": "",
            "reduceOnly": False,
            "closeOnTrigger": False,
            "smpType": "None",
            "smpGroup": 0,
            "smpOrderId": "",
            "placeType": "",
            "marketUnit": self.market_unit,
            "basePrice": fmt(self.base_price),
            "createdTime": str(self.created_ms),
            "updatedTime": str(self.updated_ms),
        }


@dataclass(frozen=True)
class Execution:
    """One fill of an order."""

    exec_id: str
    order_id: str
    order_link_id: str
    uid: str
    symbol: str
    side: str
    order_type: str
    order_price: Decimal | None
    order_qty: Decimal
    leaves_qty: Decimal
    exec_price: Decimal
    exec_qty: Decimal
    exec_value: Decimal
    exec_fee: Decimal
    fee_currency: str
    fee_rate: Decimal
    is_maker: bool
    exec_time_ms: int
    seq: int

    def wire(self) -> dict[str, Any]:
        """Return the execution/list list item."""
        return {
            "symbol": self.symbol,
            "orderType": self.order_type,
            "orderLinkId": self.order_link_id,
            "side": self.side,
            "orderId": self.order_id,
            "stopOrderType": "",
            "leavesQty": fmt(self.leaves_qty),
            "execTime": str(self.exec_time_ms),
            "feeCurrency": self.fee_currency,
            "isMaker": self.is_maker,
            "execFee": fmt(self.exec_fee),
            "feeRate": fmt(self.fee_rate),
            "execId": self.exec_id,
            "markPrice": fmt(self.exec_price),
            "execPrice": fmt(self.exec_price),
            "orderQty": fmt(self.order_qty),
            "orderPrice": fmt(self.order_price) if self.order_price is not None else "0",
            "execValue": fmt(self.exec_value),
            "execType": "Trade",
            "execQty": fmt(self.exec_qty),
            "closedSize": "",
            "extraFees": "",
            "seq": self.seq,
        }
