"""Fixtures for the Bybit adapter tests (the fakes live in bybit_fakes.py)."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path
from types import ModuleType

import pytest

from preflight.exchange.bybit.auth import Credentials
from preflight.exchange.bybit.bans import HostBans
from preflight.exchange.bybit.client import AdapterConfig, BybitSpotAdapter
from preflight.exchange.bybit.metrics import ExchangeMetrics
from preflight.exchange.bybit.scenarios import SimClock
from preflight.exchange.events import ExchangeEvent

FAKES_MODULE = "preflight_tests_bybit_fakes"


def _load_fakes() -> ModuleType:
    # Tests run with --import-mode=importlib: load the sibling by path and register it under a unique
    # name, so test modules can `import preflight_tests_bybit_fakes`.
    if FAKES_MODULE in sys.modules:
        return sys.modules[FAKES_MODULE]
    spec = importlib.util.spec_from_file_location(FAKES_MODULE, Path(__file__).with_name("bybit_fakes.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[FAKES_MODULE] = module
    spec.loader.exec_module(module)
    return module


_fakes = _load_fakes()
API_KEY, API_SECRET = _fakes.API_KEY, _fakes.API_SECRET
FakeBybit, Harness, START = _fakes.FakeBybit, _fakes.Harness, _fakes.START


@pytest.fixture(scope="session")
def rsa_key_pair() -> tuple[str, bytes]:
    """Return a fresh RSA private key (PEM text) and its public key (PEM bytes)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


@pytest.fixture
def harness() -> Harness:
    """Return a fresh adapter harness; ``harness.make(**config_overrides)`` builds an adapter."""
    clock = SimClock(START)
    exchange = FakeBybit(clock)
    metrics = ExchangeMetrics("bybit", ["ep"])
    events: list[ExchangeEvent] = []

    def make(
        credentials: Credentials | None = None,
        seed: int = 1,
        bans: HostBans | None = None,
        **overrides: object,
    ) -> BybitSpotAdapter:
        fields = {"base_url": "https://fake.bybit.test", "entrypoint": "ep", **overrides}
        config = AdapterConfig(**fields)  # type: ignore[arg-type]
        return BybitSpotAdapter(
            config,
            credentials or Credentials(API_KEY, API_SECRET),
            metrics=metrics,
            transport=exchange.transport(),
            clock=clock.time,
            sleep=clock.sleep,
            events=events.append,
            rng=random.Random(seed),
            bans=bans,
        )

    return Harness(clock, exchange, metrics, events, make)
