"""Fixtures of the reliability suite: one provisioned demo deployment per test session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Provision a demo deployment with ``preflight demo --dir`` and return its root (artefacts removed)."""
    root = tmp_path_factory.mktemp("reliability") / "demo"
    argv = [sys.executable, "-m", "preflight", "demo", "--dir", str(root), "--quiet"]
    done = subprocess.run(
        argv, capture_output=True, text=True, timeout=180, env={**os.environ, "NO_COLOR": "1"}, check=False
    )
    if done.returncode not in (0, 1) or not (root / "var" / "secrets").is_dir():
        pytest.fail(
            f"preflight demo could not provision a deployment (exit {done.returncode}): {done.stderr[-500:]}"
        )
    for leftover in ("reports", "logs", "var/metrics"):
        shutil.rmtree(root / leftover, ignore_errors=True)
    return root


class _Recorder(BaseHTTPRequestHandler):
    """Answer every request with the server's ``behaviour`` and count it."""

    def _answer(self) -> None:
        server = self.server
        assert isinstance(server, HostileServer)
        server.requests.append(self.path)
        server.behaviour(self)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


class HostileServer(ThreadingHTTPServer):
    """An HTTP server on 127.0.0.1 the test starts; ``behaviour(handler)`` writes each answer."""

    daemon_threads = True

    def __init__(self, behaviour: Callable[[BaseHTTPRequestHandler], None]) -> None:
        super().__init__(("127.0.0.1", 0), _Recorder)
        self.behaviour = behaviour
        self.requests: list[str] = []

    @property
    def url(self) -> str:
        """Return the base URL (``http://127.0.0.1:PORT``)."""
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def hostile_server() -> Iterator[Callable[[Callable[[BaseHTTPRequestHandler], None]], HostileServer]]:
    """Start hostile HTTP servers on 127.0.0.1 for the test; stop them afterwards."""
    started: list[HostileServer] = []

    def start(behaviour: Callable[[BaseHTTPRequestHandler], None]) -> HostileServer:
        server = HostileServer(behaviour)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.shutdown()
        server.server_close()
