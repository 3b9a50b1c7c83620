"""ccxt raises its own exception classes for what the simulator refuses, as it would against Bybit."""

from __future__ import annotations

from collections.abc import Iterator

import ccxt
import pytest
from sim_clients_support import SECRET, Client, Served, start_serve, stop_serve


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    """Return each ccxt flavour in turn."""
    return str(request.param)


def _call_private(client: Client) -> None:
    try:
        client.call("fetch_balance")
    finally:
        client.close()


def test_a_wrong_secret_is_an_authentication_error(served: Served, kind: str):
    client = Client(kind, served.url, served.key("errors"), "not-the-secret")
    with pytest.raises(ccxt.AuthenticationError, match="10004"):
        _call_private(client)


def test_an_unknown_key_is_an_authentication_error(served: Served, kind: str):
    client = Client(kind, served.url, "key-nobody-has", SECRET)
    with pytest.raises(ccxt.AuthenticationError, match="10003"):
        _call_private(client)


@pytest.fixture(scope="module")
def rate_limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Run a second simulator that answers every request but /v5/market/time with 10006."""
    process, url = start_serve(tmp_path_factory.mktemp("faults"), "--faults", "rate_limit=1.0")
    try:
        yield url
    finally:
        stop_serve(process)


def test_an_injected_rate_limit_is_rate_limit_exceeded(rate_limited: str, kind: str):
    client = Client(kind, rate_limited, Served.key("errors"), SECRET)
    try:
        assert client.call("fetch_time") > 0  # the time endpoint is never faulted
        with pytest.raises(ccxt.RateLimitExceeded, match="10006"):
            client.call("fetch_ticker", "BTC/USDT")
    finally:
        client.close()


def test_a_client_left_on_bybit_hosts_fails_at_once_instead_of_hanging(loopback_only, kind: str):
    client = Client(kind, None, "key", SECRET, sandbox=False)  # ccxt's stock Bybit hosts
    with pytest.raises(ccxt.NetworkError):
        try:
            client.call("fetch_time")
        finally:
            client.close()
    assert "api.bybit.com" in loopback_only
    loopback_only.clear()  # the guard did its job; the test itself must not fail on it
