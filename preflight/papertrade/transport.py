"""An httpx transport wrapper that counts the HTTP requests a session actually sends (retries included)."""

from __future__ import annotations

import httpx


class CountingTransport(httpx.AsyncBaseTransport):
    """Delegate to ``inner`` and count every request handed to it."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.count = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Count, then send."""
        self.count += 1
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self.inner.aclose()
