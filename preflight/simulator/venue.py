"""The venue state the endpoints read and change: markets, accounts, balances and the matching engine."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from preflight.simulator.accounts import Account, AccountBook
from preflight.simulator.ledger import Ledger
from preflight.simulator.market import Candle, SymbolMarket, instrument_for
from preflight.simulator.matching import MatchingEngine
from preflight.simulator.wire import fmt

_TAPE_ID_BASE = 2_100_000_000_000_000_000
_OTHER_SIDE = {"Buy": "Sell", "Sell": "Buy"}


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
        self.created_ms = start_ms
        # Set by catch_up: candles follow the server clock, so klines end with the candle in progress.
        self.follows_clock = False
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

    def catch_up(self, now_ms: int) -> int:
        """Append every candle that has closed by ``now_ms`` (so candles never run ahead of time).

        Return how many ticks were taken; a closed candle also fills the resting orders it crossed.
        """
        self.follows_clock = True
        interval = next(iter(self.markets.values())).interval_ms if self.markets else 0
        ticks = 0
        while self.markets and self._newest_start() + 2 * interval <= now_ms:
            self.advance(self._newest_start() + 2 * interval)
            ticks += 1
        return ticks

    def candles(self, symbol: str, now_ms: int) -> list[Candle]:
        """Return the candles of ``symbol`` oldest first, ending, when following the clock, in progress.

        The seeded market moves once per candle, so the candle in progress is flat at the last close
        with no volume yet (notes, section 8); a market moved tick by tick has none.
        """
        market = self.markets[symbol]
        newest = market.candles[-1]
        start = newest.start_ms + market.interval_ms
        if not self.follows_clock or start > now_ms:
            return market.candles
        close, zero = newest.close, Decimal(0)
        return [*market.candles, Candle(start, close, close, close, close, zero, zero)]

    def _newest_start(self) -> int:
        return min(market.candles[-1].start_ms for market in self.markets.values())

    def public_trades(self, symbol: str, limit: int) -> list[dict[str, Any]]:
        """Return the public tape of ``symbol``, newest first: every fill, plus each candle's close.

        A seeded market has no other traders, so each closed candle contributes one trade at its close
        (its taker side follows the candle's direction) besides the accounts' own fills.
        """
        market = self.markets[symbol]
        inst = market.instrument
        tape: list[tuple[int, int, dict[str, Any]]] = []
        for candle in market.candles[-limit:]:
            size = max(inst.base_precision, (candle.volume / 50).quantize(inst.base_precision))
            tape.append((candle.start_ms + market.interval_ms - 1, 0, {
                "execId": str(_TAPE_ID_BASE + candle.start_ms // 1000),
                "symbol": symbol,
                "price": fmt(candle.close),
                "size": fmt(size),
                "side": "Buy" if candle.close >= candle.open else "Sell",
                "time": str(candle.start_ms + market.interval_ms - 1),
                "isBlockTrade": False,
                "isRPITrade": False,
            }))  # fmt: skip
        for execution in self.engine.symbol_executions(symbol, limit):
            taker_side = execution.side if not execution.is_maker else _OTHER_SIDE[execution.side]
            tape.append((execution.exec_time_ms, execution.seq, {
                "execId": execution.exec_id,
                "symbol": symbol,
                "price": fmt(execution.exec_price),
                "size": fmt(execution.exec_qty),
                "side": taker_side,
                "time": str(execution.exec_time_ms),
                "isBlockTrade": False,
                "isRPITrade": False,
            }))  # fmt: skip
        tape.sort(key=lambda item: (item[0], item[1]), reverse=True)
        return [item for _, _, item in tape[:limit]]

    def usd_price(self, coin: str) -> Decimal:
        """Return the USD value of one ``coin`` (stablecoins at 1, others at their USDT last price)."""
        if coin in ("USDT", "USDC", "USD"):
            return Decimal(1)
        market = self.markets.get(f"{coin}USDT")
        return market.last_price if market is not None else Decimal(0)
