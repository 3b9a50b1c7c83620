"""The session's own request stream: recorded from a real session, replayed by a bare httpx client.

``python -m benchmarks.stream record ROOT OUT.json`` runs the default paper session of ``ROOT`` and
writes every request it sent (method, path and query, body) and, per path, the first answer body.
``replay-raw`` sends them over one raw socket instead (the hard floor: no HTTP library at all).
``python -m benchmarks.stream replay URL STREAM.json`` sends the same requests, in order, with one bare
``httpx.AsyncClient`` (no signing, no queue, no parsing) to URL - the canned server - and exits: the
interpreter start, the imports and the replay are what any client of that stream must pay at least.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any


def record(root: Path, out: Path) -> None:
    """Run the session of ``root`` with a recording transport; write the stream to ``out``."""
    import httpx

    from preflight.deployment import load_deployment
    from preflight.exchange import plain_http
    from preflight.papertrade import session
    from preflight.papertrade.plan import SessionOptions
    from preflight.trust.secrets import open_keychain

    sent: list[dict[str, str]] = []
    bodies: dict[str, str] = {}
    real = plain_http.transport_for

    class Recording(httpx.AsyncBaseTransport):
        def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
            self.inner = inner

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            body = (await request.aread()).decode()
            target = request.url.raw_path.decode()
            sent.append({"method": request.method, "target": target, "body": body})
            response = await self.inner.handle_async_request(request)
            content = await response.aread()
            bodies.setdefault(request.url.path, content.decode())
            return response

        async def aclose(self) -> None:
            await self.inner.aclose()

    plain_http.transport_for = lambda url: Recording(real(url))  # the session imports it per run
    deployment = load_deployment(root)
    keychain = open_keychain(deployment, {})
    session.run_session(deployment, lambda: keychain, SessionOptions("bybit_desktop_paper"))
    out.write_text(json.dumps({"requests": sent, "bodies": bodies}), encoding="utf-8")


async def _replay(url: str, requests: list[dict[str, Any]]) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=url) as client:
        for item in requests:
            content = item["body"].encode() if item["body"] else None
            response = await client.request(item["method"], item["target"], content=content)
            response.json()


def replay(url: str, stream: Path) -> None:
    """Send the recorded requests to ``url`` in order with a bare AsyncClient."""
    asyncio.run(_replay(url, json.loads(stream.read_text(encoding="utf-8"))["requests"]))


def replay_raw(url: str, stream: Path) -> None:
    """Send the recorded requests to ``url`` in order over one raw keep-alive socket (the hard floor)."""
    import socket
    from urllib.parse import urlsplit

    from benchmarks.pipeline import read_answers

    parts = urlsplit(url)
    requests = json.loads(stream.read_text(encoding="utf-8"))["requests"]
    with socket.create_connection((parts.hostname, parts.port)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buffer = bytearray()
        for item in requests:
            body = item["body"].encode()
            head = f"{item['method']} {item['target']} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            head += f"Content-Length: {len(body)}\r\n\r\n"
            sock.sendall(head.encode() + body)
            json.loads(read_answers(sock, 1, buffer)[0])


if __name__ == "__main__":
    if sys.argv[1] == "record":
        record(Path(sys.argv[2]), Path(sys.argv[3]))
    elif sys.argv[1] == "replay-raw":
        replay_raw(sys.argv[2], Path(sys.argv[3]))
    else:
        replay(sys.argv[2], Path(sys.argv[3]))
