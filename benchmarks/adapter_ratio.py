"""Figures: the adapter ÷ a bare ``httpx.AsyncClient`` (>= 0.95), and adapter, pybit, ccxt ÷ sync httpx.

Method: one simulator child process on 127.0.0.1 serves both clients in the same run. Both send
``GET /v5/order/realtime?category=spot&symbol=BTCUSDT`` from 3 concurrent asyncio workers (the
``bybit_spot`` io_queue's max_concurrency) over one keep-alive ``httpx.AsyncClient``:
- adapter: ``BybitSpotAdapter.open_orders("BTCUSDT")`` - signed by its ``BybitAuth``, queued by the
  io_queue, metered into a prometheus registry, parsed into typed values;
- bare: the same request built by hand and signed by the *same* ``BybitAuth`` applied outside the
  client (one step of its auth flow), then ``client.send``; the body is only JSON-decoded.
So the ratio measures what the adapter adds (queue, metrics, parsing, retry bookkeeping), not the
cost of signing. Bybit's per-UID limit (50/s on this endpoint) is raised in the served simulator for
this figure, else both clients would just measure the limit. Rounds alternate bare/adapter and the
best round of each counts, which damps noise from other processes on the machine.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from benchmarks.common import Figure, Target, Unavailable, not_measured
from benchmarks.sim_server import BenchAccount, ServedSimulator

TARGET = Target(">=", 0.95)
NAME = "adapter / bare httpx throughput"
WORKERS = 3
PATH = "/v5/order/realtime"
PARAMS = {"category": "spot", "symbol": "BTCUSDT"}


def _adapter_modules() -> tuple[Any, Any, Any]:
    try:
        from preflight.exchange.bybit import auth, client, metrics
    except ImportError as missing:
        raise Unavailable(f"adapter not built yet ({missing})") from None
    return auth, client, metrics


def _epoch_ms() -> int:
    return time.time_ns() // 1_000_000


async def _run_workers(total: int, one_request: Any, workers: int = WORKERS) -> float:
    """Run ``total`` requests over ``workers`` workers; return requests per second."""
    counter = iter(range(total))

    async def worker() -> None:
        for _ in counter:
            await one_request()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return total / (time.perf_counter() - started)


async def _bare_round(url: str, account: BenchAccount, total: int) -> float:
    import httpx

    auth_mod, _, _ = _adapter_modules()
    signer = auth_mod.BybitAuth(
        auth_mod.Credentials(api_key=account.api_key, api_secret=account.api_secret), 5000, _epoch_ms
    )
    async with httpx.AsyncClient(base_url=url, timeout=5.0) as client:
        offset_probe = await client.get("/v5/market/time")
        offset_probe.raise_for_status()

        async def one() -> None:
            request = client.build_request("GET", PATH, params=PARAMS)
            signed = next(signer.sync_auth_flow(request))  # the adapter's signer, outside the client
            body = (await client.send(signed)).json()
            if body.get("retCode") != 0:
                raise RuntimeError(f"bare client refused: {body.get('retCode')} {body.get('retMsg')}")

        return await _run_workers(total, one)


async def _adapter_round(url: str, account: BenchAccount, total: int, workers: int = WORKERS) -> float:
    auth_mod, client_mod, metrics_mod = _adapter_modules()
    config = client_mod.AdapterConfig(
        base_url=url, entrypoint="bench", max_concurrency=workers, burst=2 * workers
    )
    credentials = auth_mod.Credentials(api_key=account.api_key, api_secret=account.api_secret)
    metrics = metrics_mod.ExchangeMetrics("bybit", ["bench"])
    async with client_mod.create_adapter(config, credentials, metrics=metrics) as adapter:
        await adapter.sync_time()

        async def one() -> None:
            await adapter.open_orders("BTCUSDT")

        return await _run_workers(total, one, workers)


def measure(quick: bool) -> tuple[Figure, ...]:
    """Alternate bare and adapter rounds against one served simulator; report best-vs-best."""
    _adapter_modules()
    total = 300 if quick else 1500
    rounds = 2 if quick else 3
    with ServedSimulator(accounts=2, uid_limit=10**6) as served:
        bare_account, adapter_account = served.accounts  # separate UIDs: neither eats the other's limit
        bare: list[float] = []
        adapted: list[float] = []
        for _ in range(rounds):
            bare.append(asyncio.run(_bare_round(served.url, bare_account, total)))
            adapted.append(asyncio.run(_adapter_round(served.url, adapter_account, total)))
    if not bare or max(bare) <= 0:
        return (not_measured(NAME, "x", TARGET, "bare client made no requests"),)
    detail = (
        f"best of {rounds} alternating rounds x {total} GET order/realtime, {WORKERS} workers: "
        f"adapter {max(adapted):,.0f}/s vs bare {max(bare):,.0f}/s"
    )
    from benchmarks.peers import peer_figures

    return (
        Figure(NAME, max(adapted) / max(bare), "x", TARGET, detail),
        Figure("adapter requests/s", max(adapted), "req/s", None, "signed, queued, metered, parsed"),
        *peer_figures(quick),
    )
