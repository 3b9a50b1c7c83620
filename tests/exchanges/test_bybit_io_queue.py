"""io_queue limits measured, not assumed: in flight <= max_concurrency, pending <= burst, throttle events."""

from __future__ import annotations

import asyncio

import pytest

from preflight.errors import UsageError
from preflight.exchange.bybit.io_queue import IoQueue, IoQueues
from preflight.exchange.events import EventType


@pytest.mark.parametrize(("max_concurrency", "burst"), [(1, 1), (3, 6), (2, 3)])
def test_adapter_never_exceeds_max_concurrency_in_flight(harness, max_concurrency, burst):
    harness.exchange.handler_yields = 5  # keep requests in the transport long enough to overlap

    async def scenario():
        async with harness.make(max_concurrency=max_concurrency, burst=burst) as adapter:
            await asyncio.gather(*(adapter.ticker("BTCUSDT") for _ in range(40)))
            return adapter.queue.stats

    stats = run(scenario())
    assert harness.exchange.peak_in_flight == max_concurrency  # measured at the transport
    assert stats.peak_in_flight == max_concurrency
    assert stats.peak_pending == burst
    assert stats.admitted == 40


def test_pending_never_exceeds_burst_and_submitters_wait():
    async def scenario():
        queue = IoQueue("q", 2, 4, warning_seconds=10)
        pending_seen: list[int] = []
        release = asyncio.Event()
        entered = 0

        async def submit():
            nonlocal entered
            async with queue.slot("/x"):
                entered += 1
                pending_seen.append(queue._pending)
                await release.wait()

        tasks = [asyncio.create_task(submit()) for _ in range(10)]
        for _ in range(20):
            await asyncio.sleep(0)
        # two in flight, two queued; the other six are held back by backpressure
        assert entered == 2 and queue._pending == 4 and queue._in_flight == 2
        release.set()
        await asyncio.gather(*tasks)
        assert max(pending_seen) <= 4 and queue._pending == 0 and queue._in_flight == 0
        return queue.stats

    stats = run(scenario())
    assert stats.peak_pending == 4 and stats.peak_in_flight == 2 and stats.admitted == 10


def test_a_long_wait_is_a_throttle_event():
    now = [0.0]
    events = []

    async def scenario():
        queue = IoQueue("bybit_spot", 1, 2, warning_seconds=0.5, clock=lambda: now[0], events=events.append)

        async def holder():
            async with queue.slot("/v5/order/create"):
                for _ in range(5):
                    await asyncio.sleep(0)
                now[0] += 0.75  # the request in flight takes 0.75 s

        async def waiter():
            async with queue.slot("/v5/order/create") as waited:
                return waited

        _, waited = await asyncio.gather(holder(), waiter())
        return waited

    assert run(scenario()) == pytest.approx(0.75)
    assert [e.type for e in events] == [EventType.THROTTLE]
    assert events[0].details["queue"] == "bybit_spot" and events[0].details["waited_s"] == 0.75


def test_short_waits_are_not_events():
    events = []

    async def scenario():
        queue = IoQueue("q", 3, 6, warning_seconds=0.5, clock=lambda: 0.0, events=events.append)
        await asyncio.gather(*(_use(queue) for _ in range(12)))

    run(scenario())
    assert events == []


async def _use(queue: IoQueue) -> None:
    async with queue.slot("/x"):
        await asyncio.sleep(0)


def test_cancelled_waiter_gives_its_place_back():
    async def scenario():
        queue = IoQueue("q", 1, 2)
        gate = asyncio.Event()

        async def hold():
            async with queue.slot("/x"):
                await gate.wait()

        holder = asyncio.create_task(hold())
        await asyncio.sleep(0)
        waiter = asyncio.create_task(_use(queue))
        await asyncio.sleep(0)
        assert queue._pending == 2
        waiter.cancel()
        await asyncio.gather(waiter, return_exceptions=True)
        assert queue._pending == 1
        gate.set()
        await holder
        assert queue._pending == 0

    run(scenario())


def test_limits_are_validated_and_shared_per_key():
    with pytest.raises(UsageError):
        IoQueue("q", 3, 2)
    queues = IoQueues()
    assert queues.get("bybit_spot", 3, 6) is queues.get("bybit_spot", 3, 6)
    assert queues.get("other", 1, 2) is not queues.get("bybit_spot", 3, 6)


def run(coro):
    return asyncio.run(coro)


def test_a_failing_event_sink_does_not_leak_the_slot():
    now = [0.0]

    def broken_sink(event):
        raise RuntimeError("sink down")

    async def scenario():
        queue = IoQueue("q", 1, 1, warning_seconds=0.0, clock=lambda: now[0], events=broken_sink)
        with pytest.raises(RuntimeError):
            async with queue.slot("/x"):
                pass
        # a leaked slot would make every later submitter wait forever
        assert queue._pending == 0 and queue._in_flight == 0

    run(scenario())
