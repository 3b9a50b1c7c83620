"""The venue state the endpoints read and change: markets, accounts, balances and the matching engine."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from preflight.simulator.accounts import Account, AccountBook
from preflight.simulator.ledger import Ledger
from preflight.simulator.market import SymbolMarket, instrument_for
from preflight.simulator.matching import MatchingEngine


class Venue:
    """One simulated exchange: a seeded market per symbol, accounts and their orders."""

    def __init__(
        self,
        symbols: Sequence[str],
        *,
        seed: int,
        start_ms: int,
        interval_ms: int,
        maker_fee: Decimal,
        taker_fee: Decimal,
    ) -> None:
        aligned = start_ms - start_ms % interval_ms
        self.markets: dict[str, SymbolMarket] = {
            symbol: SymbolMarket(instrument_for(symbol), seed, aligned, interval_ms) for symbol in symbols
        }
        self.accounts = AccountBook()
        self.ledger = Ledger()
        self.engine = MatchingEngine(
            self.markets, self.ledger, seed=seed, maker_fee=maker_fee, taker_fee=taker_fee
        )

    def add_account(self, account: Account) -> None:
        """Register ``account``; a known uid keeps its balances, a new one starts with its own."""
        self.accounts.add(account)
        self.ledger.open_account(account.uid, account.balances)

    def advance(self, now_ms: int) -> None:
        """Move every symbol one tick and fill the resting orders its candle traded through."""
        for market in self.markets.values():
            candle = market.advance()
            self.engine.on_tick(market, candle, now_ms)

    def usd_price(self, coin: str) -> Decimal:
        """Return the USD value of one ``coin`` (stablecoins at 1, others at their USDT last price)."""
        if coin in ("USDT", "USDC", "USD"):
            return Decimal(1)
        market = self.markets.get(f"{coin}USDT")
        return market.last_price if market is not None else Decimal(0)
