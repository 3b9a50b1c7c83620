"""A client cheap enough not to be the bottleneck: pre-built requests, pipelined on one raw socket.

httpx costs about 1 ms of CPU per request on this machine, more than the simulator's own work, so a
figure measured with it measures httpx. Here requests are plain bytes (an HMAC and a join each), written
``depth`` at a time; answers are split by Content-Length only.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from urllib.parse import urlsplit


def _host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 80


def read_answers(sock: socket.socket, count: int, buffer: bytearray) -> list[bytes]:
    """Read ``count`` complete responses; return their bodies."""
    bodies = []
    while len(bodies) < count:
        end = buffer.find(b"\r\n\r\n")
        if end >= 0:
            head = bytes(buffer[:end]).lower()
            start = head.find(b"content-length:")
            length = int(
                head[start + 15 : head.find(b"\r\n", start) if head.find(b"\r\n", start) > 0 else None]
            )
            if len(buffer) >= end + 4 + length:
                bodies.append(bytes(buffer[end + 4 : end + 4 + length]))
                del buffer[: end + 4 + length]
                continue
        chunk = sock.recv(262144)
        if not chunk:
            raise ConnectionError("server closed the connection")
        buffer += chunk
    return bodies


def pipelined_rps(
    url: str, make: Callable[[int], bytes], total: int, depth: int = 16
) -> tuple[float, list[bytes]]:
    """Send ``total`` requests (``make(i)`` builds the i-th) over one keep-alive socket, ``depth`` in
    flight; return (req/s, bodies). Each batch is built just before it is sent, so signed timestamps stay
    inside the recv window however long a round takes; building costs the same for every server."""
    host, port = _host_port(url)
    with socket.create_connection((host, port)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buffer = bytearray()
        bodies: list[bytes] = []
        started = time.perf_counter()
        for offset in range(0, total, depth):
            batch = [make(i) for i in range(offset, min(total, offset + depth))]
            sock.sendall(b"".join(batch))
            bodies.extend(read_answers(sock, len(batch), buffer))
        elapsed = time.perf_counter() - started
    return total / elapsed, bodies


def get_request(host: str, target: str, headers: dict[str, str]) -> bytes:
    """Return the bytes of a keep-alive GET."""
    lines = [f"GET {target} HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
