"""Figure: simulator ÷ minimal canned server, signed requests/s with the same cheap client (>= 0.9).

Method: the simulator serves on 127.0.0.1 in its own process, and so does the canned server of
:mod:`benchmarks.canned` (same thread-per-connection architecture, no work beyond answering). One
client (:mod:`benchmarks.pipeline`: pre-signed requests, pipelined 16 deep on one raw keep-alive
socket) sends ``GET /v5/order/realtime?category=spot&symbol=BTCUSDT`` signed afresh per request,
round-robin over 64 accounts, to each in alternating rounds; the best round of each counts. Only
answers with retCode 0 count for the simulator.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from urllib.parse import urlsplit

from benchmarks.canned import CannedServer
from benchmarks.common import Figure, Target, not_measured
from benchmarks.pipeline import get_request, pipelined_rps
from benchmarks.signing import signed_headers
from benchmarks.sim_server import BenchAccount, ServedSimulator

TARGET = Target(">=", 0.9)
NAME = "simulator / canned server (same client)"
QUERY = "category=spot&symbol=BTCUSDT"


def _maker(url: str, accounts: tuple[BenchAccount, ...]) -> Callable[[int], bytes]:
    """Return a builder of the i-th signed request (round-robin over the accounts)."""
    host = urlsplit(url).netloc
    target = f"/v5/order/realtime?{QUERY}"

    def make(i: int) -> bytes:
        a = accounts[i % len(accounts)]
        return get_request(host, target, signed_headers(a.api_key, a.api_secret, QUERY))

    return make


def measure(quick: bool) -> tuple[Figure, ...]:
    """Alternate simulator and canned rounds with the pipelined client; report best vs best."""
    total = 1500 if quick else 6000
    rounds = 2 if quick else 3
    sim_best = canned_best = 0.0
    codes: Counter[int] = Counter()
    # Per-UID limits raised: the figure is serving capacity, not Bybit's policy (a refusal is cheaper
    # to answer, so refused requests would flatter the simulator; they do not count in any case).
    with ServedSimulator(uid_limit=10**6) as served, CannedServer() as canned:
        pipelined_rps(served.url, _maker(served.url, served.accounts), 64)  # warm-up
        for _ in range(rounds):
            rps, bodies = pipelined_rps(served.url, _maker(served.url, served.accounts), total)
            round_codes = Counter(json.loads(b).get("retCode", -1) for b in bodies)
            codes += round_codes
            sim_best = max(sim_best, rps * round_codes[0] / total)
            rps, _ = pipelined_rps(canned.url, _maker(canned.url, served.accounts), total)
            canned_best = max(canned_best, rps)
    if not sim_best:
        return (not_measured(NAME, "x", TARGET, f"no request accepted: retCodes {dict(codes)}"),)
    refused = sum(n for code, n in codes.items() if code != 0)
    detail = (
        f"best of {rounds} alternating rounds x {total} signed GET order/realtime, pipelined raw socket: "
        f"simulator {sim_best:,.0f}/s vs canned {canned_best:,.0f}/s"
    )
    if refused:
        detail += f"; {refused} refused (retCodes {dict(codes)})"
    return (
        Figure(NAME, sim_best / canned_best, "x", TARGET, detail),
        Figure("simulator signed requests/s", sim_best, "req/s", None, "absolute, information only"),
    )
