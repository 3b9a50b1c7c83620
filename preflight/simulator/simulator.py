"""The simulator core: one ``handle(SimRequest) -> SimResponse`` behind both front-ends.

Order of checks for a request, as Bybit answers them: IP limit (HTTP 403) -> route (HTTP 404) ->
method -> injected fault -> authentication (10003/10002/10004/33004/10010) -> per-UID endpoint limit
(10006) -> the endpoint itself (permissions 10005, parameters, business rules).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from preflight import jsonsafe
from preflight.simulator import routes_account as account_routes
from preflight.simulator import routes_market as market_routes
from preflight.simulator import routes_private as private_routes
from preflight.simulator.accounts import Account
from preflight.simulator.auth import authenticate
from preflight.simulator.faults import Fault, FaultDecision, FaultInjector, FaultSpec
from preflight.simulator.orders import Execution, Order
from preflight.simulator.ratelimit import (
    ENDPOINT_LIMITS,
    IP_BAN_MS,
    IP_LIMIT,
    IP_WINDOW_MS,
    IpLimiter,
    LimitState,
    UidLimiter,
)
from preflight.simulator.venue import Venue
from preflight.simulator.wire import (
    ApiError,
    Drop,
    HttpRefusal,
    SimRequest,
    SimResponse,
    json_response,
    text_response,
)

if TYPE_CHECKING:
    import httpx

PublicHandler = Callable[[Venue, Mapping[str, object], int], Any]
PrivateHandler = Callable[[Venue, Account, Mapping[str, object], int], Any]

VENUE_DECIMALS = Context(
    prec=28, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
)


@dataclass(frozen=True)
class Route:
    """One endpoint: its method and either a public or a signed handler, and its success retMsg."""

    method: str
    public: PublicHandler | None = None
    private: PrivateHandler | None = None
    ok_message: str = "OK"


ROUTES: Mapping[str, Route] = {
    "/v5/market/time": Route("GET", public=market_routes.market_time),
    "/v5/market/instruments-info": Route("GET", public=market_routes.instruments_info),
    "/v5/market/tickers": Route("GET", public=market_routes.tickers),
    "/v5/market/kline": Route("GET", public=market_routes.kline),
    "/v5/market/orderbook": Route("GET", public=market_routes.orderbook),
    "/v5/market/recent-trade": Route("GET", public=market_routes.recent_trade),
    "/v5/market/price-limit": Route("GET", public=market_routes.price_limit, ok_message=""),
    "/v5/system/status": Route("GET", public=market_routes.system_status, ok_message=""),
    "/v5/order/create": Route("POST", private=private_routes.order_create),
    "/v5/order/amend": Route("POST", private=private_routes.order_amend),
    "/v5/order/cancel": Route("POST", private=private_routes.order_cancel),
    "/v5/order/cancel-all": Route("POST", private=private_routes.order_cancel_all),
    "/v5/order/realtime": Route("GET", private=private_routes.order_realtime),
    "/v5/order/history": Route("GET", private=private_routes.order_history),
    "/v5/execution/list": Route("GET", private=private_routes.execution_list),
    "/v5/account/wallet-balance": Route("GET", private=private_routes.wallet_balance),
    "/v5/account/info": Route("GET", private=account_routes.account_info),
    "/v5/account/fee-rate": Route("GET", private=account_routes.fee_rate),
    "/v5/asset/coin/query-info": Route("GET", private=account_routes.coin_query_info, ok_message=""),
    "/v5/user/query-api": Route("GET", private=private_routes.query_api, ok_message=""),
}


@dataclass(frozen=True)
class SimulatorConfig:
    """Everything that shapes one simulator: accounts, seed, faults, symbols, fees and IP limit."""

    accounts: tuple[Account, ...] = ()
    seed: int = 7
    faults: FaultSpec = field(default_factory=FaultSpec)
    symbols: tuple[str, ...] = ("BTCUSDT", "ETHUSDT")
    interval_seconds: int = 60
    maker_fee: Decimal = Decimal("0.001")
    taker_fee: Decimal = Decimal("0.001")
    ip_limit: int = IP_LIMIT
    ip_window_ms: int = IP_WINDOW_MS
    ip_ban_ms: int = IP_BAN_MS
    endpoint_limits: Mapping[str, int] = field(default_factory=lambda: dict(ENDPOINT_LIMITS))


def wall_clock_ms() -> int:
    """Return the wall-clock time in epoch milliseconds."""
    return time.time_ns() // 1_000_000


class BybitSimulator:
    """A faithful subset of Bybit V5 spot; thread-safe, deterministic for a given seed and clock."""

    def __init__(self, config: SimulatorConfig | None = None, *, clock_ms: Callable[[], int] | None = None):
        self.config = config or SimulatorConfig()
        self._clock_ms = clock_ms or wall_clock_ms
        self._lock = threading.RLock()
        with localcontext(VENUE_DECIMALS):
            self.venue = Venue(
                self.config.symbols,
                seed=self.config.seed,
                start_ms=self._clock_ms(),
                interval_ms=self.config.interval_seconds * 1000,
                maker_fee=self.config.maker_fee,
                taker_fee=self.config.taker_fee,
            )
        self._faults = FaultInjector(self.config.faults, self.config.seed)
        self._ip = IpLimiter(self.config.ip_limit, self.config.ip_window_ms, self.config.ip_ban_ms)
        self._uid_limits = UidLimiter(self.config.endpoint_limits)
        for account in self.config.accounts:
            self.venue.add_account(account)

    # -- the documented API ---------------------------------------------------------------------
    # Every venue computation runs in the simulator's own decimal context: a client in the same process
    # may change the thread's context (ccxt's decimal_to_precision sets ROUND_HALF_UP and traps
    # Underflow), and the venue's fees and rounding must not depend on who else runs there.

    def add_account(self, account: Account) -> None:
        """Register ``account`` at runtime (its balances start the ledger unless the uid is known)."""
        with self._lock:
            self.venue.add_account(account)

    def advance(self, ticks: int = 1) -> None:
        """Move the seeded market ``ticks`` ticks and match resting limit orders after each."""
        with self._lock, localcontext(VENUE_DECIMALS):
            for _ in range(ticks):
                self.venue.advance(self.server_time_ms())

    def catch_up(self) -> int:
        """Append the candles that closed by server time (``serve`` ticks this); return how many."""
        with self._lock, localcontext(VENUE_DECIMALS):
            return self.venue.catch_up(self.server_time_ms())

    def orders_for(self, uid: str) -> tuple[Order, ...]:
        """Return every order of ``uid``, newest first (for assertions)."""
        with self._lock:
            return self.venue.engine.orders(uid)

    def executions_for(self, uid: str) -> tuple[Execution, ...]:
        """Return every execution of ``uid``, newest first (for assertions)."""
        with self._lock:
            return self.venue.engine.executions(uid)

    @property
    def fault_counts(self) -> Mapping[str, int]:
        """Return how many faults of each kind were injected so far."""
        with self._lock:
            return self._faults.counts

    def server_time_ms(self) -> int:
        """Return the simulator's server time: the clock plus the injected skew."""
        return self._clock_ms() + self.config.faults.skew_ms

    def transport(self, client_ip: str = "127.0.0.1") -> httpx.BaseTransport:
        """Return an httpx transport that answers in-process (no network)."""
        from preflight.simulator.transport import SimulatorTransport

        return SimulatorTransport(self, client_ip=client_ip)

    def async_transport(self, client_ip: str = "127.0.0.1") -> httpx.AsyncBaseTransport:
        """Return an httpx async transport that answers in-process (no network)."""
        from preflight.simulator.transport import AsyncSimulatorTransport

        return AsyncSimulatorTransport(self, client_ip=client_ip)

    # -- request handling -----------------------------------------------------------------------

    def handle(self, request: SimRequest) -> SimResponse:
        """Answer one request the way Bybit would, faults included."""
        with self._lock, localcontext(VENUE_DECIMALS):
            return self._handle(request)

    def _handle(self, request: SimRequest) -> SimResponse:
        now = self.server_time_ms()
        if not self._ip.allow(request.client_ip, now):
            return text_response(403, "access too frequent")
        if not request.method.isupper():
            return text_response(
                400, "400 Bad Request: the method must be capitalised"
            )  # Bybit's HTTP 400 case
        route = ROUTES.get(request.path)
        if route is None:
            return text_response(404, "404 page not found")
        if request.method != route.method:
            return json_response(10017, "Route not found", {}, now)
        if request.method == "GET" and request.body:
            # Bybit's HTTP code table: 403 for a GET sent with a JSON body (notes, section 1).
            return text_response(403, "403 Forbidden: a GET request must not carry a body")
        decision = self._faults.decide(request.path, request.method)
        if decision.fault is None:
            return self._dispatch(route, request, now)
        return self._inject(decision, route, request, now)

    def _inject(self, decision: FaultDecision, route: Route, request: SimRequest, now: int) -> SimResponse:
        fault = decision.fault
        if fault is Fault.RATE_LIMIT:
            # The reset lies only tens of ms ahead so that clients honouring it stay fast.
            limit = self._uid_limits.limit_for(request.path)
            state = LimitState(False, limit, 0, now + 20 + (now % 60))
            headers = state.headers(with_reset=decision.with_reset_header)
            return json_response(10006, "Too many visits!", {}, now, headers)
        if fault is Fault.SERVER_ERROR:
            if decision.server_status == 200:
                return json_response(10016, "Internal server error.", {}, now)
            reason = "Bad Gateway" if decision.server_status == 502 else "Service Unavailable"
            return text_response(decision.server_status, f"{decision.server_status} {reason}")
        if fault in (Fault.TIMEOUT, Fault.RESET):
            if decision.apply_first:
                self._dispatch(route, request, now)
            drop = Drop.TIMEOUT if fault is Fault.TIMEOUT else Drop.RESET
            return SimResponse(0, (), b"", drop=drop)
        response = self._dispatch(route, request, now)  # bad_json: the request took effect
        return SimResponse(response.status, response.headers, response.body[: len(response.body) // 2])

    def _dispatch(self, route: Route, request: SimRequest, now: int) -> SimResponse:
        headers: tuple[tuple[str, str], ...] = ()
        try:
            if route.public is not None:
                result = route.public(self.venue, _query_params(request), now)
            else:
                assert route.private is not None
                account = authenticate(request, self.venue.accounts, now)
                state = self._uid_limits.hit(account.uid, request.path, now)
                headers = state.headers()
                if not state.allowed:
                    return json_response(10006, "Too many visits!", {}, now, headers)
                params = _body_params(request) if request.method == "POST" else _query_params(request)
                result = route.private(self.venue, account, params, now)
        except ApiError as error:
            return json_response(error.ret_code, error.ret_msg, {}, now, headers)
        except HttpRefusal as refusal:
            return text_response(refusal.status, refusal.text)
        return json_response(0, route.ok_message, result, now, headers)


def _query_params(request: SimRequest) -> dict[str, object]:
    return dict(parse_qsl(request.raw_query, keep_blank_values=True))


def _body_params(request: SimRequest) -> dict[str, object]:
    try:
        params = jsonsafe.loads(request.body) if request.body.strip() else {}
    except (ValueError, UnicodeDecodeError):
        raise ApiError(10001, "Request parameter error: the body is not valid JSON.") from None
    if not isinstance(params, dict):
        raise ApiError(10001, "Request parameter error: the body must be a JSON object.")
    return params
