"""Retry timing: exponential backoff with jitter, and Bybit's X-Bapi-Limit-* rate-limit headers."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry: ``budget`` retries after the first attempt.

    Backoff for retry n (1-based) is ``min(max_delay_s, base_delay_s * 2**(n-1))`` scaled by a random
    factor in ``[1 - jitter, 1]`` so that clients hitting the same limit do not retry in lockstep.
    A rate-limit reset further away than ``max_reset_wait_s`` is capped there (a broken header must
    not park the session for minutes).
    """

    budget: int = 5
    base_delay_s: float = 0.2
    max_delay_s: float = 5.0
    jitter: float = 0.5
    max_reset_wait_s: float = 10.0
    missing_reset_delay_s: float = 1.0  # first wait when a 10006 comes without a reset header

    def backoff(self, retry: int, rng: random.Random, base_s: float | None = None) -> float:
        """Return the delay before retry number ``retry`` (1-based)."""
        base = self.base_delay_s if base_s is None else base_s
        delay = min(self.max_delay_s, base * (2 ** max(0, retry - 1)))
        return delay * (1.0 - self.jitter * rng.random())

    def rate_limit_wait(
        self, reset_at_ms: int | None, server_now_ms: int, retry: int, rng: random.Random
    ) -> float:
        """Return how long to wait after a 10006/429: until the reset, or bounded backoff without one."""
        if reset_at_ms is None or reset_at_ms <= 0:
            return self.backoff(retry, rng, self.missing_reset_delay_s)
        # a small margin so the first request after the wait lands in the new window
        wait = (reset_at_ms - server_now_ms) / 1000.0 + 0.01
        return min(self.max_reset_wait_s, max(0.0, wait))


@dataclass(frozen=True)
class LimitHeaders:
    """The X-Bapi-Limit-* headers of one response (each None when absent or unparsable)."""

    limit: int | None
    remaining: int | None
    reset_at_ms: int | None


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


def parse_limit_headers(headers: Mapping[str, str]) -> LimitHeaders:
    """Read X-Bapi-Limit, X-Bapi-Limit-Status and X-Bapi-Limit-Reset-Timestamp (case-insensitive)."""
    return LimitHeaders(
        limit=_int_header(headers, "x-bapi-limit"),
        remaining=_int_header(headers, "x-bapi-limit-status"),
        reset_at_ms=_int_header(headers, "x-bapi-limit-reset-timestamp"),
    )


class EndpointLimits:
    """The last limit status seen per endpoint, to wait proactively before exhausting a limit."""

    def __init__(self) -> None:
        self._blocked_until_ms: dict[str, int] = {}

    def record(self, endpoint: str, headers: LimitHeaders) -> None:
        """Remember an answer's headers: remaining 0 blocks the endpoint until the reset time."""
        if headers.remaining is not None and headers.remaining <= 0 and headers.reset_at_ms:
            self._blocked_until_ms[endpoint] = headers.reset_at_ms
        elif headers.remaining is not None and headers.remaining > 0:
            self._blocked_until_ms.pop(endpoint, None)

    def block(self, endpoint: str, until_ms: int) -> None:
        """Block ``endpoint`` until ``until_ms`` (server time), e.g. after a 10006."""
        self._blocked_until_ms[endpoint] = max(until_ms, self._blocked_until_ms.get(endpoint, 0))

    def wait_ms(self, endpoint: str, server_now_ms: int) -> int:
        """Return how long to hold back the next request to ``endpoint`` (0 when free)."""
        until = self._blocked_until_ms.get(endpoint)
        if until is None:
            return 0
        if until <= server_now_ms:
            del self._blocked_until_ms[endpoint]
            return 0
        return until - server_now_ms
