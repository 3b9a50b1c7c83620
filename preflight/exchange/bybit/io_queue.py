"""The io_queue: per queue key, at most ``max_concurrency`` requests in flight and ``burst`` pending.

Pending = queued + in flight. A submitter that finds ``burst`` requests pending waits (backpressure)
until one finishes, then waits for a free in-flight slot. When the whole admission wait reaches
``warning_seconds`` the queue reports a guardrail ``throttle`` event.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from preflight.errors import UsageError
from preflight.exchange.events import EventSink, EventType, ExchangeEvent, ignore_event


@dataclass(frozen=True)
class QueueStats:
    """What a queue has seen: admissions, throttled waits, and the peaks it reached."""

    admitted: int
    throttled: int
    peak_in_flight: int
    peak_pending: int


class IoQueue:
    """Admission control for one queue key (e.g. ``bybit_spot``)."""

    def __init__(
        self,
        key: str,
        max_concurrency: int,
        burst: int,
        *,
        warning_seconds: float = 0.5,
        clock: Callable[[], float] | None = None,
        events: EventSink = ignore_event,
    ) -> None:
        if max_concurrency < 1 or burst < max_concurrency:
            raise UsageError(
                f"io_queue {key!r}: need 1 <= max_concurrency <= burst, got max_concurrency="
                f"{max_concurrency}, burst={burst}"
            )
        self.key = key
        self.max_concurrency = max_concurrency
        self.burst = burst
        self.warning_seconds = warning_seconds
        self._clock = clock or time.time
        self._events = events
        self._condition = asyncio.Condition()
        self._pending = 0
        self._in_flight = 0
        self._admitted = 0
        self._throttled = 0
        self._peak_in_flight = 0
        self._peak_pending = 0

    @property
    def stats(self) -> QueueStats:
        """Return the counters so far."""
        return QueueStats(self._admitted, self._throttled, self._peak_in_flight, self._peak_pending)

    @asynccontextmanager
    async def slot(self, endpoint: str) -> AsyncIterator[float]:
        """Hold one in-flight slot for the body of the ``async with``; yields the seconds waited."""
        started = self._clock()
        async with self._condition:
            await self._condition.wait_for(lambda: self._pending < self.burst)
            self._pending += 1
            self._peak_pending = max(self._peak_pending, self._pending)
            try:
                await self._condition.wait_for(lambda: self._in_flight < self.max_concurrency)
            except BaseException:  # cancelled while queued: give the pending place back
                self._pending -= 1
                self._condition.notify_all()
                raise
            self._in_flight += 1
            self._peak_in_flight = max(self._peak_in_flight, self._in_flight)
            self._admitted += 1
        waited = self._clock() - started
        try:  # from here on the slot is held: whatever happens, including a failing sink, releases it
            if waited >= self.warning_seconds:
                self._throttled += 1
                self._events(
                    ExchangeEvent(
                        EventType.THROTTLE,
                        int(self._clock() * 1000),
                        {
                            "queue": self.key,
                            "endpoint": endpoint,
                            "waited_s": round(waited, 3),
                            "max_concurrency": self.max_concurrency,
                            "burst": self.burst,
                        },
                    )
                )
            yield waited
        finally:
            async with self._condition:
                self._in_flight -= 1
                self._pending -= 1
                self._condition.notify_all()


class IoQueues:
    """The queues of one session by key, so every adapter sharing a key shares its limits."""

    def __init__(
        self,
        *,
        warning_seconds: float = 0.5,
        clock: Callable[[], float] | None = None,
        events: EventSink = ignore_event,
    ) -> None:
        self._queues: dict[str, IoQueue] = {}
        self._warning_seconds = warning_seconds
        self._clock = clock
        self._events = events

    def get(self, key: str, max_concurrency: int, burst: int) -> IoQueue:
        """Return the queue for ``key``, creating it with these limits on first use."""
        queue = self._queues.get(key)
        if queue is None:
            queue = IoQueue(
                key,
                max_concurrency,
                burst,
                warning_seconds=self._warning_seconds,
                clock=self._clock,
                events=self._events,
            )
            self._queues[key] = queue
        return queue
