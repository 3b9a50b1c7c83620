"""The session clock: wall time plus simulated time, shared by the simulator and the adapter.

Each tick moves the clock by the market interval, and a wait the adapter asks for (a backoff, a
rate-limit reset) moves it too instead of sleeping, so a 240-minute session takes well under a second
while the simulator's rate-limit windows, timestamps and the signatures all agree on one time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class SessionClock:
    """Epoch seconds = wall clock + a simulated offset that only ever grows."""

    def __init__(self, *, simulated: bool = True, wall: Callable[[], float] = time.time) -> None:
        self.simulated = simulated
        self._wall = wall
        self._offset = 0.0

    def now(self) -> float:
        """Return the session time in epoch seconds."""
        return self._wall() + self._offset

    def now_ms(self) -> int:
        """Return the session time in epoch milliseconds."""
        return int(self.now() * 1000)

    def advance(self, seconds: float) -> None:
        """Move simulated time forward (no-op against a real exchange, whose clock we cannot move)."""
        if self.simulated and seconds > 0:
            self._offset += seconds

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of session time: simulated time moves at once, a real exchange is waited for."""
        if self.simulated:
            self.advance(seconds)
            await asyncio.sleep(0)  # still yield, so other requests of the tick make progress
        else:
            await asyncio.sleep(seconds)
