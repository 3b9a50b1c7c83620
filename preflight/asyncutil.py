"""Run a coroutine to completion from synchronous code, whether or not this thread already runs a loop."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


async def within(awaitable: Awaitable[T], seconds: float, what: str) -> T:
    """Await ``awaitable`` for at most ``seconds``; DeadlineError naming ``what`` when it runs longer."""
    from preflight.errors import DeadlineError

    try:
        async with asyncio.timeout(seconds):
            return await awaitable
    except TimeoutError:
        raise DeadlineError(
            f"{what} ran past its deadline of {seconds:g} s (a slow or endlessly rate-limiting endpoint); "
            "fix the endpoint, or raise the deadline (--probe-deadline / --session-deadline)"
        ) from None


def run_sync(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion, in a helper thread when this thread already runs a loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(factory())
    # asyncio.run refuses to nest: a fresh thread gets its own loop
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(factory())).result()
