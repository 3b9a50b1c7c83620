"""One entrypoint's part of a paper session: strategies -> guardrails -> io_queue -> the signed adapter.

Per tick it reads one ticker per symbol, books new fills when there may be some, values the account,
lets each strategy act, and places what the guardrails allow concurrently (the io_queue decides how many
fly at once). A failed request is recorded and the session goes on; an IP ban or an auth failure stops
this entrypoint's traffic, as it would stop a real bot.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import TypeVar

from preflight.errors import AuthError, ExchangeError, IpBannedError, OrderRejectedError
from preflight.exchange.bybit.client import BybitSpotAdapter
from preflight.exchange.bybit.wire import Instrument, OrderRequest
from preflight.papertrade.events import EventLog
from preflight.papertrade.guardrails import GuardrailBook, OrderContext
from preflight.papertrade.ledger import AccountLedger, Fill, StrategyBook, StrategyResult
from preflight.papertrade.plan import EntrypointPlan
from preflight.papertrade.sizing import Resting, locked, size_intent
from preflight.papertrade.strategies import (
    CancelIntent,
    OrderIntent,
    RestingOrder,
    Side,
    Strategy,
    StrategyView,
    build_strategies,
)
from preflight.papertrade.transport import CountingTransport, RequestSample
from preflight.redact import scrub

T = TypeVar("T")
POLL_EVERY = 5  # ticks between fill polls while only resting orders can fill
HISTORY = 240  # closes kept per symbol
KLINES = 100  # candles read at the start: enough for every window of the sample profile


@dataclass(frozen=True)
class _Approved:
    intent: OrderIntent
    request: OrderRequest


@dataclass(frozen=True)
class RunRecord:
    """What one entrypoint's run produced (the report is built from these)."""

    entrypoint: str
    environment: str
    guardrails_source: str
    strategies: tuple[StrategyResult, ...]
    start_balances: Mapping[str, str]
    end_balances: Mapping[str, str]
    equity: tuple[float, ...]
    requests_per_tick: tuple[int, ...]  # index 0: the start (health probe, instruments, klines, balances)
    health_start: bool
    health_end: bool
    cancelled_at_end: int
    max_drawdown_pct: float
    halted: bool
    stopped: str | None
    errors: tuple[str, ...] = field(default=())
    request_samples: tuple[RequestSample, ...] = field(default=())  # in the order sent


class EntrypointRunner:
    """Drives one entrypoint through the session's ticks."""

    def __init__(
        self,
        plan: EntrypointPlan,
        adapter: BybitSpotAdapter,
        counter: CountingTransport,
        log: EventLog,
        *,
        link_prefix: str,
        secrets: tuple[str, ...] = (),
    ) -> None:
        self.plan = plan
        self.adapter = adapter
        self.counter = counter
        self.log = log
        self.name = plan.entrypoint
        self.link_prefix = link_prefix
        self.secrets = secrets
        self.guardrails = GuardrailBook(plan.guardrails)
        self.instruments: dict[str, Instrument] = {}
        self.history: dict[str, list[float]] = {}
        self.strategies: tuple[Strategy, ...] = ()
        self.books: dict[str, StrategyBook] = {}
        self.ledger = AccountLedger({})
        self.start_balances: dict[str, str] = {}
        self.links: dict[str, str] = {}  # orderLinkId -> strategy
        self.resting: dict[str, Resting] = {}
        self.seen_execs: set[str] = set()
        self.newest_fill_ms: int | None = None  # exec time of the newest fill booked (server clock)
        self.equity: list[float] = []
        self.requests: list[int] = []
        self.errors: list[str] = []
        self.stopped: str | None = None
        self.health_start = False
        self.placed_market_last_tick = False
        self._seq = 0

    async def _call(self, what: str, call: Callable[[], Awaitable[T]]) -> T | None:
        if self.stopped:
            return None
        try:
            return await call()
        except (IpBannedError, AuthError) as error:
            self.stopped = f"{what}: {scrub(str(error), self.secrets)}"
            self.errors.append(f"{self.name}: traffic stopped after {self.stopped}")
        except ExchangeError as error:
            self.errors.append(f"{self.name}: {what} failed: {scrub(str(error), self.secrets)}")
        return None

    async def start(self) -> None:
        """Probe health, load instruments, price history and balances, build the strategies."""
        before = self.counter.count
        self.health_start = bool(await self._call("health probe", self.adapter.probe_health))
        symbols = self.plan.symbols
        found = await asyncio.gather(
            *(self._call(f"instrument {s}", partial(self.adapter.instrument, s)) for s in symbols)
        )
        self.instruments = {s: i for s, i in zip(symbols, found, strict=True) if i is not None}
        candles = await asyncio.gather(
            *(self._call(f"klines {s}", partial(self.adapter.klines, s, "1", KLINES)) for s in symbols)
        )
        for symbol, rows in zip(symbols, candles, strict=True):
            self.history[symbol] = [float(k.close) for k in reversed(rows or ())]
        wallet = await self._call("wallet balance", self.adapter.wallet_balance)
        if wallet is not None:
            balances = {coin: b.wallet_balance for coin, b in wallet.items()}
        else:
            trading = self.plan.environment.paper_trading
            balances = dict(trading.initial_balances) if trading else {}
        self.start_balances = {coin: format(v, "f") for coin, v in balances.items()}
        self.ledger = AccountLedger(balances)
        equity = self.ledger.equity(self._coin_prices())
        self.strategies = build_strategies(self.plan.strategies, equity)
        self.books = {s.name: StrategyBook(s.name, s.kind, s.weight, s.symbol) for s in self.strategies}
        self.requests.append(self.counter.count - before)

    def _coin_prices(self) -> dict[str, float]:
        prices: dict[str, float] = {}
        for symbol, closes in self.history.items():
            instrument = self.instruments.get(symbol)
            if closes and instrument is not None and instrument.quote_coin == self.ledger.quote:
                prices[instrument.base_coin] = closes[-1]
        return prices

    async def step(self, tick: int) -> None:
        """Run one tick."""
        before = self.counter.count
        if not self.stopped:
            await self._tick(tick)
        self.equity.append(self.ledger.equity(self._coin_prices()))
        self.requests.append(self.counter.count - before)

    async def _tick(self, tick: int) -> None:
        symbols = tuple(self.instruments)
        tickers = await asyncio.gather(
            *(self._call(f"ticker {s}", partial(self.adapter.ticker, s)) for s in symbols)
        )
        fresh: set[str] = set()
        for symbol, ticker in zip(symbols, tickers, strict=True):
            if ticker is not None:
                closes = self.history.setdefault(symbol, [])
                closes.append(float(ticker.last_price))
                del closes[:-HISTORY]
                fresh.add(symbol)
        # Market orders fill at once; resting ones only as the market moves, so they are polled less often.
        polled = self.placed_market_last_tick or (bool(self.resting) and tick % POLL_EVERY == 0)
        if polled:
            await self._poll_fills()
        breach = self.guardrails.observe_equity(self.ledger.equity(self._coin_prices()), tick)
        if breach is not None:
            self.log.add(self.name, breach.type, breach.details)
        intents = [
            intent
            for strategy in self.strategies
            if strategy.symbol in fresh  # no price this tick: acting on a stale one would be guessing
            for intent in strategy.on_tick(self._view(strategy, tick))
        ]
        cancels = [i for i in intents if isinstance(i, CancelIntent)]
        if cancels:  # first, so the orders they free no longer count against the guardrails
            if not polled:  # book what filled first, so only orders that still rest are cancelled
                await self._poll_fills()
            await asyncio.gather(*(self._cancel_strategy(c.strategy, c.symbol) for c in cancels))
        approved: list[_Approved] = []
        for intent in intents:
            if isinstance(intent, OrderIntent):
                self._admit(intent, tick, approved)
        self.placed_market_last_tick = any(a.request.order_type == "Market" for a in approved)
        if approved:
            await asyncio.gather(*(self._place(a) for a in approved))

    def _view(self, strategy: Strategy, tick: int) -> StrategyView:
        closes = self.history[strategy.symbol]
        resting = tuple(
            RestingOrder(r.side, r.price) for r in self.resting.values() if r.strategy == strategy.name
        )
        return StrategyView(tick, closes[-1], tuple(closes), self.books[strategy.name].position, resting)

    def _symbol_position(self, symbol: str, approved: list[_Approved]) -> float:
        held = sum(book.position for book in self.books.values() if book.symbol == symbol)
        for item in approved:
            if item.intent.symbol == symbol and item.request.order_type == "Market":
                qty = float(item.request.qty)
                held += qty if item.intent.side is Side.BUY else -qty
        return held

    def _free(self, instrument: Instrument) -> dict[str, Decimal]:
        coins = (instrument.base_coin, instrument.quote_coin)
        balances = self.ledger.balances
        resting = self.resting.values()
        return {c: balances.get(c, Decimal(0)) - locked(resting, self.instruments, c) for c in coins}

    def _admit(self, intent: OrderIntent, tick: int, approved: list[_Approved]) -> None:
        book = self.books[intent.strategy]
        book.intents += 1
        price = self.history[intent.symbol][-1]
        limits_open = len(self.resting) + sum(1 for a in approved if a.request.order_type == "Limit")
        context = OrderContext(
            tick=tick,
            now_ms=int(tick * self.plan.paper_profile.session.interval_seconds * 1000),
            open_orders=limits_open,
            position_qty=self._symbol_position(intent.symbol, approved),
            price=price,
        )
        verdict = self.guardrails.check(intent, context)
        if not verdict.allowed:
            book.guardrail_rejects += 1
            if verdict.event is not None:
                self.log.add(self.name, verdict.event.type, verdict.event.details)
            return
        request = self._size(intent, price)
        if request is None:
            book.skipped += 1
            return
        approved.append(_Approved(intent, request))

    def _size(self, intent: OrderIntent, price: float) -> OrderRequest | None:
        instrument = self.instruments[intent.symbol]
        sized = size_intent(intent, price, instrument, self._free(instrument))
        if sized is None:
            return None
        self._seq += 1
        link = f"{self.link_prefix}-{self._seq}"
        self.links[link] = intent.strategy
        if sized.price is None:  # spot market orders sized in the base coin, both sides alike
            return OrderRequest(
                intent.symbol, intent.side, "Market", sized.qty, None, link, "GTC", "baseCoin"
            )
        return OrderRequest(intent.symbol, intent.side, "Limit", sized.qty, sized.price, link, "GTC")

    async def _place(self, item: _Approved) -> None:
        book = self.books[item.intent.strategy]
        book.submitted += 1
        request = item.request
        try:
            if self.stopped:
                return
            await self.adapter.place_order(request)
        except OrderRejectedError as error:
            book.exchange_rejects += 1
            reason = scrub(str(error), self.secrets)
            self.errors.append(f"{self.name}: order {request.order_link_id} rejected: {reason}")
            return
        except (IpBannedError, AuthError) as error:
            self.stopped = f"order {request.order_link_id}: {scrub(str(error), self.secrets)}"
            self.errors.append(f"{self.name}: traffic stopped after {self.stopped}")
            return
        except ExchangeError as error:
            self.errors.append(
                f"{self.name}: order {request.order_link_id} failed: {scrub(str(error), self.secrets)}"
            )
            return
        book.accepted += 1
        if request.order_type == "Limit" and request.order_link_id:
            price = float(request.price) if request.price is not None else 0.0
            qty = Decimal(str(request.qty))
            side = Side(request.side)
            self.resting[request.order_link_id] = Resting(
                item.intent.strategy, request.symbol, side, price, qty
            )

    async def _cancel_strategy(self, strategy: str, symbol: str) -> None:
        links = [link for link, r in self.resting.items() if r.strategy == strategy and r.symbol == symbol]
        await asyncio.gather(*(self._cancel(link) for link in links))

    async def _cancel(self, link: str) -> bool:
        resting = self.resting.get(link)
        if resting is None:
            return False
        ack = await self._call(
            f"cancel {link}", lambda: self.adapter.cancel_order(resting.symbol, order_link_id=link)
        )
        # Either way the order no longer rests: cancelled, or it filled first (the next poll books it).
        self.resting.pop(link, None)
        if ack is not None:
            self.books[resting.strategy].cancels += 1
        return ack is not None

    async def _poll_fills(self) -> None:
        # Incremental: only fills from the newest one booked on (inclusive, as more may share its ms;
        # seen_execs drops the repeats), instead of re-reading every old fill on each poll.
        since = self.newest_fill_ms
        executions = await self._call("executions", partial(self.adapter.executions, since_ms=since))
        for execution in reversed(executions or ()):  # oldest first, so positions build in order
            strategy = self.links.get(execution.order_link_id)
            if strategy is None or execution.exec_id in self.seen_execs:
                continue
            self.seen_execs.add(execution.exec_id)
            self.newest_fill_ms = max(self.newest_fill_ms or 0, execution.exec_time_ms)
            fill = Fill(
                exec_id=execution.exec_id,
                order_link_id=execution.order_link_id,
                strategy=strategy,
                symbol=execution.symbol,
                side=Side(execution.side),
                price=execution.exec_price,
                qty=execution.exec_qty,
                fee=execution.exec_fee,
                fee_currency=execution.fee_currency,
                is_maker=execution.is_maker,
                ts_ms=execution.exec_time_ms,
            )
            self.books[strategy].apply(fill)
            self.ledger.apply(fill, self.instruments[fill.symbol].base_coin)
            resting = self.resting.get(fill.order_link_id)
            if resting is not None:
                resting.filled += fill.qty
                if resting.filled >= resting.qty:
                    del self.resting[fill.order_link_id]

    async def finish(self) -> RunRecord:
        """Cancel what is still open, book the last fills, read balances, probe health at the end."""
        before = self.counter.count
        open_orders = await self._call("open orders", self.adapter.open_orders)
        ours = [o for o in open_orders or () if o.order_link_id in self.links]
        for order in ours:
            self.resting.setdefault(
                order.order_link_id,
                Resting(
                    self.links[order.order_link_id],
                    order.symbol,
                    Side(order.side),
                    float(order.price),
                    order.qty,
                ),
            )
        results = await asyncio.gather(*(self._cancel(o.order_link_id) for o in ours))
        cancelled = sum(results)
        await self._poll_fills()
        wallet = await self._call("wallet balance", self.adapter.wallet_balance)
        end_balances = (
            {coin: format(b.wallet_balance, "f") for coin, b in wallet.items()}
            if wallet is not None
            else {coin: format(v, "f") for coin, v in self.ledger.balances.items()}
        )
        health_end = await self.adapter.probe_health()  # records 0 by itself when traffic is stopped
        self.requests.append(self.counter.count - before)
        prices = {s: closes[-1] for s, closes in self.history.items() if closes}
        return RunRecord(
            entrypoint=self.name,
            environment=self.plan.environment.name,
            guardrails_source=self.plan.guardrails_source,
            strategies=tuple(self.books[s.name].result(prices.get(s.symbol, 0.0)) for s in self.strategies),
            start_balances=self.start_balances,
            end_balances=end_balances,
            equity=tuple(self.equity),
            requests_per_tick=tuple(self.requests),
            health_start=self.health_start,
            health_end=health_end,
            cancelled_at_end=cancelled,
            max_drawdown_pct=self.guardrails.max_drawdown_pct,
            halted=self.guardrails.halted,
            stopped=self.stopped,
            errors=tuple(self.errors),
            request_samples=tuple(self.counter.samples),
        )
