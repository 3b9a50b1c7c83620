"""``executions(since_ms=...)`` asks for fills from that time on, kept inside Bybit's 7-day window."""

from __future__ import annotations

from decimal import Decimal

from preflight.asyncutil import run_sync
from preflight.exchange.bybit.scenarios import SIM_EPOCH_S, SimRig
from preflight.simulator.accounts import Account

DAY_MS = 86_400_000


def _start_times(since: int | None) -> list[str]:
    account = Account(
        "7001", "since-key-0001", api_secret="since-secret-0001", balances={"USDT": Decimal(1000)}
    )
    rig = SimRig(account, entrypoint="since", base_url="http://simulator.invalid")

    async def poll() -> None:
        async with rig.adapter() as adapter:
            await adapter.executions(since_ms=since)

    run_sync(poll)
    requests = [request for request, _, _ in rig.recorder.on("/v5/execution/list")]
    return [dict(request.url.params).get("startTime", "") for request in requests]


def test_since_is_sent_as_start_time() -> None:
    now_ms = int(SIM_EPOCH_S * 1000)
    assert _start_times(now_ms - 5_000) == [str(now_ms - 5_000)]


def test_an_old_since_is_kept_within_six_days_of_the_server_clock() -> None:
    now_ms = int(SIM_EPOCH_S * 1000)
    assert _start_times(now_ms - 30 * DAY_MS) == [str(now_ms - 6 * DAY_MS)]


def test_without_since_no_start_time_is_sent() -> None:
    assert _start_times(None) == [""]
