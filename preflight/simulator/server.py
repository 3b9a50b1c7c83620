"""A real HTTP/1.1 keep-alive server for the simulator, on 127.0.0.1, served from background threads.

One thread accepts; each connection gets a thread doing blocking ``recv`` -> parse
(:mod:`preflight.simulator.http11`) -> ``BybitSimulator.handle`` -> ``sendall``. Why threads and not
asyncio: a REST client keeps one or a few keep-alive connections, and a blocking loop per connection
skips the event loop's per-request bookkeeping, which cost more than the simulator's own work.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType

from preflight.errors import UsageError
from preflight.simulator.http11 import CONTINUE, HttpParseError, RequestParser, response_bytes
from preflight.simulator.simulator import BybitSimulator
from preflight.simulator.wire import Drop, SimRequest

_RECV_BYTES = 65536


class SimulatorServer:
    """Serve a simulator over HTTP/1.1 on a real socket until stopped (a context manager)."""

    def __init__(
        self,
        simulator: BybitSimulator,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        timeout_delay_s: float | None = None,
    ) -> None:
        self.simulator = simulator
        self.host = host
        self.port = port
        # An injected timeout closes the connection without an answer; with a delay, it first stays
        # silent that long (set it above the client's timeout to get a real read timeout).
        self._timeout_delay_s = timeout_delay_s
        self._listener: socket.socket | None = None
        self._acceptor: threading.Thread | None = None
        self._stopping = threading.Event()
        self._live: set[socket.socket] = set()
        self._live_lock = threading.Lock()

    @property
    def url(self) -> str:
        """Return the base URL, e.g. ``http://127.0.0.1:53211``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> SimulatorServer:
        """Bind and start serving; UsageError if the address cannot be bound."""
        if self._listener is not None:
            return self
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        try:
            listener = socket.create_server((self.host, self.port), family=family, backlog=128)
        except OSError as error:
            raise UsageError(f"cannot listen on {self.host}:{self.port}: {error.strerror or error}") from None
        self._listener = listener
        self.port = listener.getsockname()[1]
        self._stopping.clear()
        self._acceptor = threading.Thread(target=self._accept_loop, name="bybit-sim-accept", daemon=True)
        self._acceptor.start()
        return self

    def stop(self) -> None:
        """Stop accepting, close every connection and wait for the acceptor to end."""
        listener = self._listener
        if listener is None:
            return
        self._stopping.set()
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() on Linux
        listener.close()
        with self._live_lock:
            live = list(self._live)
        for conn in live:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._acceptor is not None:
            self._acceptor.join(timeout=5)
        self._listener = self._acceptor = None

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _accept_loop(self) -> None:
        listener = self._listener
        assert listener is not None
        while not self._stopping.is_set():
            try:
                conn, peer = listener.accept()
            except OSError:
                return
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._live_lock:
                self._live.add(conn)
            worker = threading.Thread(
                target=self._serve, args=(conn, str(peer[0])), name="bybit-sim-conn", daemon=True
            )
            worker.start()

    def _serve(self, conn: socket.socket, client_ip: str) -> None:
        try:
            self._serve_requests(conn, client_ip)
        except OSError:
            pass  # the peer went away mid-answer
        finally:
            with self._live_lock:
                self._live.discard(conn)
            conn.close()

    def _serve_requests(self, conn: socket.socket, client_ip: str) -> None:
        parser = RequestParser()
        handle = self.simulator.handle
        faults = self.simulator.config.faults
        while not self._stopping.is_set():
            data = conn.recv(_RECV_BYTES)
            if not data:
                return
            parser.feed(data)
            while True:
                try:
                    request = parser.next_request()
                except HttpParseError as error:
                    conn.sendall(response_bytes(error.status, (), str(error).encode(), keep_alive=False))
                    return
                if request is None:
                    if parser.wants_continue():
                        conn.sendall(CONTINUE)
                    break
                if faults.latency_ms and self._stopping.wait(faults.latency_ms / 1000):
                    return
                path, _, query = request.target.partition("?")
                response = handle(
                    SimRequest(request.method, path, query, request.headers, request.body, client_ip)
                )
                if response.drop is not None:
                    if response.drop is Drop.TIMEOUT and self._timeout_delay_s:
                        self._stopping.wait(self._timeout_delay_s)
                    return  # closes the connection without an answer
                conn.sendall(
                    response_bytes(
                        response.status, response.headers, response.body, keep_alive=request.keep_alive
                    )
                )
                if not request.keep_alive:
                    return
