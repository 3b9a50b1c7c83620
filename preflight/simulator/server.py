"""A real HTTP/1.1 keep-alive server for the simulator, on 127.0.0.1 in a background thread.

asyncio protocol + h11: one ``h11.Connection`` per socket, each request answered by
``BybitSimulator.handle`` on the event-loop thread (the simulator serialises state changes itself).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from types import TracebackType

import h11

from preflight.errors import UsageError
from preflight.simulator.simulator import BybitSimulator
from preflight.simulator.wire import Drop, SimRequest, SimResponse

_SERVER_HEADER = (b"server", b"preflight-bybit-sim")


class _HttpProtocol(asyncio.Protocol):
    """Serve one connection: parse with h11, answer each request in order, keep the socket alive."""

    def __init__(
        self, simulator: BybitSimulator, timeout_delay_s: float | None, live: set[_HttpProtocol]
    ) -> None:
        self._simulator = simulator
        self._live = live
        self._timeout_delay_s = timeout_delay_s
        self._conn = h11.Connection(h11.SERVER)
        self._transport: asyncio.Transport | None = None
        self._client_ip = "127.0.0.1"
        self._request: h11.Request | None = None
        self._body: list[bytes] = []
        self._busy = False  # a request is being answered later (injected latency)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._live.add(self)
        peer = transport.get_extra_info("peername")
        if peer:
            self._client_ip = str(peer[0])

    def data_received(self, data: bytes) -> None:
        self._conn.receive_data(data)
        if not self._busy:
            self._process()

    def eof_received(self) -> bool | None:
        self._conn.receive_data(b"")
        if not self._busy:
            self._process()
        return None

    def _process(self) -> None:
        while self._transport is not None and not self._transport.is_closing():
            try:
                event = self._conn.next_event()
            except h11.RemoteProtocolError:
                self._send_error(400)
                return
            if event is h11.NEED_DATA or event is h11.PAUSED:
                return
            if isinstance(event, h11.Request):
                self._request, self._body = event, []
            elif isinstance(event, h11.Data):
                self._body.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                self._dispatch()
                if self._busy:
                    return
            elif isinstance(event, h11.ConnectionClosed):
                self._transport.close()
                return

    def _dispatch(self) -> None:
        request = self._request
        assert request is not None
        target = request.target.decode("latin-1")
        path, _, query = target.partition("?")
        sim_request = SimRequest(
            method=request.method.decode("ascii"),
            path=path,
            raw_query=query,
            headers={k.decode("latin-1"): v.decode("latin-1") for k, v in request.headers},
            body=b"".join(self._body),
            client_ip=self._client_ip,
        )
        latency_ms = self._simulator.config.faults.latency_ms
        if latency_ms:
            self._busy = True
            loop = asyncio.get_running_loop()
            loop.call_later(latency_ms / 1000, self._answer_later, sim_request)
            return
        self._answer(self._simulator.handle(sim_request))

    def _answer_later(self, sim_request: SimRequest) -> None:
        self._busy = False
        if self._transport is None or self._transport.is_closing():
            return
        self._answer(self._simulator.handle(sim_request))
        self._process()

    def _answer(self, response: SimResponse) -> None:
        transport = self._transport
        assert transport is not None
        if response.drop is not None:
            if response.drop is Drop.TIMEOUT and self._timeout_delay_s:
                self._busy = True  # hold the socket silent until well past the client's timeout
                asyncio.get_running_loop().call_later(self._timeout_delay_s, transport.close)
            else:
                transport.close()
            return
        headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in response.headers]
        headers += [(b"content-length", str(len(response.body)).encode()), _SERVER_HEADER]
        try:
            out = self._conn.send(h11.Response(status_code=response.status, headers=headers))
            out = (out or b"") + (self._conn.send(h11.Data(data=response.body)) or b"")
            out += self._conn.send(h11.EndOfMessage()) or b""
        except h11.LocalProtocolError:
            transport.close()
            return
        transport.write(out)
        if self._conn.our_state is h11.MUST_CLOSE:
            transport.close()
        elif self._conn.our_state is h11.DONE and self._conn.their_state is h11.DONE:
            self._conn.start_next_cycle()

    def _send_error(self, status: int) -> None:
        transport = self._transport
        assert transport is not None
        with contextlib.suppress(h11.LocalProtocolError):
            body = b"bad request"
            head = h11.Response(status_code=status, headers=[(b"content-length", b"11"), _SERVER_HEADER])
            transport.write((self._conn.send(head) or b"") + (self._conn.send(h11.Data(data=body)) or b""))
        transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        self._live.discard(self)

    def close(self) -> None:
        """Close the connection (server shutdown)."""
        if self._transport is not None:
            self._transport.close()


class SimulatorServer:
    """Serve a simulator over HTTP/1.1 on a real socket, from a background thread (a context manager)."""

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
        self._timeout_delay_s = timeout_delay_s
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: OSError | None = None
        self._live: set[_HttpProtocol] = set()

    @property
    def url(self) -> str:
        """Return the base URL, e.g. ``http://127.0.0.1:53211``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> SimulatorServer:
        """Bind and start serving; UsageError if the address cannot be bound."""
        if self._thread is not None:
            return self
        self._thread = threading.Thread(target=self._run, name="bybit-simulator", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            self._thread.join()
            self._thread = None
            raise UsageError(
                f"cannot listen on {self.host}:{self.port}: {self._error.strerror or self._error}"
            )
        return self

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            server = loop.run_until_complete(
                loop.create_server(
                    lambda: _HttpProtocol(self.simulator, self._timeout_delay_s, self._live),
                    self.host,
                    self.port,
                )
            )
        except OSError as error:
            self._error = error
            self._ready.set()
            loop.close()
            return
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            server.close()
            for connection in list(self._live):
                connection.close()
            loop.run_until_complete(server.wait_closed())
            loop.close()

    def stop(self) -> None:
        """Stop serving and wait for the thread to end."""
        if self._thread is None or self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._thread = None

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
