"""In-process httpx transports: requests go straight to ``BybitSimulator.handle``, no network."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import httpx

from preflight.simulator.wire import Drop, SimRequest, SimResponse

if TYPE_CHECKING:
    from preflight.simulator.simulator import BybitSimulator


def to_sim_request(request: httpx.Request, body: bytes, client_ip: str) -> SimRequest:
    """Convert an httpx request into a SimRequest, keeping the raw query string as it would be sent."""
    return SimRequest(
        method=request.method,
        path=request.url.path,
        raw_query=request.url.query.decode("latin-1"),
        headers={name.lower(): value for name, value in request.headers.items()},
        body=body,
        client_ip=client_ip,
    )


def to_httpx_response(response: SimResponse, request: httpx.Request) -> httpx.Response:
    """Convert a SimResponse into an httpx response, or raise the httpx error its ``drop`` asks for."""
    if response.drop is Drop.TIMEOUT:
        raise httpx.ReadTimeout("simulated read timeout", request=request)
    if response.drop is Drop.RESET:
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
    return httpx.Response(
        response.status, headers=list(response.headers), content=response.body, request=request
    )


class SimulatorTransport(httpx.BaseTransport):
    """A synchronous httpx transport backed by a simulator."""

    def __init__(self, simulator: BybitSimulator, client_ip: str = "127.0.0.1") -> None:
        self._simulator = simulator
        self._client_ip = client_ip

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Answer ``request`` from the simulator (injected latency is slept, if configured)."""
        latency_ms = self._simulator.config.faults.latency_ms
        if latency_ms:
            time.sleep(latency_ms / 1000)
        sim_request = to_sim_request(request, request.read(), self._client_ip)
        return to_httpx_response(self._simulator.handle(sim_request), request)


class AsyncSimulatorTransport(httpx.AsyncBaseTransport):
    """An asynchronous httpx transport backed by a simulator."""

    def __init__(self, simulator: BybitSimulator, client_ip: str = "127.0.0.1") -> None:
        self._simulator = simulator
        self._client_ip = client_ip

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer ``request`` from the simulator (injected latency is awaited, if configured)."""
        latency_ms = self._simulator.config.faults.latency_ms
        if latency_ms:
            await asyncio.sleep(latency_ms / 1000)
        body = await request.aread()
        sim_request = to_sim_request(request, body, self._client_ip)
        return to_httpx_response(self._simulator.handle(sim_request), request)
