"""The matching engine: order placement against the seeded book, resting orders, cancels, fills, fees."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from decimal import ROUND_DOWN, Decimal

from preflight.simulator.ledger import Ledger
from preflight.simulator.market import Book, Candle, SymbolMarket
from preflight.simulator.orders import ZERO, Execution, Order
from preflight.simulator.validation import (
    OrderIntent,
    check_notional,
    check_price_limit,
    parse_amend,
    parse_create,
    price_limits,
    require_spot,
    text_param,
)
from preflight.simulator.wire import ApiError

MAX_OPEN_ORDERS = 500
_FEE_STEP = Decimal("0.00000001")


class MatchingEngine:
    """Keep every account's orders and executions and move balances as orders fill."""

    def __init__(
        self,
        markets: Mapping[str, SymbolMarket],
        ledger: Ledger,
        *,
        seed: int,
        maker_fee: Decimal,
        taker_fee: Decimal,
    ) -> None:
        self._markets = markets
        self._ledger = ledger
        self._maker_fee = maker_fee
        self._taker_fee = taker_fee
        self._id_base = 1_900_000_000_000_000_000 + (seed % 1000) * 1_000_000_000
        self._seed_bits = (seed & 0xFFFFFFFF) << 96
        self._orders: dict[str, Order] = {}
        self._uid_orders: dict[str, list[str]] = {}
        self._link_ids: dict[tuple[str, str], str] = {}
        self._open: dict[str, list[str]] = {symbol: [] for symbol in markets}
        self._executions: dict[str, list[Execution]] = {}
        self._seq = 0

    # -- queries -------------------------------------------------------------------------------

    @property
    def maker_fee(self) -> Decimal:
        """Return the maker fee rate every account pays."""
        return self._maker_fee

    @property
    def taker_fee(self) -> Decimal:
        """Return the taker fee rate every account pays."""
        return self._taker_fee

    def orders(self, uid: str) -> tuple[Order, ...]:
        """Return ``uid``'s orders, newest first."""
        return tuple(self._orders[oid] for oid in reversed(self._uid_orders.get(uid, [])))

    def executions(self, uid: str) -> tuple[Execution, ...]:
        """Return ``uid``'s executions, newest first."""
        return tuple(reversed(self._executions.get(uid, [])))

    def symbol_executions(self, symbol: str, limit: int) -> list[Execution]:
        """Return the ``limit`` newest executions of every account on ``symbol``, newest first."""
        fills = [e for per_uid in self._executions.values() for e in per_uid if e.symbol == symbol]
        fills.sort(key=lambda e: e.seq, reverse=True)
        return fills[:limit]

    def find(self, uid: str, order_id: str = "", order_link_id: str = "") -> Order | None:
        """Return ``uid``'s order by id (orderId wins over orderLinkId), or None."""
        if order_id:
            order = self._orders.get(order_id)
            return order if order is not None and order.uid == uid else None
        if order_link_id:
            found = self._link_ids.get((uid, order_link_id))
            return self._orders[found] if found else None
        return None

    # -- commands ------------------------------------------------------------------------------

    def place(self, uid: str, params: Mapping[str, object], now_ms: int) -> Order:
        """Validate and place an order, take liquidity as its time in force allows, rest the rest."""
        require_spot(params)
        market = self._market(text_param(params, "symbol"))
        inst = market.instrument
        intent = parse_create(params, inst)
        if intent.order_link_id and (uid, intent.order_link_id) in self._link_ids:
            raise ApiError(170141, "Duplicate clientOrderId.")
        book = market.book
        reference = book.asks[0].price if intent.side == "Buy" else book.bids[0].price
        check_notional(intent, inst, reference)
        check_price_limit(intent, *self.price_limits(market))
        if sum(1 for oid in self._uid_orders.get(uid, []) if self._orders[oid].is_open) >= MAX_OPEN_ORDERS:
            raise ApiError(170810, "Cannot exceed maximum of 500 conditional, TP/SL and active orders.")
        self._check_balance(uid, intent, market)
        order = Order(
            order_id=str(self._id_base + len(self._orders) + 1),
            order_link_id=intent.order_link_id,
            uid=uid,
            symbol=inst.symbol,
            side=intent.side,
            order_type=intent.order_type,
            time_in_force=intent.time_in_force,
            qty=intent.qty,
            price=intent.price,
            market_unit=intent.market_unit,
            base_price=market.last_price,
            created_ms=now_ms,
            updated_ms=now_ms,
        )
        self._orders[order.order_id] = order
        self._uid_orders.setdefault(uid, []).append(order.order_id)
        if order.order_link_id:
            self._link_ids[(uid, order.order_link_id)] = order.order_id
        if order.order_type == "Limit":
            self._reserve(order)
        return self._execute_taker(order, book, now_ms)

    def price_limits(self, market: SymbolMarket) -> tuple[Decimal, Decimal]:
        """Return the (highest buy, lowest sell) limit price of ``market`` right now."""
        book = market.book
        return price_limits(
            market.instrument, market.last_price, (book.bids[0].price + book.asks[0].price) / 2
        )

    def cancel(self, uid: str, params: Mapping[str, object], now_ms: int) -> Order:
        """Cancel an open order by orderId or orderLinkId; 170213 unknown or filled, 170142 cancelled."""
        require_spot(params)
        symbol = text_param(params, "symbol")
        self._market(symbol)
        order_id, link_id = text_param(params, "orderId"), text_param(params, "orderLinkId")
        if not order_id and not link_id:
            raise ApiError(10001, "params error: orderId or orderLinkId is required")
        order = self.find(uid, order_id, link_id)
        if order is None or order.symbol != symbol:
            raise ApiError(170213, "Order does not exist.")
        if order.status in ("Cancelled", "PartiallyFilledCanceled"):
            raise ApiError(170142, "Order has been cancelled.")
        if not order.is_open:
            # A filled order is no longer on the book: Bybit answers 170213 (notes, section 3).
            raise ApiError(170213, "Order does not exist.")
        return self._close(order, now_ms, "CancelByUser", "EC_NoError")

    def cancel_all(self, uid: str, params: Mapping[str, object], now_ms: int) -> list[Order]:
        """Cancel every open order of ``uid`` (by symbol > baseCoin, else all); return them."""
        require_spot(params)
        symbol, base = text_param(params, "symbol"), text_param(params, "baseCoin")
        if symbol:
            self._market(symbol)
        if (text_param(params, "orderFilter") or "Order") != "Order":
            return []  # the simulator keeps no conditional or TP/SL orders to cancel

        def wanted(order: Order) -> bool:
            if symbol:  # Bybit's priority: symbol > baseCoin
                return order.symbol == symbol
            return not base or self._markets[order.symbol].instrument.base_coin == base

        chosen = [o for o in self.orders(uid) if o.is_open and wanted(o)]
        return [self._close(o, now_ms, "CancelByUser", "EC_NoError") for o in chosen]

    def amend(self, uid: str, params: Mapping[str, object], now_ms: int) -> Order:
        """Change the qty and/or price of an open limit order; it may then trade at once as a taker."""
        require_spot(params)
        market = self._market(text_param(params, "symbol"))
        order_id, link_id = text_param(params, "orderId"), text_param(params, "orderLinkId")
        if not order_id and not link_id:
            raise ApiError(10001, "params error: orderId or orderLinkId is required")
        order = self.find(uid, order_id, link_id)
        if order is None or order.symbol != market.instrument.symbol or not order.is_open:
            raise ApiError(170213, "Order does not exist.")
        assert order.price is not None  # only limit orders rest
        qty, price = parse_amend(params, market.instrument, order.qty, order.price, order.cum_exec_qty)
        intent = OrderIntent(order.symbol, order.side, "Limit", qty, price, order.time_in_force, "", "")
        check_notional(intent, market.instrument, price)
        check_price_limit(intent, *self.price_limits(market))
        self._release(order)
        amended = replace(order, qty=qty, price=price, updated_ms=now_ms)
        coin, need = self._reservation(amended)
        if self._ledger.available(uid, coin) < need:
            self._reserve(order)
            raise ApiError(170131, "Balance insufficient")
        self._reserve(amended)
        amended = self._store(amended)
        fills = self._crossable(amended, market.book)
        if fills and amended.time_in_force == "PostOnly":
            return self._close(amended, now_ms, "CancelByUser", "EC_PostOnlyWillTakeLiquidity")
        for fill_price, fill_qty in fills:
            amended = self._fill(amended, fill_price, fill_qty, False, now_ms)
        return amended

    def on_tick(self, market: SymbolMarket, candle: Candle, now_ms: int) -> None:
        """Fill resting limit orders the new candle traded through (maker fills at the order price)."""
        for order_id in list(self._open[market.instrument.symbol]):
            order = self._orders[order_id]
            assert order.price is not None
            crossed = candle.low < order.price if order.side == "Buy" else candle.high > order.price
            if crossed:
                self._fill(order, order.price, order.leaves_qty, True, now_ms)

    # -- internals -----------------------------------------------------------------------------

    def _market(self, symbol: str) -> SymbolMarket:
        if not symbol:
            raise ApiError(10001, "params error: symbol is empty")
        market = self._markets.get(symbol)
        if market is None:
            raise ApiError(170121, "Invalid symbol.")
        return market

    def _check_balance(self, uid: str, intent: OrderIntent, market: SymbolMarket) -> None:
        inst = market.instrument
        if intent.side == "Sell":
            # A sell by value needs the base coin the amount buys at the worst bid of the book.
            by_value = intent.market_unit == "quoteCoin"
            need = intent.qty / market.book.bids[-1].price if by_value else intent.qty
            coin = inst.base_coin
        elif intent.market_unit == "quoteCoin":
            need, coin = intent.qty, inst.quote_coin
        elif intent.price is not None:
            need, coin = intent.qty * intent.price, inst.quote_coin
        else:  # a market buy by base quantity: what walking the book would cost
            need, coin = intent.qty * market.book.asks[-1].price, inst.quote_coin
        if self._ledger.available(uid, coin) < need:
            raise ApiError(170131, "Balance insufficient")

    def _reservation(self, order: Order) -> tuple[str, Decimal]:
        """Return the coin and amount a resting limit order holds locked for what is left of it."""
        inst = self._markets[order.symbol].instrument
        leaves = order.qty - order.cum_exec_qty
        if order.side == "Buy":
            assert order.price is not None
            return inst.quote_coin, leaves * order.price
        return inst.base_coin, leaves

    def _reserve(self, order: Order) -> None:
        """Lock what a resting limit order needs for what is left of it."""
        self._ledger.lock(order.uid, *self._reservation(order))

    def _release(self, order: Order) -> None:
        """Unlock what a resting limit order held for what is left of it."""
        self._ledger.unlock(order.uid, *self._reservation(order))

    def _crossable(self, order: Order, book: Book) -> list[tuple[Decimal, Decimal]]:
        """Return the (price, qty) fills the order would take from ``book`` right now."""
        market = self._markets[order.symbol]
        step = market.instrument.base_precision
        buy = order.side == "Buy"
        remaining = order.qty if order.by_value else order.qty - order.cum_exec_qty
        bound = order.price
        if bound is None:
            # A market order fills only within the price limit; the rest is cancelled (notes, 5).
            highest, lowest = self.price_limits(market)
            bound = highest if buy else lowest
        fills: list[tuple[Decimal, Decimal]] = []
        for level in book.asks if buy else book.bids:
            if level.price > bound if buy else level.price < bound:
                break
            if order.by_value:
                take = min(level.size, (remaining / level.price).quantize(step, rounding=ROUND_DOWN))
                if take <= 0:
                    break
                remaining -= take * level.price
            else:
                take = min(level.size, remaining)
                remaining -= take
            fills.append((level.price, take))
            if remaining <= 0:
                break
        return fills

    def _execute_taker(self, order: Order, book: Book, now_ms: int) -> Order:
        fills = self._crossable(order, book)
        if order.time_in_force == "PostOnly" and fills:
            return self._close(order, now_ms, "CancelByUser", "EC_PostOnlyWillTakeLiquidity")
        if order.time_in_force == "FOK" and sum((q for _, q in fills), ZERO) < order.qty:
            return self._close(order, now_ms, "CancelByUser", "EC_NoImmediateQtyToFill")
        for price, qty in fills:
            order = self._fill(order, price, qty, False, now_ms)
        if order.order_type == "Market":
            spent = order.cum_exec_value if order.by_value else order.cum_exec_qty
            levels = book.asks if order.side == "Buy" else book.bids
            # A market order by value is done when what is left cannot trade one more lot.
            lot = self._markets[order.symbol].instrument.base_precision
            top = max(levels[0].price, levels[-1].price)
            done = order.qty - spent < (top * lot if order.by_value else lot)
            if done:
                order = self._store(replace(order, status="Filled", updated_ms=now_ms))
            else:
                order = self._close(order, now_ms, "CancelByUser", "EC_NoImmediateQtyToFill")
        elif order.time_in_force == "IOC" and order.is_open:
            order = self._close(order, now_ms, "CancelByUser", "EC_NoImmediateQtyToFill")
        elif order.is_open:
            self._open[order.symbol].append(order.order_id)
        return order

    def _fill(self, order: Order, price: Decimal, qty: Decimal, is_maker: bool, now_ms: int) -> Order:
        inst = self._markets[order.symbol].instrument
        rate = self._maker_fee if is_maker else self._taker_fee
        value = price * qty
        uid, ledger = order.uid, self._ledger
        if order.side == "Buy":
            fee, fee_coin = (qty * rate).quantize(_FEE_STEP), inst.base_coin
            ledger.transfer(uid, inst.quote_coin, -value)
            ledger.transfer(uid, inst.base_coin, qty - fee)
            if order.order_type == "Limit":
                assert order.price is not None
                ledger.unlock(uid, inst.quote_coin, qty * order.price)
        else:
            fee, fee_coin = (value * rate).quantize(_FEE_STEP), inst.quote_coin
            ledger.transfer(uid, inst.base_coin, -qty)
            ledger.transfer(uid, inst.quote_coin, value - fee)
            if order.order_type == "Limit":
                ledger.unlock(uid, inst.base_coin, qty)
        cum_qty = order.cum_exec_qty + qty
        status = order.status
        if order.order_type == "Limit":
            status = "Filled" if cum_qty >= order.qty else "PartiallyFilled"
        order = replace(
            order,
            cum_exec_qty=cum_qty,
            cum_exec_value=order.cum_exec_value + value,
            cum_exec_fee=order.cum_exec_fee + fee,
            fee_coin=fee_coin,
            status=status,
            updated_ms=now_ms,
        )
        self._store(order)
        self._seq += 1
        execution = Execution(
            exec_id=str(uuid.UUID(int=self._seed_bits | self._seq)),
            order_id=order.order_id,
            order_link_id=order.order_link_id,
            uid=uid,
            symbol=order.symbol,
            side=order.side,
            order_type=order.order_type,
            order_price=order.price,
            order_qty=order.qty,
            leaves_qty=order.leaves_qty,
            exec_price=price,
            exec_qty=qty,
            exec_value=value,
            exec_fee=fee,
            fee_currency=fee_coin,
            fee_rate=rate,
            is_maker=is_maker,
            exec_time_ms=now_ms,
            seq=self._seq,
        )
        self._executions.setdefault(uid, []).append(execution)
        return order

    def _close(self, order: Order, now_ms: int, cancel_type: str, reason: str) -> Order:
        """Cancel what is left of ``order`` and release its locked funds."""
        if order.order_type == "Limit":
            self._release(order)
        status = "PartiallyFilledCanceled" if order.cum_exec_qty else "Cancelled"
        closed = replace(
            order, status=status, cancel_type=cancel_type, reject_reason=reason, updated_ms=now_ms
        )
        return self._store(closed)

    def _store(self, order: Order) -> Order:
        self._orders[order.order_id] = order
        if not order.is_open and order.order_id in self._open[order.symbol]:
            self._open[order.symbol].remove(order.order_id)
        return order
