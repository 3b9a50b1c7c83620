"""The trading profile's guardrails: every order intent passes them before it reaches the io_queue.

Limits: order notional, position notional (per symbol, after the order), open orders, orders per minute
(in the session's simulated time) and drawdown from the equity peak. A refused order is a ``reject``
event; a drawdown beyond the limit is a ``breach`` event and stops every new order for the session.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

from preflight.deployment.model import Guardrails
from preflight.exchange.events import EventType
from preflight.papertrade.strategies import OrderIntent, Side

MINUTE_MS = 60_000


@dataclass(frozen=True)
class GuardrailEvent:
    """A guardrail event of the session: ``reject`` or ``breach``, the simulated tick, and the details."""

    type: EventType
    tick: int
    details: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class OrderContext:
    """What the guardrails need to know about the account when an intent arrives."""

    tick: int
    now_ms: int  # simulated time
    open_orders: int  # resting orders across all strategies
    position_qty: float  # the account's net position in the intent's base coin (all strategies)
    price: float  # the last price of the intent's symbol


@dataclass(frozen=True)
class Verdict:
    """Whether an intent may go on, and the reject event when it may not."""

    allowed: bool
    event: GuardrailEvent | None = None


class GuardrailBook:
    """The guardrail state of one session: recent order times, the equity peak, the halt flag."""

    def __init__(self, limits: Guardrails) -> None:
        self.limits = limits
        self._recent: deque[int] = deque()
        self.peak_equity: float | None = None
        self.max_drawdown_pct = 0.0
        self.halted = False

    def _reject(
        self, intent: OrderIntent, context: OrderContext, rule: str, limit: float, observed: float
    ) -> Verdict:
        details: dict[str, object] = {
            "rule": rule,
            "limit": limit,
            "observed": round(observed, 4),
            "strategy": intent.strategy,
            "symbol": intent.symbol,
            "side": intent.side.value,
            "notional": round(intent.notional, 2),
            "order_type": "Market" if intent.price is None else "Limit",
        }
        return Verdict(False, GuardrailEvent(EventType.REJECT, context.tick, details))

    def check(self, intent: OrderIntent, context: OrderContext) -> Verdict:
        """Decide on one intent; an allowed one counts towards the orders-per-minute window."""
        limits = self.limits
        if self.halted:
            return self._reject(
                intent, context, "max_drawdown_pct", limits.max_drawdown_pct, self.max_drawdown_pct
            )
        if intent.notional > limits.max_order_notional:
            return self._reject(
                intent, context, "max_order_notional", limits.max_order_notional, intent.notional
            )
        qty = intent.notional / (intent.price or context.price)
        after = context.position_qty + (qty if intent.side is Side.BUY else -qty)
        position_notional = abs(after) * context.price
        # Reducing a position is always allowed: the limit is about exposure, not about getting out.
        if position_notional > limits.max_position_notional and abs(after) > abs(context.position_qty):
            return self._reject(
                intent, context, "max_position_notional", limits.max_position_notional, position_notional
            )
        if intent.price is not None and context.open_orders + 1 > limits.max_open_orders:
            return self._reject(
                intent, context, "max_open_orders", limits.max_open_orders, context.open_orders + 1
            )
        while self._recent and self._recent[0] <= context.now_ms - MINUTE_MS:
            self._recent.popleft()
        if len(self._recent) + 1 > limits.max_orders_per_minute:
            return self._reject(
                intent, context, "max_orders_per_minute", limits.max_orders_per_minute, len(self._recent) + 1
            )
        self._recent.append(context.now_ms)
        return Verdict(True)

    def observe_equity(self, equity: float, tick: int) -> GuardrailEvent | None:
        """Track the drawdown from the equity peak; the first breach halts new orders and is returned."""
        if self.peak_equity is None or equity > self.peak_equity:
            self.peak_equity = equity
        drawdown = 0.0 if self.peak_equity <= 0 else (self.peak_equity - equity) / self.peak_equity * 100
        self.max_drawdown_pct = max(self.max_drawdown_pct, drawdown)
        if self.halted or drawdown <= self.limits.max_drawdown_pct:
            return None
        self.halted = True
        details: dict[str, object] = {
            "rule": "max_drawdown_pct",
            "limit": self.limits.max_drawdown_pct,
            "observed": round(drawdown, 4),
            "peak_equity": round(self.peak_equity, 2),
            "equity": round(equity, 2),
            "action": "new orders stopped for the rest of the session",
        }
        return GuardrailEvent(EventType.BREACH, tick, details)
