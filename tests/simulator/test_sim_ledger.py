"""Balances stay consistent under any sequence of orders, cancels and ticks (a property test)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from preflight.simulator import Account, BybitSimulator, SimulatorConfig
from preflight.simulator.orders import OPEN_STATUSES
from preflight.simulator.wire import ApiError

START = {"USDT": Decimal(20_000), "BTC": Decimal("0.5")}

actions = st.lists(
    st.one_of(
        st.tuples(
            st.just("limit"), st.sampled_from(["Buy", "Sell"]), st.integers(-300, 300), st.integers(1, 40)
        ),
        st.tuples(st.just("market"), st.sampled_from(["Buy", "Sell"]), st.integers(0, 0), st.integers(1, 40)),
        st.tuples(st.just("cancel"), st.just(""), st.integers(0, 50), st.integers(0, 0)),
        st.tuples(st.just("tick"), st.just(""), st.integers(1, 5), st.integers(0, 0)),
    ),
    max_size=40,
)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), steps=actions)
def test_balances_conserve_value_and_never_go_negative(seed, steps):
    account = Account(uid="1", api_key="k", api_secret="s", balances=START)
    simulator = BybitSimulator(
        SimulatorConfig(accounts=(account,), seed=seed), clock_ms=lambda: 1_700_000_000_000
    )
    engine, ledger = simulator.venue.engine, simulator.venue.ledger
    market = simulator.venue.markets["BTCUSDT"]
    for kind, side, offset, size in steps:
        params: dict[str, object] = {"category": "spot", "symbol": "BTCUSDT", "side": side}
        try:
            if kind == "limit":
                price = market.last_price + offset * Decimal(10)
                engine.place(
                    "1",
                    {**params, "orderType": "Limit", "qty": str(Decimal(size) / 1000), "price": str(price)},
                    0,
                )
            elif kind == "market":
                qty = str(size * 10) if side == "Buy" else str(Decimal(size) / 1000)
                engine.place("1", {**params, "orderType": "Market", "qty": qty}, 0)
            elif kind == "cancel":
                orders = simulator.orders_for("1")
                if orders:
                    target = orders[offset % len(orders)]
                    engine.cancel(
                        "1", {"category": "spot", "symbol": "BTCUSDT", "orderId": target.order_id}, 0
                    )
            else:
                simulator.advance(offset)
        except ApiError:
            pass  # a rejection must leave balances untouched, which the checks below cover
        for coin in ("USDT", "BTC"):
            assert ledger.wallet("1", coin) >= 0
            assert 0 <= ledger.locked("1", coin) <= ledger.wallet("1", coin)
    fills = simulator.executions_for("1")
    bought = sum((e.exec_qty for e in fills if e.side == "Buy"), Decimal(0))
    sold = sum((e.exec_qty for e in fills if e.side == "Sell"), Decimal(0))
    spent = sum((e.exec_value for e in fills if e.side == "Buy"), Decimal(0))
    earned = sum((e.exec_value for e in fills if e.side == "Sell"), Decimal(0))
    base_fees = sum((e.exec_fee for e in fills if e.fee_currency == "BTC"), Decimal(0))
    quote_fees = sum((e.exec_fee for e in fills if e.fee_currency == "USDT"), Decimal(0))
    assert ledger.wallet("1", "BTC") == START["BTC"] + bought - sold - base_fees
    assert ledger.wallet("1", "USDT") == START["USDT"] - spent + earned - quote_fees
    open_orders = [o for o in simulator.orders_for("1") if o.status in OPEN_STATUSES]
    locked_usdt = sum((o.leaves_qty * o.price for o in open_orders if o.side == "Buy"), Decimal(0))
    locked_btc = sum((o.leaves_qty for o in open_orders if o.side == "Sell"), Decimal(0))
    assert ledger.locked("1", "USDT") == locked_usdt
    assert ledger.locked("1", "BTC") == locked_btc
