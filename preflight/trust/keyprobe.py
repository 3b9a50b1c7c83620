"""The read-only probe of a live environment's exchange: what the API key is, and the exchange clock.

Two requests, both harmless: ``GET /v5/user/query-api`` with the environment's key and
``GET /v5/market/time``. For ``endpoint: embedded`` (the demo) the exchange is an in-process simulator
provisioned with the key as the store records it (account, permissions, expiry) and bound to 127.0.0.1,
and the run's report says so; ``--exchange-url`` points the probe at any Bybit-compatible host instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from preflight.asyncutil import run_sync, within
from preflight.errors import ConfigError, ExchangeError, PreflightError, SecretsError
from preflight.redact import scrub

if TYPE_CHECKING:
    import httpx

    from preflight.context import RunContext
    from preflight.deployment.model import Deployment, Environment
    from preflight.exchange.bybit.client import BybitSpotAdapter
    from preflight.exchange.bybit.wire import ApiKeyInfo
    from preflight.trust.secrets import SecretEntry

EMBEDDED_BASE_URL = "http://embedded-simulator.invalid"
EMBEDDED_ENDPOINT = "embedded simulator"  # the endpoint label of probes answered in-process


def simulated_reason(endpoint: str, environment_name: str) -> str | None:
    """Say what stood in for the exchange when ``endpoint`` is the embedded simulator, else None."""
    if endpoint != EMBEDDED_ENDPOINT:
        return None
    return (
        f"answered by the embedded simulator ({environment_name} has endpoint: embedded in "
        "config/core.yaml), not by the exchange"
    )


@dataclass(frozen=True)
class ClockReading:
    """How far the exchange clock is from ours, measured at a request's midpoint."""

    endpoint: str
    skew_ms: int  # server clock minus local clock
    round_trip_ms: int
    recv_window_ms: int


@dataclass(frozen=True)
class KeyProbe:
    """What the exchange said about the key, and its clock read in the same session."""

    environment: str
    endpoint: str  # "embedded simulator" or the base URL probed
    info: ApiKeyInfo
    clock: ClockReading


def _permissions(entry: SecretEntry) -> dict[str, tuple[str, ...]]:
    groups: dict[str, list[str]] = {}
    for permission in entry.permissions:
        group, _, name = permission.partition(".")
        groups.setdefault(group, []).append(name)
    return {group: tuple(names) for group, names in groups.items()}


def _rsa_public_pem(private_pem: str) -> str:
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


def embedded_transport(entry: SecretEntry, environment: Environment) -> httpx.AsyncBaseTransport:
    """Return an in-process simulator that knows ``entry`` as the exchange would (IP-bound to loopback)."""
    from preflight.simulator import Account, BybitSimulator, SimulatorConfig

    try:
        public_pem = _rsa_public_pem(entry.rsa_private_key) if entry.rsa_private_key else None
    except (ValueError, TypeError, AttributeError):  # the library's words could quote key material
        raise SecretsError(
            f"the RSA private key of entry {entry.name} is not an unencrypted PEM key; store it again"
        ) from None
    account = Account(
        uid=entry.account_uid or environment.account_uid or "0",
        api_key=entry.api_key,
        api_secret=entry.api_secret,
        rsa_public_key_pem=public_pem,
        permissions=_permissions(entry),
        ips=("127.0.0.1",),
        expires_at=entry.expires_at,
        note=entry.name,
    )
    return BybitSimulator(SimulatorConfig(accounts=(account,))).async_transport()


async def _read_clock(adapter: BybitSpotAdapter, endpoint: str, clock: Callable[[], float]) -> ClockReading:
    before = clock()
    server_ms = await adapter.server_time_ms()
    after = clock()
    return ClockReading(
        endpoint=endpoint,
        skew_ms=round(server_ms - (before + after) * 500),  # against the request's midpoint, in ms
        round_trip_ms=round((after - before) * 1000),
        recv_window_ms=adapter.config.recv_window_ms,
    )


async def _probe(
    environment: str,
    endpoint: str,
    base_url: str,
    entry: SecretEntry,
    transport: httpx.AsyncBaseTransport | None,
    entrypoint: str,
    exchange: str,
    clock: Callable[[], float],
) -> KeyProbe:
    from preflight.exchange.bybit.auth import Credentials
    from preflight.exchange.bybit.client import AdapterConfig, create_adapter
    from preflight.exchange.bybit.metrics import ExchangeMetrics

    config = AdapterConfig(base_url=base_url, entrypoint=entrypoint, exchange=exchange, retry_budget=2)
    metrics = ExchangeMetrics(exchange, (entrypoint,))
    async with create_adapter(
        config, Credentials.from_entry(entry), metrics=metrics, transport=transport, clock=clock
    ) as adapter:
        info = await adapter.query_api()
        reading = await _read_clock(adapter, endpoint, clock)
    return KeyProbe(environment=environment, endpoint=endpoint, info=info, clock=reading)


@dataclass(frozen=True)
class _Target:
    """Where a probe goes: a label for messages, the base URL, whether it is the in-process simulator."""

    endpoint: str
    base_url: str
    embedded: bool
    entrypoint: str
    exchange: str


def _target(
    deployment: Deployment, environment_name: str, exchange_url: str | None, entrypoint: str | None
) -> tuple[_Target, Environment]:
    from preflight.exchange import ADAPTERS

    environment = deployment.core.environments.get(environment_name)
    if environment is None:
        raise ConfigError(f"environment {environment_name!r} is not defined in config/core.yaml")
    adapter = ADAPTERS.get(environment.adapter)
    label = entrypoint or next(
        (n for n, ep in deployment.runtime.entrypoints.items() if ep.environment == environment_name),
        environment_name,
    )
    exchange = adapter.exchange if adapter else environment.exchange
    if exchange_url:
        return _Target(exchange_url, exchange_url, False, label, exchange), environment
    if environment.embedded:
        return _Target(EMBEDDED_ENDPOINT, EMBEDDED_BASE_URL, True, label, exchange), environment
    return _Target(environment.endpoint, environment.endpoint, False, label, exchange), environment


def probe_environment(
    deployment: Deployment,
    environment_name: str,
    entry: SecretEntry,
    *,
    exchange_url: str | None = None,
    entrypoint: str | None = None,
    clock: Callable[[], float] = time.time,
    deadline_s: float = 30.0,
) -> KeyProbe:
    """Probe ``environment_name``'s exchange with ``entry``; ExchangeError (secrets scrubbed) on failure."""
    target, environment = _target(deployment, environment_name, exchange_url, entrypoint)
    transport = embedded_transport(entry, environment) if target.embedded else None
    try:
        return run_sync(
            lambda: within(
                _probe(
                    environment_name,
                    target.endpoint,
                    target.base_url,
                    entry,
                    transport,
                    target.entrypoint,
                    target.exchange,
                    clock,
                ),
                deadline_s,
                f"the {target.endpoint} key probe",
            )
        )
    except ExchangeError as error:
        message = scrub(str(error), entry.secret_values())
        raise type(error)(
            f"the {target.endpoint} probe with key {entry.name} failed: {message}",
            code=error.code,
            http_status=error.http_status,
        ) from None


async def _server_clock(
    target: _Target, transport: httpx.AsyncBaseTransport | None, clock: Callable[[], float]
) -> ClockReading:
    from preflight.exchange.bybit.client import AdapterConfig, create_adapter
    from preflight.exchange.bybit.metrics import ExchangeMetrics

    config = AdapterConfig(
        base_url=target.base_url, entrypoint=target.entrypoint, exchange=target.exchange, retry_budget=2
    )
    metrics = ExchangeMetrics(target.exchange, (target.entrypoint,))
    async with create_adapter(config, None, metrics=metrics, transport=transport, clock=clock) as adapter:
        return await _read_clock(adapter, target.endpoint, clock)


def read_server_clock(
    deployment: Deployment,
    environment_name: str,
    *,
    exchange_url: str | None = None,
    clock: Callable[[], float] = time.time,
    deadline_s: float = 30.0,
) -> ClockReading:
    """Read the exchange clock with an unsigned ``/v5/market/time`` (no key needed)."""
    from preflight.simulator import BybitSimulator, SimulatorConfig

    target, _ = _target(deployment, environment_name, exchange_url, None)
    transport = BybitSimulator(SimulatorConfig()).async_transport() if target.embedded else None
    return run_sync(lambda: within(_server_clock(target, transport, clock), deadline_s, "the clock read"))


def probe_for(ctx: RunContext, environment_name: str) -> KeyProbe:
    """Probe ``environment_name`` once per run with its keychain key; record the simulation if embedded."""
    from preflight.deployment import deployment_for
    from preflight.trust.secrets import keychain_for

    def probe() -> KeyProbe:
        """Probe with the environment's keychain entry."""
        deployment = deployment_for(ctx)
        environment = deployment.core.environments.get(environment_name)
        if environment is None:
            raise SecretsError(f"environment {environment_name!r} is not defined in config/core.yaml")
        entry = keychain_for(ctx).get(environment.keychain_key)
        result = probe_environment(
            deployment,
            environment_name,
            entry,
            exchange_url=ctx.options.exchange_url,
            deadline_s=ctx.options.probe_deadline_s,
        )
        if result.endpoint == EMBEDDED_ENDPOINT:
            ctx.record_simulated(f"live key probe of {environment_name} served by the embedded simulator")
        return result

    return ctx.memo(f"trust.keyprobe:{environment_name}", probe)


def clock_for(ctx: RunContext, environment_name: str) -> ClockReading:
    """Return the exchange clock reading: the key probe's, or an unsigned one if the key is unusable."""
    from preflight.deployment import deployment_for

    def read() -> ClockReading:
        """Reuse the key probe's clock, or read it unsigned."""
        try:
            probe = probe_for(ctx, environment_name)
        except PreflightError:  # the clock does not depend on the key: read it without one
            reading = read_server_clock(
                deployment_for(ctx),
                environment_name,
                exchange_url=ctx.options.exchange_url,
                deadline_s=ctx.options.probe_deadline_s,
            )
            if reading.endpoint == EMBEDDED_ENDPOINT:
                ctx.record_simulated(f"exchange clock of {environment_name} served by the embedded simulator")
            return reading
        return probe.clock

    return ctx.memo(f"trust.clock:{environment_name}", read)
