"""Figures: the adapter, pybit and ccxt each ÷ one shared baseline, a bare sync ``httpx.Client``.

Method: one simulator child process (per-UID limits raised, one account per client). Every client sends
``GET /v5/order/realtime?category=spot&symbol=BTCUSDT`` signed afresh, one request at a time (a
sequential bot loop), in alternating rounds; the best round of each counts. The baseline signs with the
benchmarks' own HMAC signer and only JSON-decodes. pybit and ccxt are optional benchmark dependencies
(``pip install -e '.[bench]'``); a missing one is reported N/A, the others still measured.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from benchmarks.common import Figure
from benchmarks.signing import server_offset_ms, signed_headers
from benchmarks.sim_server import BenchAccount, ServedSimulator

QUERY = "category=spot&symbol=BTCUSDT"
PATH = "/v5/order/realtime"


def _timed(total: int, one: Callable[[], object]) -> float:
    started = time.perf_counter()
    for _ in range(total):
        one()
    return total / (time.perf_counter() - started)


def _sync_httpx(url: str, account: BenchAccount, total: int) -> float:
    import httpx

    with httpx.Client(base_url=url, timeout=5.0) as client:
        offset = server_offset_ms(client.get("/v5/market/time").json())

        def one() -> None:
            headers = signed_headers(account.api_key, account.api_secret, QUERY, offset)
            if client.get(f"{PATH}?{QUERY}", headers=headers).json()["retCode"] != 0:
                raise RuntimeError("sync baseline refused")

        one()
        return _timed(total, one)


def _adapter(url: str, account: BenchAccount, total: int) -> float:
    from benchmarks.adapter_ratio import _adapter_round

    return asyncio.run(_adapter_round(url, account, total, workers=1))


def _pybit(url: str, account: BenchAccount, total: int) -> float:
    from pybit.unified_trading import HTTP

    session = HTTP(testnet=False, api_key=account.api_key, api_secret=account.api_secret)
    session.endpoint = url

    def one() -> None:
        session.get_open_orders(category="spot", symbol="BTCUSDT")

    one()
    return _timed(total, one)


def _ccxt(url: str, account: BenchAccount, total: int) -> float:
    import ccxt

    # enableRateLimit off: ccxt otherwise sleeps to Bybit's public rate between calls (about 50/s), which
    # would measure its throttle rather than its cost per request
    exchange = ccxt.bybit({"apiKey": account.api_key, "secret": account.api_secret, "enableRateLimit": False})
    exchange.urls["api"] = {name: url for name in exchange.urls["api"]}

    def one() -> None:
        answer = exchange.privateGetV5OrderRealtime({"category": "spot", "symbol": "BTCUSDT"})
        if str(answer["retCode"]) != "0":
            raise RuntimeError("ccxt refused")

    one()
    return _timed(total, one)


CLIENTS: dict[str, Callable[[str, BenchAccount, int], float]] = {
    "adapter": _adapter,
    "pybit": _pybit,
    "ccxt": _ccxt,
}


def peer_figures(quick: bool) -> tuple[Figure, ...]:
    """Measure the baseline and each client in alternating rounds; one ratio figure per client."""
    total = 200 if quick else 800
    rounds = 2 if quick else 3
    best: dict[str, float] = {}
    broken: dict[str, str] = {}
    with ServedSimulator(accounts=1 + len(CLIENTS), uid_limit=10**6) as served:
        accounts = dict(zip(["sync", *CLIENTS], served.accounts, strict=True))
        for _ in range(rounds):
            best["sync"] = max(best.get("sync", 0.0), _sync_httpx(served.url, accounts["sync"], total))
            for name, client in CLIENTS.items():
                if name in broken:
                    continue
                try:
                    best[name] = max(best.get(name, 0.0), client(served.url, accounts[name], total))
                except ImportError as missing:
                    broken[name] = f"not installed ({missing.name}); pip install -e '.[bench]'"
                except Exception as error:  # a peer that cannot talk to the simulator: say so, go on
                    broken[name] = f"{type(error).__name__}: {str(error)[:120]}"
    base = best["sync"]
    figures = [Figure("sync httpx baseline requests/s", base, "req/s", None, "information only")]
    for name in CLIENTS:
        label = f"{name} / sync httpx (sequential)"
        if name in broken:
            figures.append(Figure(label, None, "x", None, unavailable=broken[name]))
        else:
            detail = f"best of {rounds} rounds x {total}: {best[name]:,.0f}/s vs {base:,.0f}/s"
            figures.append(Figure(label, best[name] / base, "x", None, detail))
    if "adapter" in best and "ccxt" in best:
        lead = best["adapter"] / best["ccxt"]
        figures.append(
            Figure("adapter / ccxt (same baseline)", lead, "x", None, "target: at or above 1 (ccxt's ratio)")
        )
    return tuple(figures)
