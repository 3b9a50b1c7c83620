"""The adapter's domain values: frozen dataclasses the wire parsers (:mod:`wire`) produce."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from preflight.redact import mask

Level = tuple[Decimal, Decimal]  # (price, size)


@dataclass(frozen=True)
class OrderRequest:
    """An order to place; ``order_link_id`` is generated when absent (at most 36 characters)."""

    symbol: str
    side: str  # Buy | Sell
    order_type: str  # Market | Limit
    qty: Decimal | str
    price: Decimal | str | None = None
    order_link_id: str | None = None
    time_in_force: str = "GTC"
    market_unit: str | None = None  # baseCoin | quoteCoin (spot market orders)


@dataclass(frozen=True)
class Instrument:
    """A spot instrument's trading rules (lot size, tick size, minimum notional)."""

    symbol: str
    base_coin: str
    quote_coin: str
    status: str
    base_precision: Decimal
    quote_precision: Decimal
    min_order_qty: Decimal
    max_order_qty: Decimal
    min_order_amt: Decimal
    max_order_amt: Decimal
    tick_size: Decimal


@dataclass(frozen=True)
class Ticker:
    """The best bid/ask and last price of a symbol."""

    symbol: str
    bid1_price: Decimal
    bid1_size: Decimal
    ask1_price: Decimal
    ask1_size: Decimal
    last_price: Decimal
    volume_24h: Decimal
    turnover_24h: Decimal


@dataclass(frozen=True)
class Kline:
    """One candle: start time (epoch ms) and OHLC, volume, turnover."""

    start_ms: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    turnover: Decimal


@dataclass(frozen=True)
class OrderBook:
    """An order-book snapshot: bids best (highest) first, asks best (lowest) first."""

    symbol: str
    bids: tuple[Level, ...]
    asks: tuple[Level, ...]
    ts_ms: int
    update_id: int


@dataclass(frozen=True)
class OrderAck:
    """The exchange's acknowledgement of an order; ``reconciled`` when found by querying its id."""

    order_id: str
    order_link_id: str
    reconciled: bool = False


@dataclass(frozen=True)
class OrderState:
    """An order as the exchange reports it (open or historical)."""

    order_id: str
    order_link_id: str
    symbol: str
    side: str
    order_type: str
    status: str
    price: Decimal
    qty: Decimal
    cum_exec_qty: Decimal
    cum_exec_value: Decimal
    leaves_qty: Decimal
    avg_price: Decimal
    time_in_force: str
    created_ms: int
    updated_ms: int
    reject_reason: str = ""

    @property
    def is_open(self) -> bool:
        """Say whether the order still rests on the book."""
        return self.status in ("New", "PartiallyFilled", "Untriggered")


@dataclass(frozen=True)
class Execution:
    """One fill."""

    exec_id: str
    order_id: str
    order_link_id: str
    symbol: str
    side: str
    exec_price: Decimal
    exec_qty: Decimal
    exec_value: Decimal
    exec_fee: Decimal
    fee_currency: str
    is_maker: bool
    exec_time_ms: int


@dataclass(frozen=True)
class CoinBalance:
    """A coin of the unified wallet; ``free`` = wallet balance minus what open orders lock."""

    coin: str
    wallet_balance: Decimal
    locked: Decimal
    equity: Decimal

    @property
    def free(self) -> Decimal:
        """Return the balance not locked by open orders."""
        return self.wallet_balance - self.locked


@dataclass(frozen=True)
class ApiKeyInfo:
    """What ``/v5/user/query-api`` says about the key in use (never its secret)."""

    api_key: str = field(repr=False)
    read_only: bool
    permissions: Mapping[str, tuple[str, ...]]
    ips: tuple[str, ...]
    uid: str
    is_master: bool
    parent_uid: str
    expired_at: datetime | None
    deadline_day: int | None
    created_at: datetime | None
    uta: bool
    note: str

    def __repr__(self) -> str:
        return f"ApiKeyInfo(api_key={mask(self.api_key)!r}, uid={self.uid!r}, read_only={self.read_only})"

    def has(self, group: str, permission: str) -> bool:
        """Say whether the key holds ``permission`` in ``group`` (e.g. Spot, SpotTrade)."""
        return permission in self.permissions.get(group, ())
