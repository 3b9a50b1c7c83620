"""Self-contained adapter scenarios against an in-process simulator, for the ``adapter.`` checks.

Both run in simulated time (the adapter's sleeps advance a clock the simulator reads), so they take
milliseconds, and both return frozen results the check kinds turn into evidence.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from preflight.asyncutil import run_sync
from preflight.errors import ExchangeError
from preflight.exchange.bybit.auth import Credentials, sign_hmac, sign_rsa, string_to_sign
from preflight.exchange.bybit.client import AdapterConfig, BybitSpotAdapter, create_adapter
from preflight.exchange.bybit.metrics import ExchangeMetrics
from preflight.exchange.bybit.vectors import (
    PUBLISHED_VECTORS,
    STRING_TO_SIGN_EXAMPLES,
    TEST_RSA_PRIVATE_KEY_PEM,
    TEST_RSA_PUBLIC_KEY_PEM,
)
from preflight.exchange.bybit.wire import OrderRequest
from preflight.exchange.events import ExchangeEvent

if TYPE_CHECKING:
    from preflight.simulator.accounts import Account
    from preflight.simulator.faults import FaultSpec

N = TypeVar("N", int, float)
ENTRYPOINT = "adapter_scenario"
# Bybit's own spot PostOnly example (docs create-order.mdx): the body the E-post-spot vector signs.
DOCS_ORDER = OrderRequest(
    "BTCUSDT", "Buy", "Limit", "0.1", price="15600", order_link_id="spot-test-01", time_in_force="PostOnly"
)


# Start of simulated time in the scenarios (and the integration tests that reuse their rig).
SIM_EPOCH_S = 1_760_000_000.0
Exchange = tuple[httpx.Request, int | None, httpx.Response | None]


class Recorder(httpx.AsyncBaseTransport):
    """Forward to the simulator; keep each request, its retCode and its response (None if dropped)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.log: list[Exchange] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Forward one request and record the exchange."""
        try:
            response = await self.inner.handle_async_request(request)
        except httpx.HTTPError:
            self.log.append((request, None, None))
            raise
        await response.aread()
        try:
            body = response.json()
            code = body.get("retCode") if isinstance(body, dict) else None
        except ValueError:
            code = None
        self.log.append((request, code, response))
        return response

    def on(self, path: str) -> list[Exchange]:
        """Return the recorded exchanges with ``path``."""
        return [entry for entry in self.log if entry[0].url.path == path]


class SimClock:
    """Simulated seconds shared by the adapter (clock, sleep) and the simulator (clock_ms)."""

    def __init__(self, start_s: float = SIM_EPOCH_S) -> None:
        self.now = start_s
        self.sleeps: list[float] = []  # every wait asked for, as asked

    @property
    def slept(self) -> float:
        """Return the simulated seconds spent sleeping (a negative wait counts as none)."""
        return sum(max(0.0, s) for s in self.sleeps)

    def time(self) -> float:
        """Return the simulated time (epoch seconds)."""
        return self.now

    def ms(self) -> int:
        """Return the simulated time (epoch milliseconds)."""
        return int(self.now * 1000)

    async def sleep(self, seconds: float) -> None:
        """Advance the simulated time instead of waiting, and let other tasks run."""
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


class SimRig:
    """A simulator with one account, a recorder, metrics, events and a simulated clock; adapters on them."""

    def __init__(
        self,
        account: Account,
        *,
        entrypoint: str,
        base_url: str,
        faults: FaultSpec | None = None,
        seed: int = 7,
        **sim: Any,
    ) -> None:
        from preflight.simulator.faults import FaultSpec
        from preflight.simulator.simulator import BybitSimulator, SimulatorConfig

        self.account = account
        self.entrypoint = entrypoint
        self.base_url = base_url
        self.seed = seed
        self.clock = SimClock()
        config = SimulatorConfig(accounts=(account,), faults=faults or FaultSpec(), seed=seed, **sim)
        self.simulator = BybitSimulator(config, clock_ms=self.clock.ms)
        self.recorder = Recorder(self.simulator.async_transport())
        self.metrics = ExchangeMetrics("bybit", [entrypoint])
        self.events: list[ExchangeEvent] = []

    def adapter(self, **overrides: Any) -> BybitSpotAdapter:
        """Return an adapter on the account's key, the recorder and the simulated clock."""
        return create_adapter(
            AdapterConfig(base_url=self.base_url, entrypoint=self.entrypoint, **overrides),
            Credentials(self.account.api_key, self.account.api_secret),
            metrics=self.metrics,
            transport=self.recorder,
            clock=self.clock.time,
            sleep=self.clock.sleep,
            events=self.events.append,
            rng=random.Random(self.seed),
        )

    def orders_per_link_id(self) -> Counter[str]:
        """Count the account's orders on the simulator by orderLinkId."""
        return Counter(order.order_link_id for order in self.simulator.orders_for(self.account.uid))


@dataclass(frozen=True)
class VectorCheck:
    """One known-answer vector: its name and whether our signer reproduced it."""

    name: str
    ok: bool


@dataclass(frozen=True)
class RoundTrip:
    """One signed GET and POST against the simulator: what was signed and what it answered."""

    method: str  # hmac | rsa
    get_code: int | None
    post_code: int | None
    get_matches_vector: bool  # the wire signature equals the published vector (HMAC) / our signer (RSA)
    post_matches_vector: bool


@dataclass(frozen=True)
class SigningReport:
    """Vectors recomputed and round trips made."""

    vectors: tuple[VectorCheck, ...]
    round_trips: tuple[RoundTrip, ...]

    @property
    def ok(self) -> bool:
        """Say whether every vector matched and every round trip was accepted with matching signatures."""
        return all(v.ok for v in self.vectors) and all(
            r.get_code == 0 and r.post_code == 0 and r.get_matches_vector and r.post_matches_vector
            for r in self.round_trips
        )


def check_vectors() -> tuple[VectorCheck, ...]:
    """Recompute every published vector and documented string to sign with our signer."""
    checks = [
        VectorCheck(v.name, sign_hmac(v.api_secret, v.message) == v.signature) for v in PUBLISHED_VECTORS
    ]
    checks += [
        VectorCheck(e.name, string_to_sign(e.timestamp, e.api_key, e.recv_window, e.payload) == e.expected)
        for e in STRING_TO_SIGN_EXAMPLES
    ]
    return tuple(checks)


async def _round_trip(credentials: Credentials, account_kwargs: dict[str, Any]) -> RoundTrip:
    from preflight.simulator.accounts import Account
    from preflight.simulator.simulator import BybitSimulator, SimulatorConfig

    get_vector = next(v for v in PUBLISHED_VECTORS if v.name == "E-get-wallet")
    post_vector = next(v for v in PUBLISHED_VECTORS if v.name == "E-post-spot")
    codes: list[int | None] = []
    matches: list[bool] = []
    for vector, is_get in ((get_vector, True), (post_vector, False)):
        pinned_ms = int(vector.timestamp)
        account = Account("1001", credentials.api_key, **account_kwargs)
        simulator = BybitSimulator(SimulatorConfig(accounts=(account,)), clock_ms=_constant(pinned_ms))
        recorder = Recorder(simulator.async_transport())
        config = AdapterConfig(base_url="http://simulator.invalid", entrypoint=ENTRYPOINT, retry_budget=0)
        metrics = ExchangeMetrics("bybit", [ENTRYPOINT])
        adapter = create_adapter(
            config, credentials, metrics=metrics, transport=recorder, clock=_constant(pinned_ms / 1000)
        )
        async with adapter:
            # the answer's retCode is recorded by the transport; the check judges it
            with contextlib.suppress(Exception):
                await (adapter.wallet_balance(["BTC"]) if is_get else adapter.place_order(DOCS_ORDER))
        request, code, _ = recorder.log[0]
        codes.append(code)
        sent = request.headers.get("X-BAPI-SIGN", "")
        if credentials.method == "hmac":
            matches.append(sent == vector.signature)
        else:
            payload = request.url.query.decode() if is_get else request.content.decode()
            assert credentials.rsa_private_key_pem is not None
            message = string_to_sign(pinned_ms, credentials.api_key, 5000, payload)
            matches.append(
                payload == vector.payload and sent == sign_rsa(credentials.rsa_private_key_pem, message)
            )
    return RoundTrip(credentials.method, codes[0], codes[1], matches[0], matches[1])


def _constant(value: N) -> Callable[[], N]:
    """Return a clock pinned at ``value``."""
    return lambda: value


def signing_scenario() -> SigningReport:
    """Recompute the vectors, then make one signed GET and POST with HMAC and with RSA."""
    vector = next(v for v in PUBLISHED_VECTORS if v.name == "E-get-wallet")

    async def both() -> tuple[RoundTrip, ...]:
        hmac_trip = await _round_trip(
            Credentials(vector.api_key, vector.api_secret), {"api_secret": vector.api_secret}
        )
        rsa_trip = await _round_trip(
            Credentials("RSAKEY0000000001", rsa_private_key_pem=TEST_RSA_PRIVATE_KEY_PEM),
            {"rsa_public_key_pem": TEST_RSA_PUBLIC_KEY_PEM},
        )
        return hmac_trip, rsa_trip

    return SigningReport(check_vectors(), run_sync(both))


@dataclass(frozen=True)
class RateLimitReport:
    """What the 10006 scenario saw and did."""

    orders_requested: int
    orders_placed: int
    duplicated_link_ids: int
    limited_with_reset: int
    limited_without_reset: int
    rate_limited_metric: float
    rate_limited_responses: int
    max_attempts: int
    budget: int
    slept_s: float
    errors: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """Say whether it retried within budget, succeeded, counted every 10006 and never duplicated."""
        return (
            self.orders_placed == self.orders_requested
            and self.duplicated_link_ids == 0
            and self.limited_with_reset > 0
            and self.limited_without_reset > 0
            and self.rate_limited_metric == self.rate_limited_responses
            and self.max_attempts <= 1 + self.budget
            and not self.errors
        )


def rate_limit_scenario(
    orders: int = 30, budget: int = 5, seed: int = 11, rate_limit: float = 0.3
) -> RateLimitReport:
    """Place ``orders`` orders at one simulated instant against a simulator injecting 10006 (every other
    one without the reset header) on top of its 20/s per-UID create limit."""
    from preflight.simulator.accounts import Account
    from preflight.simulator.faults import FaultSpec

    account = Account(
        "5001", "scenario-key-0001", api_secret="scenario-secret-0001", balances={"USDT": Decimal(10**6)}
    )
    rig = SimRig(
        account,
        entrypoint=ENTRYPOINT,
        base_url="http://simulator.invalid",
        faults=FaultSpec(rate_limit=rate_limit),
        seed=seed,
    )
    adapter = rig.adapter(retry_budget=budget)
    errors: list[str] = []

    async def place_all(adapter: BybitSpotAdapter) -> None:
        async with adapter:
            try:
                await adapter.sync_time()
                ticker = await adapter.ticker("BTCUSDT")
            except ExchangeError as error:  # the scenario failed before placing anything: report it
                errors.append(f"{type(error).__name__}: {error}")
                return
            price = (ticker.bid1_price * Decimal("0.98")).quantize(Decimal("0.1"))
            order = OrderRequest("BTCUSDT", "Buy", "Limit", "0.001", price=price)
            results = await asyncio.gather(
                *(adapter.place_order(order) for _ in range(orders)), return_exceptions=True
            )
            errors.extend(f"{type(r).__name__}: {r}" for r in results if isinstance(r, BaseException))

    run_sync(lambda: place_all(adapter))
    creates = rig.recorder.on("/v5/order/create")
    limited = [response for _, code, response in creates if code == 10006]
    with_reset = sum(1 for r in limited if r is not None and "x-bapi-limit-reset-timestamp" in r.headers)
    per_link = rig.orders_per_link_id()
    attempts = Counter(req.content for req, _, _ in creates)
    rate_limited = rig.metrics.value("bot_exchange_rate_limited_total", entrypoint=ENTRYPOINT) or 0.0
    return RateLimitReport(
        orders_requested=orders,
        orders_placed=len(per_link),
        duplicated_link_ids=sum(1 for n in per_link.values() if n > 1),
        limited_with_reset=with_reset,
        limited_without_reset=len(limited) - with_reset,
        rate_limited_metric=rate_limited,
        rate_limited_responses=sum(1 for _, code, _ in rig.recorder.log if code == 10006),
        max_attempts=max(attempts.values(), default=0),
        budget=budget,
        slept_s=round(rig.clock.now - SIM_EPOCH_S, 3),
        errors=tuple(errors),
    )
