"""The strategies of a strategy profile: trend, mean reversion and grid, each turning prices into intents.

Strategies are deterministic: the same price path and positions give the same intents. They never talk
to the exchange; the session turns their intents into orders after the guardrails have passed them.
A strategy's ``weight`` is its share of the starting equity: its position is capped at that budget.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from preflight.deployment.model import StrategyProfile, StrategySpec
from preflight.errors import ConfigError


class Side(StrEnum):
    """An order side, spelled as Bybit spells it."""

    BUY = "Buy"
    SELL = "Sell"


@dataclass(frozen=True)
class OrderIntent:
    """A strategy wants an order: market when ``price`` is None, else a resting limit order."""

    strategy: str
    symbol: str
    side: Side
    notional: float  # quote amount at the intended (or current) price
    price: float | None
    reason: str


@dataclass(frozen=True)
class CancelIntent:
    """A strategy wants all its resting orders on ``symbol`` cancelled."""

    strategy: str
    symbol: str
    reason: str


Intent = OrderIntent | CancelIntent


@dataclass(frozen=True)
class RestingOrder:
    """One of the strategy's open limit orders, as the session tracks it."""

    side: Side
    price: float


@dataclass(frozen=True)
class StrategyView:
    """What a strategy sees on one tick."""

    tick: int
    price: float  # the last price of the strategy's symbol
    history: tuple[float, ...]  # recent closes, oldest first, ending with ``price``
    position_qty: float  # the strategy's net position in the base coin (negative: sold from inventory)
    resting: tuple[RestingOrder, ...]


def _param(spec: StrategySpec, name: str, default: float | None = None) -> float:
    value = spec.params.get(name, default)
    if value is None:
        raise ConfigError(
            f"strategy {spec.name} ({spec.kind}) needs params.{name}; add it to config/core.yaml"
        )
    return float(value)


class Strategy:
    """The common part: name, symbol, per-order notional and the budget its weight allows."""

    kind = ""

    def __init__(self, spec: StrategySpec, equity: float) -> None:
        self.spec = spec
        self.name = spec.name
        self.symbol = spec.symbol
        self.weight = spec.weight
        self.budget = spec.weight * equity
        self.order_notional = min(_param(spec, "order_notional", 100.0), self.budget)

    def warmup(self) -> int:
        """Return how many closes the strategy needs before it acts."""
        return 1

    def on_tick(self, view: StrategyView) -> tuple[Intent, ...]:
        """Return the intents for this tick."""
        raise NotImplementedError

    def _market(self, side: Side, notional: float, reason: str) -> OrderIntent:
        return OrderIntent(self.name, self.symbol, side, notional, None, reason)


class TrendStrategy(Strategy):
    """Fast/slow moving-average cross: long while the fast average is above the slow one, flat otherwise."""

    kind = "trend"

    def __init__(self, spec: StrategySpec, equity: float) -> None:
        super().__init__(spec, equity)
        self.fast = int(_param(spec, "fast"))
        self.slow = int(_param(spec, "slow"))
        if not 0 < self.fast < self.slow:
            raise ConfigError(f"strategy {spec.name}: params.fast must be positive and below params.slow")

    def warmup(self) -> int:
        """Return the slow window."""
        return self.slow

    def on_tick(self, view: StrategyView) -> tuple[Intent, ...]:
        """Buy on a cross up, sell the position on a cross down."""
        if len(view.history) < self.slow:
            return ()
        fast = statistics.fmean(view.history[-self.fast :])
        slow = statistics.fmean(view.history[-self.slow :])
        held = view.position_qty * view.price
        if fast > slow and held < self.order_notional / 2:
            return (self._market(Side.BUY, self.order_notional, f"fast MA {fast:.2f} > slow MA {slow:.2f}"),)
        if fast < slow and held > 0:
            return (self._market(Side.SELL, held, f"fast MA {fast:.2f} < slow MA {slow:.2f}"),)
        return ()


class MeanReversionStrategy(Strategy):
    """Z-score of the price on a rolling window: fade stretched moves, close when they revert."""

    kind = "mean_reversion"

    def __init__(self, spec: StrategySpec, equity: float) -> None:
        super().__init__(spec, equity)
        self.window = int(_param(spec, "window"))
        self.entry_z = _param(spec, "entry_z")
        self.exit_z = _param(spec, "exit_z")
        if self.window < 3 or not 0 <= self.exit_z < self.entry_z:
            raise ConfigError(f"strategy {spec.name}: need window >= 3 and 0 <= exit_z < entry_z")

    def warmup(self) -> int:
        """Return the rolling window."""
        return self.window

    def on_tick(self, view: StrategyView) -> tuple[Intent, ...]:
        """Buy below -entry_z, sell inventory above +entry_z, flatten once |z| is back under exit_z."""
        if len(view.history) < self.window:
            return ()
        window = view.history[-self.window :]
        spread = statistics.pstdev(window)
        if spread <= 0:
            return ()
        z = (view.price - statistics.fmean(window)) / spread
        held = view.position_qty * view.price
        flat = abs(held) < self.order_notional / 2
        if flat and z <= -self.entry_z:
            return (self._market(Side.BUY, self.order_notional, f"z {z:.2f} <= -{self.entry_z}"),)
        if flat and z >= self.entry_z:
            return (self._market(Side.SELL, self.order_notional, f"z {z:.2f} >= {self.entry_z}"),)
        if held > 0 and z >= -self.exit_z:
            return (self._market(Side.SELL, held, f"long reverted: z {z:.2f} >= -{self.exit_z}"),)
        if held < 0 and z <= self.exit_z:
            return (self._market(Side.BUY, -held, f"short reverted: z {z:.2f} <= {self.exit_z}"),)
        return ()


class GridStrategy(Strategy):
    """Resting limit orders ``levels`` deep on each side of a centre, ``spacing_bps`` apart.

    A filled level is placed again on the next tick; when the price leaves the grid the strategy cancels
    everything and re-centres on the current price.
    """

    kind = "grid"

    def __init__(self, spec: StrategySpec, equity: float) -> None:
        super().__init__(spec, equity)
        self.levels = int(_param(spec, "levels"))
        self.spacing = _param(spec, "spacing_bps") / 10_000
        if self.levels < 1 or self.spacing <= 0:
            raise ConfigError(f"strategy {spec.name}: params.levels and params.spacing_bps must be positive")
        self.center: float | None = None

    def _grid(self, center: float) -> list[tuple[Side, float]]:
        grid: list[tuple[Side, float]] = []
        for level in range(1, self.levels + 1):
            grid.append((Side.BUY, center * (1 - self.spacing * level)))
            grid.append((Side.SELL, center * (1 + self.spacing * level)))
        return grid

    def on_tick(self, view: StrategyView) -> tuple[Intent, ...]:
        """Place missing levels; re-centre when the price has left the grid."""
        intents: list[Intent] = []
        edge = self.spacing * (self.levels + 0.5)
        if self.center is None or abs(view.price / self.center - 1) > edge:
            if view.resting:
                intents.append(
                    CancelIntent(self.name, self.symbol, f"re-centre the grid on {view.price:.2f}")
                )
            self.center = view.price
            resting: tuple[RestingOrder, ...] = ()
        else:
            resting = view.resting
        for side, price in self._grid(self.center):
            # A level still rests when an order of that side sits within a fifth of a spacing of it.
            taken = any(
                o.side is side and math.isclose(o.price, price, rel_tol=self.spacing / 5) for o in resting
            )
            # Never cross the book: a buy above (or a sell below) the last price would fill at once.
            crosses = price >= view.price if side is Side.BUY else price <= view.price
            if taken or crosses:
                continue
            if side is Side.BUY and view.position_qty * view.price >= self.budget:
                continue
            reason = f"grid level {price:.2f} around {self.center:.2f}"
            intents.append(OrderIntent(self.name, self.symbol, side, self.order_notional, price, reason))
        return tuple(intents)


STRATEGY_KINDS: Mapping[str, Callable[[StrategySpec, float], Strategy]] = {
    TrendStrategy.kind: TrendStrategy,
    MeanReversionStrategy.kind: MeanReversionStrategy,
    GridStrategy.kind: GridStrategy,
}


def build_strategies(profile: StrategyProfile, equity: float) -> tuple[Strategy, ...]:
    """Instantiate every strategy of ``profile``; ``equity`` (quote) is what the weights share."""
    built: list[Strategy] = []
    for spec in profile.strategies:
        factory = STRATEGY_KINDS.get(spec.kind)
        if factory is None:
            known = ", ".join(sorted(STRATEGY_KINDS))
            raise ConfigError(f"strategy {spec.name}: unknown kind {spec.kind!r} (known: {known})")
        built.append(factory(spec, equity))
    return tuple(built)
