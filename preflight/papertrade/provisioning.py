"""Provision a session: credentials from the keychain, simulator accounts, per-exchange metrics, adapters."""

from __future__ import annotations

import importlib
import random
import zlib
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from preflight.errors import PreflightError, SecretsError
from preflight.papertrade.plan import EntrypointPlan, Unservable
from preflight.redact import mask

if TYPE_CHECKING:
    import httpx
    from prometheus_client import CollectorRegistry
    from prometheus_client.metrics_core import Metric

    from preflight.exchange.bybit.auth import Credentials
    from preflight.exchange.bybit.bans import HostBans
    from preflight.exchange.bybit.client import BybitSpotAdapter
    from preflight.exchange.bybit.metrics import ExchangeMetrics
    from preflight.exchange.events import EventSink
    from preflight.simulator import Account
    from preflight.trust.secrets import Keychain, SecretEntry


@dataclass(frozen=True)
class Provisioned:
    """A runnable entrypoint with its credentials and (for the embedded simulator) its account."""

    plan: EntrypointPlan
    entry: SecretEntry
    credentials: Credentials
    account: Account | None


def account_uid(entry: SecretEntry, entrypoint: str) -> str:
    """Return the entry's account uid, or a stable 8-digit one derived from the entrypoint's name."""
    return entry.account_uid or str(10_000_000 + zlib.crc32(entrypoint.encode()) % 89_999_999)


def _permissions(entry: SecretEntry) -> dict[str, tuple[str, ...]]:
    grouped: dict[str, list[str]] = {}
    for permission in entry.permissions:
        group, _, name = permission.partition(".")
        if name:
            grouped.setdefault(group, []).append(name)
    return {group: tuple(names) for group, names in grouped.items()}


def _public_pem(private_pem: str) -> str:
    from cryptography.hazmat.primitives import serialization

    try:
        key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    except (ValueError, TypeError):
        raise SecretsError("the RSA private key of the secrets entry is not a readable PEM key") from None
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return public.decode()


def simulator_account(plan: EntrypointPlan, entry: SecretEntry) -> Account:
    """Return the simulator account for ``plan``: the entry's key and the environment's balances."""
    from preflight.simulator import Account

    trading = plan.environment.paper_trading
    balances: Mapping[str, Decimal] = dict(trading.initial_balances) if trading else {}
    return Account(
        uid=account_uid(entry, plan.entrypoint),
        api_key=entry.api_key,
        api_secret=entry.api_secret,
        rsa_public_key_pem=_public_pem(entry.rsa_private_key) if entry.rsa_private_key else None,
        permissions=_permissions(entry),
        balances=balances,
        note=f"paper session for {plan.entrypoint}",
    )


def provision(
    plans: Sequence[EntrypointPlan], keychain: Callable[[], Keychain], target: str
) -> tuple[tuple[Provisioned, ...], tuple[Unservable, ...]]:
    """Resolve every plan's credentials; the target's problem raises, another's makes it unservable."""
    from preflight.exchange.bybit.auth import Credentials

    ready: list[Provisioned] = []
    skipped: list[Unservable] = []
    keys_in_use: set[str] = set()
    for plan in plans:
        try:
            entry = keychain().get(plan.environment.keychain_key)
            if entry.status.value != "active":
                raise SecretsError(f"secrets entry {entry.name!r} is {entry.status.value}, not active")
            if plan.base_url is None and entry.api_key in keys_in_use:
                raise SecretsError(
                    f"api key {mask(entry.api_key)} is already used by another paper entrypoint"
                )
            credentials = Credentials.from_entry(entry)
            account = simulator_account(plan, entry) if plan.base_url is None else None
        except PreflightError as error:
            if plan.entrypoint == target:
                raise
            skipped.append(Unservable(plan.entrypoint, str(error)))
            continue
        keys_in_use.add(entry.api_key)
        ready.append(Provisioned(plan, entry, credentials, account))
    return tuple(ready), tuple(skipped)


class _Union:
    """A collector yielding the metrics of several registries (one per exchange label)."""

    def __init__(self, registries: Iterable[CollectorRegistry]) -> None:
        self.registries = tuple(registries)

    def collect(self) -> Iterator[Metric]:
        for registry in self.registries:
            yield from registry.collect()


def session_metrics(ready: Sequence[Provisioned]) -> tuple[Mapping[str, ExchangeMetrics], CollectorRegistry]:
    """Create one ExchangeMetrics per ``exchange`` label (series at zero per entrypoint) and their union."""
    from prometheus_client import CollectorRegistry

    from preflight.exchange.bybit.metrics import ExchangeMetrics

    by_exchange: dict[str, list[str]] = {}
    for item in ready:
        by_exchange.setdefault(item.plan.adapter.exchange, []).append(item.plan.entrypoint)
    metrics = {exchange: ExchangeMetrics(exchange, names) for exchange, names in by_exchange.items()}
    union = CollectorRegistry(auto_describe=False)
    union.register(_Union(m.registry for m in metrics.values()))
    return metrics, union


def create_adapter(
    item: Provisioned,
    metrics: ExchangeMetrics,
    *,
    base_url: str,
    warning_seconds: float,
    seed: int,
    transport: httpx.AsyncBaseTransport,
    clock: Callable[[], float],
    sleep: Callable[[float], Awaitable[None]],
    events: EventSink,
    bans: HostBans,
) -> BybitSpotAdapter:
    """Build the adapter the plan's registry entry names, with its paper profile's io_queue limits.

    ``bans`` is the session's one registry of banned hosts: a 403 seen by any adapter stops them all.
    """
    from preflight.exchange.bybit.client import AdapterConfig

    plan = item.plan
    module = importlib.import_module(plan.adapter.module)
    config = AdapterConfig(
        base_url=base_url,
        entrypoint=plan.entrypoint,
        exchange=plan.adapter.exchange,
        max_concurrency=plan.limits.max_concurrency,
        burst=plan.limits.burst,
        rate_limit_warning_seconds=warning_seconds,
        queue_key=plan.queue_key,
        category=plan.adapter.market,
    )
    adapter: BybitSpotAdapter = module.create_adapter(
        config,
        item.credentials,
        metrics=metrics,
        transport=transport,
        clock=clock,
        sleep=sleep,
        events=events,
        rng=random.Random(f"adapter:{seed}:{plan.entrypoint}"),
        bans=bans,
    )
    return adapter
