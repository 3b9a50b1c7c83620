"""Real clients against ``preflight simulator serve``: the server process and a loopback guard.

The guard makes any attempt to resolve a host other than the loopback fail at once (and the test with
it), so a client that tried the real exchange fails loudly instead of hanging on a network this machine
does not have. The helpers live in sim_clients_support.py.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Tests run with --import-mode=importlib, which puts no test folder on sys.path: put this one there so
# the test modules can import the helpers (a name no other folder uses).
sys.path.insert(0, str(Path(__file__).parent))
import sim_clients_support as _support

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture(scope="package")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Run one fault-free simulator for every client test of this package."""
    process, url = _support.start_serve(tmp_path_factory.mktemp("serve"))
    try:
        yield _support.Served(url)
    finally:
        _support.stop_serve(process)


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Refuse, and record, any name resolution of a host other than the loopback."""
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
