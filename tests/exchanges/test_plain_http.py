"""The lean plain-HTTP transport: framing, keep-alive reuse and httpx's own errors, on real sockets."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable

import httpx
import pytest

from preflight.exchange.plain_http import PlainHttpTransport, transport_for

Answer = Callable[[bytes], bytes | None]  # request head -> raw response (None: close without answering)


async def _serve(
    answer: Answer,
    body: Callable[[httpx.AsyncClient], Awaitable[None]],
    transport: PlainHttpTransport | None = None,
) -> list[int]:
    """Run ``body`` against a canned server; return how many connections it accepted."""
    connections: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length")
                    ),
                    0,
                )
                head += await reader.readexactly(length)
                raw = answer(head)
                if raw is None:
                    break
                writer.write(raw)
                await writer.drain()
                lower = raw.lower()
                if b"connection: close" in lower or not (b"content-length" in lower or b"chunked" in lower):
                    break  # the answer said so, or its body runs to the close
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with (
        server,
        httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", transport=transport or PlainHttpTransport(), timeout=2.0
        ) as client,
    ):
        await body(client)
    return connections


def _ok(text: bytes, extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(text), extra, text)


def test_keep_alive_get_and_post_reuse_one_connection() -> None:
    seen: list[bytes] = []

    def answer(head: bytes) -> bytes:
        seen.append(head)
        return _ok(b'{"retCode":0}', b"Content-Type: application/json\r\n")

    async def body(client: httpx.AsyncClient) -> None:
        assert (await client.get("/v5/market/time", params={"a": "1 2"})).json() == {"retCode": 0}
        response = await client.post("/v5/order/create", content=b'{"x":1}')
        assert response.status_code == 200 and response.http_version == "HTTP/1.1"

    assert asyncio.run(_serve(answer, body)) == [1]
    assert (
        seen[0].startswith(b"GET /v5/market/time?a=1+2 HTTP/1.1\r\n")
        and b"\r\nhost: 127.0.0.1:" in seen[0].lower()
    )
    assert seen[1].startswith(b"POST /v5/order/create HTTP/1.1\r\n") and seen[1].endswith(b'\r\n\r\n{"x":1}')


def test_chunked_and_close_delimited_bodies_and_connection_close() -> None:
    answers = iter(
        [
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n\r\n",
            _ok(b"bye", b"Connection: close\r\n"),
            b"HTTP/1.1 200 OK\r\n\r\nuntil-close",
            _ok(b"last"),
        ]
    )

    def answer(head: bytes) -> bytes | None:
        raw = next(answers)
        return raw

    async def body(client: httpx.AsyncClient) -> None:
        assert (await client.get("/a")).text == "hello world"
        assert (await client.get("/b")).text == "bye"  # Connection: close - the next one reconnects
        response = await client.get("/c")
        assert response.text == "until-close"  # no length: the body runs to the close
        assert (await client.get("/d")).text == "last"

    assert asyncio.run(_serve(answer, body)) == [1, 1, 1]


def test_a_dropped_answer_is_a_remote_protocol_error_and_the_next_request_reconnects() -> None:
    calls = iter([None, _ok(b"fine")])

    async def body(client: httpx.AsyncClient) -> None:
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get("/drop")
        assert (await client.get("/again")).text == "fine"

    assert asyncio.run(_serve(lambda head: next(calls), body)) == [1, 1]


def test_a_silent_server_is_a_read_timeout() -> None:
    async def body(client: httpx.AsyncClient) -> None:
        with pytest.raises(httpx.ReadTimeout):
            await client.get("/slow", timeout=0.2)

    def answer(head: bytes) -> bytes:
        return b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"  # the body never comes

    asyncio.run(_serve(answer, body))


def test_a_refused_connection_is_a_connect_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound, never listening: the connection is refused

        async def main() -> None:
            async with httpx.AsyncClient(transport=PlainHttpTransport(), timeout=2.0) as client:
                with pytest.raises(httpx.ConnectError):
                    await client.get(f"http://127.0.0.1:{port}/")

        asyncio.run(main())


def test_https_hosts_get_httpx_own_transport() -> None:
    assert isinstance(transport_for("http://127.0.0.1:1"), PlainHttpTransport)
    assert isinstance(transport_for("https://api-testnet.bybit.com"), httpx.AsyncHTTPTransport)


def test_a_body_over_the_cap_is_cut_one_byte_past_it_and_its_connection_dropped() -> None:
    """Whatever frames it, no more than cap + 1 bytes are buffered; a declared oversize is not read at all."""
    big = b"x" * 5000
    parts = (big[:3000], big[3000:])
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts) + b"0\r\n\r\n"
    answers = iter(
        [
            _ok(big),
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked,
            b"HTTP/1.1 200 OK\r\n\r\n" + big,
            _ok(b"small"),
        ]
    )

    async def body(client: httpx.AsyncClient) -> None:
        declared = await client.get("/declared")
        assert declared.content == b"" and declared.headers["content-length"] == "5000"
        assert len((await client.get("/chunked")).content) == 1001
        assert len((await client.get("/until-close")).content) == 1001
        assert (await client.get("/small")).text == "small"  # a new connection, answered whole

    assert asyncio.run(_serve(lambda head: next(answers), body, PlainHttpTransport(1000))) == [1, 1, 1, 1]
