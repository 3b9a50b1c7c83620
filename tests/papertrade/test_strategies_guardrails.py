"""Strategies turn prices into the intents their kind promises; guardrails refuse what the limits forbid."""

from __future__ import annotations

import pytest

from preflight.deployment.model import Guardrails, StrategyProfile, StrategySpec
from preflight.errors import ConfigError
from preflight.exchange.events import EventType
from preflight.papertrade.guardrails import GuardrailBook, OrderContext
from preflight.papertrade.strategies import (
    CancelIntent,
    GridStrategy,
    MeanReversionStrategy,
    OrderIntent,
    RestingOrder,
    Side,
    StrategyView,
    TrendStrategy,
    build_strategies,
)

TREND = StrategySpec("t", "trend", 0.4, "BTCUSDT", {"fast": 3, "slow": 6, "order_notional": 400})
MEANREV = StrategySpec(
    "m",
    "mean_reversion",
    0.35,
    "ETHUSDT",
    {"window": 10, "entry_z": 1.5, "exit_z": 0.3, "order_notional": 300},
)
GRID = StrategySpec("g", "grid", 0.25, "BTCUSDT", {"levels": 3, "spacing_bps": 25, "order_notional": 150})


def view(history: list[float], position: float = 0.0, resting: tuple[RestingOrder, ...] = ()) -> StrategyView:
    return StrategyView(len(history), history[-1], tuple(history), position, resting)


def test_trend_buys_on_a_cross_up_and_sells_the_position_on_a_cross_down() -> None:
    trend = TrendStrategy(TREND, 10_000)
    assert trend.on_tick(view([100.0] * 3)) == ()  # not warmed up
    (buy,) = trend.on_tick(view([100, 100, 100, 101, 102, 103]))
    assert isinstance(buy, OrderIntent) and buy.side is Side.BUY and buy.price is None
    assert buy.notional == 400
    assert trend.on_tick(view([100, 100, 100, 101, 102, 103], position=4.0)) == ()  # already long
    (sell,) = trend.on_tick(view([103, 103, 103, 102, 101, 100], position=4.0))
    assert isinstance(sell, OrderIntent) and sell.side is Side.SELL and sell.notional == pytest.approx(400)
    assert trend.on_tick(view([103, 103, 103, 102, 101, 100])) == ()  # flat stays flat


def test_mean_reversion_fades_stretched_moves_and_flattens_on_reversion() -> None:
    strategy = MeanReversionStrategy(MEANREV, 10_000)
    calm = [100.0, 100.2, 99.8, 100.1, 99.9, 100.0, 100.2, 99.8, 100.1]
    (buy,) = strategy.on_tick(view([*calm, 97.0]))
    assert isinstance(buy, OrderIntent) and buy.side is Side.BUY and buy.notional == 300
    (sell,) = strategy.on_tick(view([*calm, 103.0]))
    assert isinstance(sell, OrderIntent) and sell.side is Side.SELL
    (close,) = strategy.on_tick(view([*calm, 100.0], position=3.0))
    assert isinstance(close, OrderIntent) and close.side is Side.SELL and close.notional == pytest.approx(300)
    (cover,) = strategy.on_tick(view([*calm, 100.0], position=-3.0))
    assert isinstance(cover, OrderIntent) and cover.side is Side.BUY
    assert strategy.on_tick(view([100.0] * 10)) == ()  # no spread, no signal


def test_grid_places_levels_refills_and_recentres() -> None:
    grid = GridStrategy(GRID, 10_000)
    first = grid.on_tick(view([60_000.0]))
    assert all(isinstance(i, OrderIntent) and i.price is not None for i in first)
    prices = sorted((i.side, round(i.price or 0)) for i in first if isinstance(i, OrderIntent))
    assert prices == [
        (Side.BUY, 59550),
        (Side.BUY, 59700),
        (Side.BUY, 59850),
        (Side.SELL, 60150),
        (Side.SELL, 60300),
        (Side.SELL, 60450),
    ]
    resting = tuple(RestingOrder(i.side, i.price or 0) for i in first if isinstance(i, OrderIntent))
    assert grid.on_tick(view([60_010.0], resting=resting)) == ()
    (refill,) = grid.on_tick(view([60_010.0], resting=resting[1:]))  # the first buy level filled
    assert isinstance(refill, OrderIntent) and refill.side is Side.BUY and round(refill.price or 0) == 59850
    moved = grid.on_tick(view([61_000.0], resting=resting))
    assert isinstance(moved[0], CancelIntent)
    assert len(moved) == 7 and grid.center == 61_000.0


def test_strategies_are_deterministic_and_weights_cap_the_order_size() -> None:
    profile = StrategyProfile("p", (TREND, MEANREV, GRID))
    one = build_strategies(profile, 10_000)
    two = build_strategies(profile, 10_000)
    path = [100 + (i % 7) * 0.9 - (i % 3) * 1.3 for i in range(40)]
    for a, b in zip(one, two, strict=True):
        assert [a.on_tick(view(path[: n + 1])) for n in range(40)] == [
            b.on_tick(view(path[: n + 1])) for n in range(40)
        ]
    small = build_strategies(profile, 500)
    assert [s.order_notional for s in small] == [200, 175, 125]  # weight x equity caps order_notional


def test_unknown_kind_and_bad_params_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="unknown kind"):
        build_strategies(StrategyProfile("p", (StrategySpec("x", "martingale", 1, "BTCUSDT", {}),)), 1000)
    with pytest.raises(ConfigError, match="fast"):
        TrendStrategy(StrategySpec("t", "trend", 1, "BTCUSDT", {"fast": 9, "slow": 3}), 1000)


LIMITS = Guardrails(
    max_order_notional=1000,
    max_position_notional=5000,
    max_open_orders=2,
    max_orders_per_minute=3,
    max_drawdown_pct=5.0,
)


def intent(notional: float = 100, side: Side = Side.BUY, price: float | None = None) -> OrderIntent:
    return OrderIntent("s", "BTCUSDT", side, notional, price, "test")


def ctx(now_ms: int = 0, open_orders: int = 0, position: float = 0.0) -> OrderContext:
    return OrderContext(
        tick=now_ms // 60_000, now_ms=now_ms, open_orders=open_orders, position_qty=position, price=100.0
    )


def test_each_guardrail_rejects_with_details() -> None:
    book = GuardrailBook(LIMITS)
    verdict = book.check(intent(1500), ctx())
    assert not verdict.allowed and verdict.event is not None
    assert verdict.event.type is EventType.REJECT
    assert verdict.event.details["rule"] == "max_order_notional"
    assert verdict.event.details["observed"] == 1500 and verdict.event.details["limit"] == 1000
    verdict = book.check(intent(900), ctx(position=45))
    assert verdict.event is not None and verdict.event.details["rule"] == "max_position_notional"
    assert book.check(intent(900, Side.SELL), ctx(position=55)).allowed  # reducing is allowed
    verdict = book.check(intent(100, price=99.0), ctx(open_orders=2))
    assert verdict.event is not None and verdict.event.details["rule"] == "max_open_orders"
    assert book.check(intent(100), ctx(open_orders=2)).allowed  # market orders do not rest


def test_orders_per_minute_use_simulated_time() -> None:
    book = GuardrailBook(LIMITS)
    assert all(book.check(intent(), ctx(now_ms=1000)).allowed for _ in range(3))
    verdict = book.check(intent(), ctx(now_ms=30_000))
    assert verdict.event is not None and verdict.event.details["rule"] == "max_orders_per_minute"
    assert book.check(intent(), ctx(now_ms=61_000)).allowed  # the window slid past the first three


def test_drawdown_breach_stops_new_orders() -> None:
    book = GuardrailBook(LIMITS)
    assert book.observe_equity(10_000, 0) is None
    assert book.observe_equity(9_600, 1) is None
    breach = book.observe_equity(9_400, 2)
    assert breach is not None and breach.type is EventType.BREACH
    assert breach.details["rule"] == "max_drawdown_pct" and breach.details["observed"] == 6.0
    assert book.halted and book.observe_equity(9_000, 3) is None  # reported once
    verdict = book.check(intent(), ctx())
    assert not verdict.allowed and verdict.event is not None
    assert verdict.event.details["rule"] == "max_drawdown_pct"
