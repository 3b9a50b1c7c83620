"""Shared pytest configuration: the ``--soak`` option and the ``time_limit`` guard against hangs."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from types import FrameType

import pytest

# Tests run with --import-mode=importlib, which puts no test folder on sys.path: put tests/support there so
# test folders share its helpers (sim_clients_support: the simulator process, ccxt clients, a guard).
sys.path.insert(0, str(Path(__file__).parent / "support"))


class TimeLimitExceeded(BaseException):
    """Raised by the alarm; a BaseException so no ``except Exception`` in the code under test eats it."""


@contextmanager
def _time_limit(seconds: float, what: str) -> Iterator[None]:
    """Interrupt the block after ``seconds`` (SIGALRM interrupts blocking syscalls too, PEP 475)."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeLimitExceeded(f"{what} still running after {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def time_limit() -> Callable[[float, str], AbstractContextManager[None]]:
    """Return ``time_limit(seconds, what)``: a block that fails as a hang when it overruns."""
    return _time_limit


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--soak``: run the tests marked ``soak`` and the many-seed soak matrix."""
    parser.addoption(
        "--soak", action="store_true", default=False, help="run the long fault soak (many seeds)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the tests marked ``soak`` unless ``--soak`` was given."""
    if config.getoption("--soak"):
        return
    skip = pytest.mark.skip(reason="long fault soak: run with --soak")
    for item in items:
        if item.get_closest_marker("soak") is not None:
            item.add_marker(skip)


@pytest.fixture
def serve_simulator(
    tmp_path: Path,
) -> Iterator[Callable[[str], str]]:
    """Return ``serve(accounts_yaml) -> url``: a ``preflight simulator serve`` on 127.0.0.1 for the test."""
    servers: list[subprocess.Popen[str]] = []

    def serve(accounts_yaml: str) -> str:
        accounts = tmp_path / f"accounts-{len(servers)}.yaml"
        accounts.write_text(accounts_yaml, encoding="utf-8")
        server = subprocess.Popen(
            ["preflight", "simulator", "serve", "--accounts", str(accounts), "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        servers.append(server)
        assert server.stdout is not None
        with _time_limit(120, "the simulator's start-up line"):
            first = server.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+", first)
        assert found, first
        return found.group(0)

    yield serve
    for server in servers:
        server.terminate()
        server.wait(timeout=120)
