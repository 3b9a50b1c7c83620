"""Real clients against ``preflight simulator serve``: the server process and a loopback guard.

The helpers and the guard live in tests/support/sim_clients_support.py (shared with tests/integration).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sim_clients_support as _support


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fail any test whose client resolves a host other than the loopback."""
    yield from _support.loopback_guard(monkeypatch)


@pytest.fixture(scope="package")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Run one fault-free simulator for every client test of this package."""
    process, url = _support.start_serve(tmp_path_factory.mktemp("serve"))
    try:
        yield _support.Served(url)
    finally:
        _support.stop_serve(process)
