"""An httpx transport wrapper that counts the HTTP requests a session actually sends (retries included).

With a clock it also keeps one :class:`RequestSample` per request - when it was sent (session time),
to which path, and the per-UID limit usage the exchange reported in ``X-Bapi-Limit`` /
``X-Bapi-Limit-Status`` - so the report can chart the request rate in the units of Bybit's limits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class RequestSample:
    """One request as sent: session time, path, and the limit usage its answer reported (if any)."""

    at_ms: int
    path: str
    limit: int | None = None  # X-Bapi-Limit: the endpoint's requests per rolling second for this UID
    used: int | None = None  # limit - X-Bapi-Limit-Status: requests counted in that second, this one included


def _usage(response: httpx.Response) -> tuple[int | None, int | None]:
    try:
        limit = int(response.headers["X-Bapi-Limit"])
        remaining = int(response.headers["X-Bapi-Limit-Status"])
    except (KeyError, ValueError):
        return None, None
    return limit, max(0, limit - remaining)


class CountingTransport(httpx.AsyncBaseTransport):
    """Delegate to ``inner`` and count every request handed to it (sampling it when a clock is given)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, clock_ms: Callable[[], int] | None = None) -> None:
        self.inner = inner
        self.count = 0
        self.clock_ms = clock_ms
        self.samples: list[RequestSample] = []  # in the order the requests were sent

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Count, then send; note what the answer says about the rate limit."""
        self.count += 1
        if self.clock_ms is None:
            return await self.inner.handle_async_request(request)
        index = len(self.samples)
        self.samples.append(RequestSample(self.clock_ms(), request.url.path))
        response = await self.inner.handle_async_request(request)
        limit, used = _usage(response)
        if limit is not None:
            sent = self.samples[index]
            self.samples[index] = RequestSample(sent.at_ms, sent.path, limit, used)
        return response

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self.inner.aclose()
