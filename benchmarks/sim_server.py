"""A simulator served on 127.0.0.1 in its own process, so the client being measured has a core to itself.

Run as ``python -m benchmarks.sim_server ACCOUNTS [UID_LIMIT]``: prints one JSON line (the url), then
serves until its stdin closes. :class:`ServedSimulator` starts and stops it.

Rate limits: the IP limit (600 requests / 5 s on Bybit) is lifted, because every benchmark request comes
from 127.0.0.1 and the figures measure serving capacity, not Bybit's policy. The per-UID endpoint
limits stay Bybit's unless ``UID_LIMIT`` raises them (the adapter figure uses one account per client).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Self

from benchmarks.common import ServedChild, Unavailable


@dataclass(frozen=True)
class BenchAccount:
    """Credentials of one simulator account used by the benchmark clients."""

    uid: str
    api_key: str
    api_secret: str


def bench_accounts(count: int) -> tuple[BenchAccount, ...]:
    """Return ``count`` deterministic benchmark accounts (several, so per-UID limits do not dominate)."""
    return tuple(
        BenchAccount(
            uid=str(91000000 + i), api_key=f"BENCHKEY{i:04d}XXXXXX", api_secret=f"benchsecret{i:04d}" * 2
        )
        for i in range(count)
    )


def _serve(count: int, uid_limit: int | None) -> None:
    """Serve a simulator holding the benchmark accounts until stdin closes."""
    from decimal import Decimal

    from preflight.simulator import Account, BybitSimulator, SimulatorConfig, SimulatorServer

    accounts = tuple(
        Account(
            uid=a.uid,
            api_key=a.api_key,
            api_secret=a.api_secret,
            balances={"USDT": Decimal("100000"), "BTC": Decimal("1")},
        )
        for a in bench_accounts(count)
    )
    config = SimulatorConfig(accounts=accounts, seed=7, ip_limit=10**9)
    if uid_limit is not None:
        config = SimulatorConfig(
            accounts=accounts,
            seed=7,
            ip_limit=10**9,
            endpoint_limits={path: uid_limit for path in config.endpoint_limits},
        )
    simulator = BybitSimulator(config)
    with SimulatorServer(simulator, host="127.0.0.1", port=0) as server:
        print(json.dumps({"url": server.url}), flush=True)
        sys.stdin.read()


class ServedSimulator(ServedChild):
    """Context manager: a simulator child process on 127.0.0.1; ``.url`` and ``.accounts`` once started."""

    def __init__(self, accounts: int = 64, uid_limit: int | None = None) -> None:
        self.accounts = bench_accounts(accounts)
        self.uid_limit = uid_limit
        limit = str(uid_limit or "")
        super().__init__("benchmarks.sim_server", str(accounts), limit, what="simulator server")

    def __enter__(self) -> Self:
        try:
            import preflight.simulator as simulator

            simulator.SimulatorServer  # noqa: B018 - fail here, with a clear reason, if not built yet
        except (ImportError, AttributeError) as missing:
            raise Unavailable(f"simulator not built yet ({missing})") from None
        return super().__enter__()


if __name__ == "__main__":
    _serve(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2] else None)
