"""The signed Bybit V5 spot adapter: endpoints a paper session and the key/clock probes need.

Usage::

    async with create_adapter(config, credentials, metrics=metrics, transport=sim.async_transport()) as ex:
        ack = await ex.place_order(OrderRequest("BTCUSDT", "Buy", "Limit", "0.001", price="30000"))

``config.base_url`` may name any Bybit-compatible host (``--exchange-url``): the simulator, testnet
(``https://api-testnet.bybit.com``) or demo (``https://api-demo.bybit.com``).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType, TracebackType

import httpx

from preflight.errors import ExchangeError
from preflight.exchange.bybit import orders
from preflight.exchange.bybit.auth import Credentials
from preflight.exchange.bybit.bans import HostBans
from preflight.exchange.bybit.io_queue import IoQueue
from preflight.exchange.bybit.metrics import ExchangeMetrics
from preflight.exchange.bybit.requester import Params, Requester
from preflight.exchange.bybit.retry import RetryPolicy
from preflight.exchange.bybit.wire import (
    ApiKeyInfo,
    CoinBalance,
    Execution,
    Instrument,
    Kline,
    OrderAck,
    OrderBook,
    OrderRequest,
    OrderState,
    Ticker,
    next_cursor,
    parse_api_key_info,
    parse_execution,
    parse_instrument,
    parse_kline,
    parse_order_state,
    parse_orderbook,
    parse_server_time_ms,
    parse_ticker,
    parse_wallet,
    result_list,
)
from preflight.exchange.events import EventSink, ignore_event

__all__ = ["AdapterConfig", "BybitSpotAdapter", "OrderRequest", "create_adapter"]

_EXECUTION_LOOKBACK_MS = 6 * 86_400_000  # inside Bybit's 7-day execution/list window
_MAX_PAGES = 20  # a bound on cursor pagination: 20 pages of 50 is far beyond a paper session


@dataclass(frozen=True)
class AdapterConfig:
    """Where and how the adapter talks to Bybit (limits come from the deployment's io_queue)."""

    base_url: str
    entrypoint: str
    exchange: str = "bybit"
    recv_window_ms: int = 5000
    max_concurrency: int = 3
    burst: int = 6
    rate_limit_warning_seconds: float = 0.5
    retry_budget: int = 5
    timeout_s: float = 5.0
    queue_key: str = "bybit_spot"
    category: str = "spot"


async def _asyncio_sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)


class BybitSpotAdapter:
    """A signed, queued, metered Bybit V5 spot client (an async context manager)."""

    def __init__(
        self,
        config: AdapterConfig,
        credentials: Credentials | None,
        *,
        metrics: ExchangeMetrics,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        events: EventSink = ignore_event,
        rng: random.Random | None = None,
        io_queue: IoQueue | None = None,
        policy: RetryPolicy | None = None,
        bans: HostBans | None = None,
    ) -> None:
        self.config = config
        self.metrics = metrics
        clock = clock or time.time
        self.queue = io_queue or IoQueue(
            config.queue_key,
            config.max_concurrency,
            config.burst,
            warning_seconds=config.rate_limit_warning_seconds,
            clock=clock,
            events=events,
        )
        self._requester = Requester(
            base_url=config.base_url,
            entrypoint=config.entrypoint,
            credentials=credentials,
            recv_window_ms=config.recv_window_ms,
            timeout_s=config.timeout_s,
            metrics=metrics,
            queue=self.queue,
            policy=policy or RetryPolicy(budget=config.retry_budget),
            transport=transport,
            clock=clock,
            sleep=sleep or _asyncio_sleep,
            events=events,
            rng=rng or random.Random(),
            warning_seconds=config.rate_limit_warning_seconds,
            bans=bans,
        )

    async def __aenter__(self) -> BybitSpotAdapter:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._requester.aclose()

    @property
    def offset_ms(self) -> int:
        """Return the measured server-minus-local clock offset in ms."""
        return self._requester.offset_ms

    @property
    def banned(self) -> bool:
        """Say whether the host answered 403 (to this or a sharing adapter): all traffic to it stops."""
        return self._requester.banned

    async def _get(self, endpoint: str, params: Params = (), *, signed: bool = False) -> Mapping[str, object]:
        return await self._requester.call("GET", endpoint, params=params, signed=signed)

    async def sync_time(self) -> int:
        """Measure the offset between the local and the server clock; return it in ms."""
        return await self._requester.sync_time()

    async def server_time_ms(self) -> int:
        """Return the exchange's clock (epoch ms) as ``/v5/market/time`` reports it."""
        return parse_server_time_ms(await self._get("/v5/market/time"))

    async def probe_health(self) -> bool:
        """Probe the host (clock sync plus a signed key query); record and return the health."""
        healthy = not self.banned
        if healthy:
            try:
                await self.sync_time()
                if self._requester.signed:
                    await self.query_api()
            except ExchangeError:
                healthy = False
        self.metrics.set_health(self.config.entrypoint, healthy)
        return healthy

    async def instrument(self, symbol: str) -> Instrument:
        """Return the trading rules of ``symbol``."""
        result = await self._get(
            "/v5/market/instruments-info", [("category", self.config.category), ("symbol", symbol)]
        )
        items = result_list(result, "instruments-info")
        for item in items:
            instrument = parse_instrument(item)
            if instrument.symbol == symbol:
                return instrument
        raise ExchangeError(f"the exchange lists no {self.config.category} instrument {symbol!r}")

    async def ticker(self, symbol: str) -> Ticker:
        """Return the ticker of ``symbol``."""
        result = await self._get(
            "/v5/market/tickers", [("category", self.config.category), ("symbol", symbol)]
        )
        for item in result_list(result, "tickers"):
            ticker = parse_ticker(item)
            if ticker.symbol == symbol:
                return ticker
        raise ExchangeError(f"the exchange returned no ticker for {symbol!r}")

    async def klines(self, symbol: str, interval: str = "1", limit: int = 200) -> tuple[Kline, ...]:
        """Return up to ``limit`` candles, newest first (as Bybit sends them)."""
        params = [
            ("category", self.config.category),
            ("symbol", symbol),
            ("interval", interval),
            ("limit", str(limit)),
        ]
        result = await self._get("/v5/market/kline", params)
        rows = result.get("list", [])
        return tuple(parse_kline(row) for row in rows) if isinstance(rows, list) else ()

    async def orderbook(self, symbol: str, depth: int = 1) -> OrderBook:
        """Return an order-book snapshot ``depth`` levels deep."""
        params = [("category", self.config.category), ("symbol", symbol), ("limit", str(depth))]
        return parse_orderbook(await self._get("/v5/market/orderbook", params))

    async def place_order(self, order: OrderRequest) -> OrderAck:
        """Place an order exactly once (orderLinkId + reconciliation of ambiguous outcomes)."""
        return await orders.place_order(self._requester, order, self.config.category)

    async def cancel_order(
        self, symbol: str, *, order_link_id: str | None = None, order_id: str | None = None
    ) -> OrderAck:
        """Cancel an order by orderLinkId or orderId."""
        return await orders.cancel_order(
            self._requester,
            symbol,
            order_link_id=order_link_id,
            order_id=order_id,
            category=self.config.category,
        )

    async def find_order(self, symbol: str, order_link_id: str) -> OrderState | None:
        """Look an order up by orderLinkId (open orders, then history)."""
        return await orders.find_order(self._requester, symbol, order_link_id, self.config.category)

    async def _paged(self, endpoint: str, params: list[tuple[str, str]]) -> list[Mapping[str, object]]:
        items: list[Mapping[str, object]] = []
        cursor = ""
        for _ in range(_MAX_PAGES):
            page = params + ([("cursor", cursor)] if cursor else [])
            result = await self._get(endpoint, page, signed=True)
            items.extend(result_list(result, endpoint))
            cursor = next_cursor(result)
            if not cursor:
                break
        return items

    async def open_orders(self, symbol: str | None = None) -> tuple[OrderState, ...]:
        """Return the open orders (of ``symbol``, or all)."""
        params = [("category", self.config.category)] + ([("symbol", symbol)] if symbol else [])
        items = await self._paged("/v5/order/realtime", [*params, ("limit", "50")])
        return tuple(parse_order_state(item) for item in items)

    async def order_history(self, symbol: str | None = None) -> tuple[OrderState, ...]:
        """Return recent closed orders (of ``symbol``, or all)."""
        params = [("category", self.config.category)] + ([("symbol", symbol)] if symbol else [])
        items = await self._paged("/v5/order/history", [*params, ("limit", "50")])
        return tuple(parse_order_state(item) for item in items)

    async def executions(
        self, symbol: str | None = None, *, since_ms: int | None = None
    ) -> tuple[Execution, ...]:
        """Return recent fills (of ``symbol``, or all); with ``since_ms``, only those from that time on.

        Bybit answers fills from ``startTime`` to 7 days after it, so the start is kept within the
        last 6 days of the server clock: a poller that passes its newest fill time never misses one.
        """
        params = [("category", self.config.category)] + ([("symbol", symbol)] if symbol else [])
        if since_ms is not None:
            floor = self._requester.server_now_ms() - _EXECUTION_LOOKBACK_MS
            params.append(("startTime", str(max(since_ms, floor))))
        items = await self._paged("/v5/execution/list", [*params, ("limit", "100")])
        return tuple(parse_execution(item) for item in items)

    async def wallet_balance(self, coins: Sequence[str] | None = None) -> Mapping[str, CoinBalance]:
        """Return the unified wallet's balances by coin."""
        params = [("accountType", "UNIFIED")] + ([("coin", ",".join(coins))] if coins else [])
        result = await self._get("/v5/account/wallet-balance", params, signed=True)
        return MappingProxyType(parse_wallet(result))

    async def query_api(self) -> ApiKeyInfo:
        """Return what the exchange knows about the API key in use."""
        return parse_api_key_info(await self._get("/v5/user/query-api", signed=True))


# The entry point ``ADAPTERS['bybit_spot'].module`` names: the class itself builds the adapter, so the
# factory cannot drift from the constructor's signature.
create_adapter = BybitSpotAdapter
