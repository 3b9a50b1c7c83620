"""Bybit's rate limits: per-UID per-endpoint rolling one-second windows, and the per-IP limit with a ban."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

# Spot column of Bybit's per-UID table (reference/bybit_v5.md 2.5), requests per second.
ENDPOINT_LIMITS: Mapping[str, int] = {
    "/v5/order/create": 20,
    "/v5/order/amend": 10,
    "/v5/order/cancel": 20,
    "/v5/order/cancel-all": 20,
    "/v5/order/realtime": 50,
    "/v5/order/history": 50,
    "/v5/execution/list": 50,
    "/v5/account/wallet-balance": 50,
    "/v5/account/info": 50,
    "/v5/account/fee-rate": 5,
    "/v5/user/query-api": 10,
}
UID_WINDOW_MS = 1000
IP_LIMIT = 600
IP_WINDOW_MS = 5000
IP_BAN_MS = 600_000


@dataclass(frozen=True)
class LimitState:
    """The outcome of one request against its endpoint limit, and the headers that report it."""

    allowed: bool
    limit: int
    remaining: int
    reset_ms: int

    def headers(self, *, with_reset: bool = True) -> tuple[tuple[str, str], ...]:
        """Return the X-Bapi-Limit* headers (the reset one left out when ``with_reset`` is false)."""
        base = (("X-Bapi-Limit", str(self.limit)), ("X-Bapi-Limit-Status", str(self.remaining)))
        if not with_reset:
            return base
        return (*base, ("X-Bapi-Limit-Reset-Timestamp", str(self.reset_ms)))


class UidLimiter:
    """Count each uid's accepted requests per endpoint over a rolling window."""

    def __init__(self, limits: Mapping[str, int] = ENDPOINT_LIMITS, window_ms: int = UID_WINDOW_MS) -> None:
        self._limits = dict(limits)
        self._window_ms = window_ms
        self._hits: dict[tuple[str, str], deque[int]] = {}

    def limit_for(self, path: str) -> int:
        """Return the per-second limit of ``path`` (unlisted private endpoints get 10/s)."""
        return self._limits.get(path, 10)

    def hit(self, uid: str, path: str, now_ms: int) -> LimitState:
        """Record a request at ``now_ms`` if the window has room; say whether it was allowed."""
        limit = self.limit_for(path)
        hits = self._hits.setdefault((uid, path), deque())
        horizon = now_ms - self._window_ms
        while hits and hits[0] <= horizon:
            hits.popleft()
        if len(hits) >= limit:
            # Bybit: the reset timestamp is when the window has room again.
            return LimitState(False, limit, 0, hits[0] + self._window_ms)
        hits.append(now_ms)
        # "otherwise ... just the current timestamp" (Bybit's rate-limit page).
        return LimitState(True, limit, limit - len(hits), now_ms)


class IpLimiter:
    """Count requests per client IP over a rolling window; a breach bans the IP for ``ban_ms``."""

    def __init__(self, limit: int = IP_LIMIT, window_ms: int = IP_WINDOW_MS, ban_ms: int = IP_BAN_MS) -> None:
        self._limit = limit
        self._window_ms = window_ms
        self._ban_ms = ban_ms
        self._hits: dict[str, deque[int]] = {}
        self._banned_until: dict[str, int] = {}

    def allow(self, ip: str, now_ms: int) -> bool:
        """Record a request from ``ip``; False while the IP is banned or when this request breaches."""
        until = self._banned_until.get(ip)
        if until is not None:
            if now_ms < until:
                return False
            del self._banned_until[ip]
        hits = self._hits.setdefault(ip, deque())
        horizon = now_ms - self._window_ms
        while hits and hits[0] <= horizon:
            hits.popleft()
        if len(hits) >= self._limit:
            self._banned_until[ip] = now_ms + self._ban_ms
            hits.clear()
            return False
        hits.append(now_ms)
        return True
