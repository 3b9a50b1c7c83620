"""Figure: simulator signed requests per second on loopback (SPEC.md section 10: >= 2,000/s).

Method: the simulator serves on 127.0.0.1 in its own process; one keep-alive ``httpx.Client`` sends
``GET /v5/order/realtime?category=spot&symbol=BTCUSDT``, each signed afresh, round-robin over several
accounts (per-UID limits are per account, as on Bybit). Only answers with retCode 0 count: a request
the simulator refused (rate limit, bad signature) is not a served signed request.
"""

from __future__ import annotations

import time
from collections import Counter

from benchmarks.common import Figure, Target, not_measured
from benchmarks.signing import server_offset_ms, signed_headers
from benchmarks.sim_server import ServedSimulator

TARGET = Target(">=", 2000.0)
NAME = "simulator signed requests/s"
QUERY = "category=spot&symbol=BTCUSDT"


def measure(quick: bool) -> tuple[Figure, ...]:
    """Serve the simulator in a child process and count accepted signed requests per second."""
    import httpx

    total = 600 if quick else 4000
    with ServedSimulator() as served, httpx.Client(base_url=served.url, timeout=5.0) as client:
        offset = server_offset_ms(client.get("/v5/market/time").json())
        codes: Counter[int] = Counter()
        accounts = served.accounts
        for i in range(50):  # warm-up: connection, caches
            a = accounts[i % len(accounts)]
            client.get(
                f"/v5/order/realtime?{QUERY}", headers=signed_headers(a.api_key, a.api_secret, QUERY, offset)
            )
        started = time.perf_counter()
        for i in range(total):
            a = accounts[i % len(accounts)]
            headers = signed_headers(a.api_key, a.api_secret, QUERY, offset)
            codes[client.get(f"/v5/order/realtime?{QUERY}", headers=headers).json().get("retCode", -1)] += 1
        elapsed = time.perf_counter() - started
    if codes[0] == 0:
        return (not_measured(NAME, "req/s", TARGET, f"no request accepted: retCodes {dict(codes)}"),)
    refused = total - codes[0]
    detail = f"{total} signed GET order/realtime, 1 keep-alive client, {len(accounts)} accounts"
    if refused:
        detail += f"; {refused} refused (retCodes {dict(codes)})"
    return (Figure(NAME, codes[0] / elapsed, "req/s", TARGET, detail),)
