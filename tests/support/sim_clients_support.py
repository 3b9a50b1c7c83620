"""Helpers for the real-client tests: ``preflight simulator serve`` as a process, stock ccxt clients, a guard.

Only the URL changes in the clients: ccxt gets ``urls.api`` and ``urls.test`` naming the simulator
(``test`` because a paper bot, bot_core among them, calls ``set_sandbox_mode(True)``, which swaps
``urls.test`` in). Everything else is the bot's usual configuration: keys, ``defaultType: spot``,
ccxt's own rate limiter. The loopback guard makes any attempt to resolve a host other than the loopback
fail at once (and the test with it), so a client that tried the real exchange fails loudly instead of
hanging on a network this machine does not have. tests/conftest.py puts this folder on sys.path.
"""

from __future__ import annotations

import asyncio
import os
import select
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ccxt
import ccxt.async_support as ccxt_async
import pytest

SECRET = "clients-test-secret-0001"
# One account per client so their orders and balances never meet.
ACCOUNTS = {"ccxt-sync": "2001", "ccxt-async": "2002", "pybit": "2003", "errors": "2004", "bot": "2005"}
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class Served:
    """A running ``preflight simulator serve``: its URL and the accounts it knows."""

    url: str

    @staticmethod
    def key(client: str) -> str:
        """Return the api key of the account reserved for ``client``."""
        return f"key-{client}"


def _accounts_file(directory: Path) -> Path:
    path = directory / "accounts.yaml"
    lines = []
    for client, uid in ACCOUNTS.items():
        lines.append(f"- uid: {uid}\n  api_key: {Served.key(client)}\n  api_secret: {SECRET}\n")
        lines.append("  balances: {USDT: '10000', BTC: '1', ETH: '2'}\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


def start_serve(directory: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
    """Start ``preflight simulator serve`` on an ephemeral loopback port; return it and its URL."""
    command = [
        sys.executable, "-m", "preflight", "simulator", "serve",
        "--accounts", str(_accounts_file(directory)), "--seed", "11", *extra,
    ]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ)
    )
    assert process.stdout is not None
    # Bound the wait for the first line generously (a loaded machine), so a stuck start fails the test.
    ready, _, _ = select.select([process.stdout], [], [], 120)
    line = process.stdout.readline() if ready else ""
    if not line.startswith("Bybit V5 simulator listening on http://127.0.0.1:"):
        process.kill()
        raise AssertionError(f"simulator serve did not start: {line!r} {process.communicate()[1]!r}")
    return process, line.rsplit(" ", 1)[1].strip()


def stop_serve(process: subprocess.Popen[str]) -> None:
    """Stop the server with Ctrl-C, as an operator would, and check it ended cleanly."""
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)  # generous: a loaded machine
    assert process.returncode == 0, err
    assert "Traceback" not in err


# The five API groups ccxt's bybit builds its URLs from (ccxt bybit.py describe() 'urls').
HOST_KEYS = ("spot", "futures", "v2", "public", "private")


def ccxt_config(url: str | None, api_key: str, secret: str) -> dict[str, Any]:
    """Return the ccxt constructor config a bot uses to trade spot against the simulator at ``url``.

    ``url`` None leaves ccxt's own Bybit hosts in place (to prove the tests cannot reach them).
    """
    config: dict[str, Any] = {
        "apiKey": api_key,
        "secret": secret,
        "options": {"defaultType": "spot"},
        "enableRateLimit": True,
        "timeout": 30_000,  # ms; bounds every call, nothing here can hang
    }
    if url is not None:
        hosts = dict.fromkeys(HOST_KEYS, url)
        config["urls"] = {"api": hosts, "test": hosts}
    return config


class Client:
    """One ccxt exchange, sync or async, behind one blocking ``call(method, *args)``."""

    def __init__(
        self, kind: str, url: str | None, api_key: str, secret: str, *, sandbox: bool = True
    ) -> None:
        self.kind = kind
        self.loop = asyncio.new_event_loop() if kind == "async" else None
        factory: Callable[[dict[str, Any]], Any] = ccxt_async.bybit if kind == "async" else ccxt.bybit
        self.exchange = factory(ccxt_config(url, api_key, secret))
        if sandbox:
            self.exchange.set_sandbox_mode(True)  # as a paper bot does; urls.test is the simulator

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Call ``exchange.<method>(*args, **kwargs)`` and return its result (awaited when async)."""
        result = getattr(self.exchange, method)(*args, **kwargs)
        if self.loop is not None:
            return self.loop.run_until_complete(result)
        return result

    def close(self) -> None:
        """Close the client's sessions (and its event loop when async)."""
        if self.loop is not None:
            self.loop.run_until_complete(self.exchange.close())
            self.loop.close()


def loopback_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Refuse, and record, any name resolution of a host other than the loopback (a fixture's body)."""
    refused: list[str] = []
    real = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in _LOOPBACK:
            refused.append(name)
            raise socket.gaierror(socket.EAI_NONAME, f"test guard: {name} is not the loopback")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)
    yield refused
    assert not refused, f"a client tried to reach {sorted(set(refused))} instead of the simulator"
