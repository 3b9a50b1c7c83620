"""The session's request rate in the units of the exchange's limits, tick by tick.

Bybit limits each UID per endpoint over a rolling second (``X-Bapi-Limit``, e.g. 20/s for order/create)
and each IP to 600 requests per rolling 5 s. A chart of per-tick totals says nothing about either, so
these series are measured in the limits' own units: for each tick, the most requests the exchange
counted in one second for one endpoint (what ``X-Bapi-Limit-Status`` reported, grouped by endpoints
sharing a limit), and the most requests this machine sent within 5 s. A rate-limited answer reports
its window full, so it sits exactly on its limit line.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from preflight.papertrade.transport import RequestSample
from preflight.simulator.ratelimit import IP_LIMIT, IP_WINDOW_MS, UID_WINDOW_MS


def _tick_slices(per_phase: Sequence[int], samples: Sequence[RequestSample]) -> list[Sequence[RequestSample]]:
    """Split ``samples`` (in sending order) into the ticks (start and end phases left out)."""
    if sum(per_phase) != len(samples) or len(per_phase) < 2:
        return []
    slices, start = [], 0
    for count in per_phase:
        slices.append(samples[start : start + count])
        start += count
    return slices[1:-1]


def uid_limit_usage(per_phase: Sequence[int], samples: Sequence[RequestSample]) -> dict[str, object]:
    """Return per-tick peaks of the per-UID usage, one series per limit (requests per second)."""
    ticks = _tick_slices(per_phase, samples)
    limited = [s for s in samples if s.limit is not None and s.used is not None]
    limits = sorted({s.limit for s in limited if s.limit is not None})
    groups = []
    for limit in limits:
        endpoints = sorted({s.path for s in limited if s.limit == limit})
        peaks = [max((s.used or 0 for s in tick if s.limit == limit), default=0) for tick in ticks]
        groups.append({"limit": limit, "endpoints": endpoints, "peak_per_tick": peaks})
    at_limit = [s for s in limited if s.limit is not None and s.used is not None and s.used >= s.limit]
    peak = max(limited, key=lambda s: ((s.used or 0) / (s.limit or 1), s.used or 0), default=None)
    return {
        "window_ms": UID_WINDOW_MS,
        "groups": groups,
        "peak": None if peak is None else {"used": peak.used, "limit": peak.limit, "endpoint": peak.path},
        "at_limit_responses": len(at_limit),
    }


def ip_limit_usage(
    per_phase: Sequence[int], samples: Sequence[RequestSample], session_samples: Sequence[RequestSample]
) -> dict[str, object]:
    """Return per-tick peaks of the requests sent from this machine within the IP window (5 s)."""
    times = sorted(s.at_ms for s in session_samples)

    def in_window(at_ms: int) -> int:
        return bisect_right(times, at_ms) - bisect_right(times, at_ms - IP_WINDOW_MS)

    peaks = [max((in_window(s.at_ms) for s in tick), default=0) for tick in _tick_slices(per_phase, samples)]
    overall = max((in_window(s.at_ms) for s in samples), default=0)
    return {"window_ms": IP_WINDOW_MS, "limit": IP_LIMIT, "peak_per_tick": peaks, "peak": overall}
