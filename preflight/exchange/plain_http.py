"""A lean HTTP/1.1 keep-alive transport for plain ``http://`` hosts, behind httpx's transport seam.

Why: the embedded simulator (and any plain-HTTP host) is served on loopback, where the cost of a request
is the client's own bookkeeping. httpx's default stack (httpcore + h11 + anyio) spends about twice the
CPU of the sync client per request on locks, events and per-header validation a loopback exchange does
not need. This transport writes the request head in one piece and reads the answer with asyncio
streams; it raises httpx's own exceptions, so callers see the same errors as before. ``https://`` URLs
never come here: :func:`transport_for` hands them to httpx's transport (TLS, HTTP/2, proxies).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping

import httpx

_MAX_IDLE = 16  # idle keep-alive connections kept per host (the io_queue caps concurrency far lower)
_MAX_HEAD = 64 * 1024
# A body is never buffered beyond this: a hostile endpoint must not grow the process (the requester refuses
# anything over its own cap; the transport stops one byte past it and drops the connection).
MAX_BODY_BYTES = 4 * 1024 * 1024
_NO_BODY = frozenset({204, 304})


def transport_for(base_url: str, max_body_bytes: int = MAX_BODY_BYTES) -> httpx.AsyncBaseTransport:
    """Return the lean transport for a plain-HTTP base URL, httpx's own (TLS) transport otherwise."""
    if httpx.URL(base_url).scheme == "http":
        return PlainHttpTransport(max_body_bytes)
    return httpx.AsyncHTTPTransport()


class _Connection:
    """One keep-alive TCP connection."""

    __slots__ = ("reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @property
    def reusable(self) -> bool:
        """Say whether the peer has not closed (or half-closed) the idle connection."""
        return not (self.reader.at_eof() or self.writer.is_closing())

    def close(self) -> None:
        """Close the socket without waiting."""
        self.writer.close()


class PlainHttpTransport(httpx.AsyncBaseTransport):
    """Send HTTP/1.1 requests over pooled keep-alive asyncio connections (``http://`` only)."""

    def __init__(self, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self._idle: dict[tuple[str, int], list[_Connection]] = {}
        self._max_body = max_body_bytes

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` and return the complete response; httpx exceptions on failure."""
        url = request.url
        if url.scheme != "http":
            raise httpx.UnsupportedProtocol(f"plain-HTTP transport asked for {url.scheme!r}", request=request)
        timeouts: Mapping[str, float | None] = request.extensions.get("timeout", {})
        key = (url.host, url.port or 80)
        connection = self._take_idle(key) or await self._connect(request, key, timeouts.get("connect"))
        keep = False
        try:
            await self._write(request, connection, timeouts.get("write"))
            try:
                async with asyncio.timeout(timeouts.get("read")):
                    status, reason, headers, alive = await _read_head(connection.reader)
                    content, framed = await _read_body(
                        connection.reader, request.method, status, headers, self._max_body
                    )
                keep = alive and framed  # only a fully read, framed answer leaves the connection usable
            except TimeoutError:
                raise httpx.ReadTimeout("timed out reading the response", request=request) from None
            except asyncio.IncompleteReadError:
                raise httpx.RemoteProtocolError(
                    "Server disconnected without sending a response.", request=request
                ) from None
            except (ConnectionError, OSError) as error:
                raise httpx.ReadError(str(error) or type(error).__name__, request=request) from None
            except ValueError as error:  # a malformed head, length or chunk size
                raise httpx.RemoteProtocolError(str(error), request=request) from None
        finally:
            if keep:
                self._idle.setdefault(key, []).append(connection)
            else:
                connection.close()
        if len(self._idle.get(key, ())) > _MAX_IDLE:
            self._idle[key].pop(0).close()
        return httpx.Response(
            status,
            headers=headers,
            content=content,
            request=request,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": reason},
        )

    def _take_idle(self, key: tuple[str, int]) -> _Connection | None:
        idle = self._idle.get(key)
        while idle:
            connection = idle.pop()
            if connection.reusable:
                return connection
            connection.close()
        return None

    async def _connect(
        self, request: httpx.Request, key: tuple[str, int], timeout: float | None
    ) -> _Connection:
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(key[0], key[1], limit=_MAX_HEAD)
        except TimeoutError:
            where = f"{key[0]}:{key[1]}"
            raise httpx.ConnectTimeout(f"timed out connecting to {where}", request=request) from None
        except OSError as error:
            raise httpx.ConnectError(str(error) or type(error).__name__, request=request) from None
        return _Connection(reader, writer)

    async def _write(self, request: httpx.Request, connection: _Connection, timeout: float | None) -> None:
        body = await request.aread()
        url = request.url
        target = url.raw_path.decode("ascii")
        lines = [f"{request.method} {target} HTTP/1.1".encode("ascii")]
        lines += [name + b": " + value for name, value in request.headers.raw]
        head = b"\r\n".join(lines) + b"\r\n\r\n"
        try:
            async with asyncio.timeout(timeout):
                connection.writer.write(head + body if body else head)
                await connection.writer.drain()
        except TimeoutError:
            connection.close()
            raise httpx.WriteTimeout("timed out sending the request", request=request) from None
        except OSError as error:
            connection.close()
            raise httpx.WriteError(str(error) or type(error).__name__, request=request) from None

    async def aclose(self) -> None:
        """Close every idle connection."""
        idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection in connections:
                connection.close()
                with contextlib.suppress(OSError, ConnectionError):
                    await connection.writer.wait_closed()


async def _read_head(reader: asyncio.StreamReader) -> tuple[int, bytes, list[tuple[bytes, bytes]], bool]:
    """Read the status line and headers; return (status, reason, headers, keep-alive)."""
    while True:
        try:
            raw = await reader.readuntil(b"\r\n\r\n")
        except asyncio.LimitOverrunError:
            raise ValueError("response head too large") from None
        lines = raw[:-4].split(b"\r\n")
        version, _, rest = lines[0].partition(b" ")
        code, _, reason = rest.partition(b" ")
        if not version.startswith(b"HTTP/1.") or not code.isdigit():
            raise ValueError("malformed response status line")
        status = int(code)
        if 100 <= status < 200:  # 100 Continue and friends: the real answer follows
            continue
        headers = []
        connection = b""
        for line in lines[1:]:
            name, sep, value = line.partition(b":")
            if not sep:
                raise ValueError("malformed response header")
            value = value.strip()
            headers.append((name, value))
            if name.lower() == b"connection":
                connection = value.lower()
        keep = b"close" not in connection if version == b"HTTP/1.1" else b"keep-alive" in connection
        return status, reason, headers, keep


async def _read_body(
    reader: asyncio.StreamReader,
    method: str,
    status: int,
    headers: list[tuple[bytes, bytes]],
    limit: int = MAX_BODY_BYTES,
) -> tuple[bytes, bool]:
    """Read the body as its headers frame it; say whether it was framed (else it ran to the close).

    Past ``limit`` bytes reading stops: the first ``limit + 1`` bytes are returned, unframed, so the
    connection is dropped and the caller sees a body over its cap without the rest ever being buffered.
    """
    if method == "HEAD" or status in _NO_BODY:
        return b"", True
    length: bytes | None = None
    chunked = False
    for name, value in headers:
        lower = name.lower()
        if lower == b"content-length":
            length = value
        elif lower == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
    if chunked:
        parts: list[bytes] = []
        total = 0
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";", 1)[0].strip(), 16)
            if size == 0:
                while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers end with an empty line
                    pass
                return b"".join(parts), True
            if total + size > limit:
                parts.append(await reader.readexactly(limit + 1 - total))
                return b"".join(parts), False
            parts.append(await reader.readexactly(size))
            total += size
            await reader.readexactly(2)
    if length is not None:
        if not length.isdigit():
            raise ValueError("malformed Content-Length")
        if int(length) > limit:
            return b"", False  # refused unread: the declared length already says it is over the cap
        return await reader.readexactly(int(length)), True
    body = bytearray()
    while len(body) <= limit:
        chunk = await reader.read(min(65536, limit + 1 - len(body)))
        if not chunk:
            return bytes(body), False
        body += chunk
    return bytes(body), False
