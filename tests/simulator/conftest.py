"""Fixtures for the simulator tests: a manual clock, a seeded simulator, and a pybit-style signer."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
import pytest

from preflight.simulator import Account, BybitSimulator, FaultSpec, SimulatorConfig

START_MS = 1_700_000_000_000
KEY = "sim-test-key-0001"
SECRET = "sim-test-secret-0001"
UID = "1001"


@dataclass
class ManualClock:
    """A clock the test moves by hand (epoch ms)."""

    now: int = START_MS

    def __call__(self) -> int:
        return self.now


@dataclass
class PybitStyleClient:
    """Sign exactly the way pybit does: sorted ``k=v`` query; ``json.dumps`` body with default separators."""

    http: httpx.Client
    clock: ManualClock
    api_key: str = KEY
    api_secret: str = SECRET
    recv_window: str = "5000"
    extra_headers: dict[str, str] = field(default_factory=dict)

    def headers(self, payload: str, ts: int | None = None) -> dict[str, str]:
        """Return the four X-BAPI headers (plus SIGN-TYPE 2) for ``payload``."""
        stamp = str(self.clock() if ts is None else ts)
        text = stamp + self.api_key + self.recv_window + payload
        sign = hmac.new(self.api_secret.encode(), text.encode(), hashlib.sha256).hexdigest()
        return {
            "X-BAPI-API-KEY": self.api_key,
            "X-BAPI-TIMESTAMP": stamp,
            "X-BAPI-SIGN": sign,
            "X-BAPI-RECV-WINDOW": self.recv_window,
            "X-BAPI-SIGN-TYPE": "2",
            "Content-Type": "application/json",
            **self.extra_headers,
        }

    def get(
        self, path: str, params: Mapping[str, Any] | None = None, ts: int | None = None
    ) -> httpx.Response:
        """Send a signed GET (pybit: sorted, None dropped, not URL-encoded)."""
        query = "&".join(f"{k}={v}" for k, v in sorted((params or {}).items()) if v is not None)
        url = f"{path}?{query}" if query else path
        return self.http.get(url, headers=self.headers(query, ts))

    def post(self, path: str, params: Mapping[str, Any], ts: int | None = None) -> httpx.Response:
        """Send a signed POST whose body is exactly the signed ``json.dumps`` text."""
        body = json.dumps(params)
        return self.http.post(path, content=body.encode(), headers=self.headers(body, ts))

    def call(self, method: str, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Send a signed request and return the decoded envelope."""
        response = self.get(path, params) if method == "GET" else self.post(path, params or {})
        assert response.status_code == 200, response.text
        decoded: dict[str, Any] = response.json()
        return decoded


def make_simulator(
    clock: ManualClock, *, seed: int = 7, faults: FaultSpec | None = None, **overrides: Any
) -> BybitSimulator:
    """Return a simulator with one HMAC account holding 10,000 USDT and 1 BTC."""
    account = Account(
        uid=UID, api_key=KEY, api_secret=SECRET, balances={"USDT": Decimal(10_000), "BTC": Decimal(1)}
    )
    config = SimulatorConfig(accounts=(account,), seed=seed, faults=faults or FaultSpec(), **overrides)
    return BybitSimulator(config, clock_ms=clock)


@pytest.fixture
def clock() -> ManualClock:
    """Return a manual clock at START_MS."""
    return ManualClock()


@pytest.fixture
def simulator(clock: ManualClock) -> BybitSimulator:
    """Return a fresh seeded simulator on the manual clock."""
    return make_simulator(clock)


@pytest.fixture
def client(simulator: BybitSimulator, clock: ManualClock) -> Iterator[PybitStyleClient]:
    """Return a pybit-style signing client wired to the simulator in-process."""
    with httpx.Client(transport=simulator.transport(), base_url="http://bybit.sim") as http:
        yield PybitStyleClient(http, clock)


@pytest.fixture
def sim_factory() -> Any:
    """Return ``make_simulator`` so a test can build simulators with other seeds, faults or limits."""
    return make_simulator


@pytest.fixture
def signer() -> Any:
    """Return the PybitStyleClient class, for tests that wire their own httpx client."""
    return PybitStyleClient
