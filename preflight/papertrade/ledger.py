"""Session bookkeeping: fills per strategy (positions, average cost, PnL) and the account's balances.

Positions use average-cost accounting: a fill that reduces a position realises PnL against the average
price; one that crosses zero realises the closed part and opens the rest at the fill price. Fees paid in
the base coin are valued at the fill price so every PnL figure is in the quote coin.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from preflight.papertrade.strategies import Side


@dataclass(frozen=True)
class Fill:
    """One execution the session attributed to a strategy."""

    exec_id: str
    order_link_id: str
    strategy: str
    symbol: str
    side: Side
    price: Decimal
    qty: Decimal
    fee: Decimal
    fee_currency: str
    is_maker: bool
    ts_ms: int


@dataclass(frozen=True)
class StrategyResult:
    """What one strategy did in the session."""

    name: str
    kind: str
    weight: float
    symbol: str
    intents: int
    orders_submitted: int
    orders_accepted: int
    guardrail_rejects: int
    exchange_rejects: int
    skipped: int  # below the instrument's minimum size or beyond the free balance
    cancels: int
    fills: int
    volume_quote: float
    fees_quote: float
    position_qty: float
    avg_price: float
    realized_pnl: float
    unrealized_pnl: float

    @property
    def pnl(self) -> float:
        """Return realised plus unrealised PnL net of fees (quote coin)."""
        return self.realized_pnl + self.unrealized_pnl - self.fees_quote

    def to_json(self) -> dict[str, object]:
        """Return the JSON form (money rounded to cents, quantities to 8 places)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "weight": self.weight,
            "symbol": self.symbol,
            "intents": self.intents,
            "orders_submitted": self.orders_submitted,
            "orders_accepted": self.orders_accepted,
            "guardrail_rejects": self.guardrail_rejects,
            "exchange_rejects": self.exchange_rejects,
            "skipped": self.skipped,
            "cancels": self.cancels,
            "fills": self.fills,
            "volume_quote": round(self.volume_quote, 2),
            "fees_quote": round(self.fees_quote, 4),
            "position_qty": round(self.position_qty, 8),
            "avg_price": round(self.avg_price, 4),
            "realized_pnl": round(self.realized_pnl, 4),
            "unrealized_pnl": round(self.unrealized_pnl, 4),
            "pnl": round(self.pnl, 4),
        }


class StrategyBook:
    """The running tally of one strategy (mutable while the session runs)."""

    def __init__(self, name: str, kind: str, weight: float, symbol: str) -> None:
        self.name, self.kind, self.weight, self.symbol = name, kind, weight, symbol
        self.intents = self.submitted = self.accepted = self.guardrail_rejects = 0
        self.exchange_rejects = self.skipped = self.cancels = self.fills = 0
        self.volume = self.fees = self.position = self.avg_price = self.realized = 0.0

    def apply(self, fill: Fill) -> None:
        """Book one fill."""
        price, qty = float(fill.price), float(fill.qty)
        signed = qty if fill.side is Side.BUY else -qty
        self.fills += 1
        self.volume += price * qty
        self.fees += float(fill.fee) * (price if fill.fee_currency != "USDT" else 1.0)
        if self.position == 0 or (self.position > 0) == (signed > 0):
            total = self.position + signed
            self.avg_price = (self.avg_price * abs(self.position) + price * qty) / abs(total)
            self.position = total
            return
        closed = min(abs(signed), abs(self.position))
        direction = 1.0 if self.position > 0 else -1.0
        self.realized += (price - self.avg_price) * closed * direction
        self.position += signed
        if abs(self.position) < 1e-12:
            self.position, self.avg_price = 0.0, 0.0
        elif (self.position > 0) != (direction > 0):  # crossed zero: the rest opens at the fill price
            self.avg_price = price

    def result(self, price: float) -> StrategyResult:
        """Freeze the tally, marking the open position at ``price``."""
        unrealized = (price - self.avg_price) * self.position if self.position else 0.0
        return StrategyResult(
            name=self.name,
            kind=self.kind,
            weight=self.weight,
            symbol=self.symbol,
            intents=self.intents,
            orders_submitted=self.submitted,
            orders_accepted=self.accepted,
            guardrail_rejects=self.guardrail_rejects,
            exchange_rejects=self.exchange_rejects,
            skipped=self.skipped,
            cancels=self.cancels,
            fills=self.fills,
            volume_quote=self.volume,
            fees_quote=self.fees,
            position_qty=self.position,
            avg_price=self.avg_price,
            realized_pnl=self.realized,
            unrealized_pnl=unrealized,
        )


class AccountLedger:
    """The account's coin balances as the session's fills move them."""

    def __init__(self, balances: Mapping[str, Decimal], quote: str = "USDT") -> None:
        self.balances: dict[str, Decimal] = dict(balances)
        self.quote = quote

    def apply(self, fill: Fill, base: str) -> None:
        """Move the balances by one fill of ``base``/quote."""
        value = fill.price * fill.qty
        sign = 1 if fill.side is Side.BUY else -1
        self.balances[base] = self.balances.get(base, Decimal(0)) + sign * fill.qty
        self.balances[self.quote] = self.balances.get(self.quote, Decimal(0)) - sign * value
        self.balances[fill.fee_currency] = self.balances.get(fill.fee_currency, Decimal(0)) - fill.fee

    def equity(self, prices: Mapping[str, float]) -> float:
        """Return the account value in the quote coin; ``prices`` maps a coin to its quote price."""
        total = 0.0
        for coin, amount in self.balances.items():
            price = 1.0 if coin == self.quote else prices.get(coin)
            if price is not None:  # a coin the session has no price for cannot be valued honestly
                total += float(amount) * price
        return total
