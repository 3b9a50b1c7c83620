"""Pin seeded paper sessions: their orders, fills, metrics and per-endpoint request counts never drift.

The golden file was recorded before the performance work of issue 15 (ticker aggregates, incremental
fill polling, a leaner transport). Refresh it only for an intended behaviour change:
``PREFLIGHT_REGOLD=1 pytest tests/papertrade/test_session_pinned.py``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from preflight.deployment import load_deployment
from preflight.papertrade import session
from preflight.papertrade.clock import SessionClock
from preflight.papertrade.plan import SessionOptions
from preflight.papertrade.session import SessionRun, run_session
from preflight.trust.secrets import open_keychain

EP = "bybit_desktop_paper"
GOLDEN = Path(__file__).parent / "golden" / "session_pinned.json"
START_S = 1_767_225_600.0  # 2026-01-01T00:00:00Z
# (faults, seed). Under injected faults, which of a tick's concurrent requests draws a fault (and so
# the backoff times and exec times after it) is up to the scheduler; its totals are pinned all the same.
CASES = {"clean": (None, 7), "seed8": (None, 8), "rate_limit": ("rate_limit=0.2", 3)}
SCHEDULED = frozenset({"orders", "fills", "events"})


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Provision one demo deployment for the module."""
    from preflight.demo import prepare_demo

    yield prepare_demo(tmp_path_factory.mktemp("pinned") / "demo")


def _requests_by_endpoint(run: SessionRun) -> dict[str, float]:
    counts: dict[str, float] = {}
    for metric in run.registry.collect():
        for sample in metric.samples:
            if sample.name == "bot_exchange_requests_total":
                labels = sample.labels
                key = f"{labels['entrypoint']} {labels['endpoint']} {labels['outcome']}"
                counts[key] = sample.value
    return dict(sorted(counts.items()))


_ORDER_IDS = frozenset({"orderId"})
_FILL_IDS = frozenset({"orderId", "execId", "seq"})


def _without(item: dict[str, Any], keys: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in keys}


def _order_key(item: dict[str, Any]) -> str:
    return str(item["orderLinkId"])


def _fill_key(item: dict[str, Any]) -> tuple[str, str, str, str]:
    return (str(item["orderLinkId"]), str(item["execTime"]), str(item["leavesQty"]), str(item["execQty"]))


def _snapshot(run: SessionRun) -> dict[str, Any]:
    simulator = run.simulator
    assert simulator is not None
    orders: dict[str, list[dict[str, Any]]] = {}
    fills: dict[str, list[dict[str, Any]]] = {}
    # Keyed by position: the demo's account uids are drawn afresh each time it is provisioned. Orders
    # placed in one tick fly concurrently, so which gets the next orderId / execId / seq is up to the
    # scheduler: those ids are left out and the rest sorted by orderLinkId (unique per session).
    for index, account in enumerate(simulator.config.accounts):
        orders[f"account{index}"] = sorted(
            (_without(o.wire(), _ORDER_IDS) for o in simulator.orders_for(account.uid)), key=_order_key
        )
        fills[f"account{index}"] = sorted(
            (_without(e.wire(), _FILL_IDS) for e in simulator.executions_for(account.uid)), key=_fill_key
        )
    return {
        "orders": orders,
        "fills": fills,
        "metrics": run.metrics.to_json(),
        "requests_by_endpoint": _requests_by_endpoint(run),
        "requests_per_tick": {r.entrypoint: list(r.requests_per_tick) for r in run.records},
        "equity": {r.entrypoint: list(r.equity) for r in run.records},
        "strategies": {r.entrypoint: [s.to_json() for s in r.strategies] for r in run.records},
        "end_balances": {r.entrypoint: dict(r.end_balances) for r in run.records},
        "events": [e.to_json() for e in run.events],
    }


def _run(root: Path, faults: str | None, seed: int, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    # The session clock starts at the wall clock: pin it, so times and orderLinkIds repeat too.
    monkeypatch.setattr(session, "SessionClock", partial(SessionClock, wall=lambda: START_S))
    deployment = load_deployment(root)
    keychain = open_keychain(deployment, {})
    run = run_session(deployment, lambda: keychain, SessionOptions(EP, faults=faults, seed=seed))
    # a JSON round trip: the golden file holds JSON, Decimals and tuples compare as their JSON forms
    return json.loads(json.dumps(_snapshot(run), default=str))


@pytest.mark.parametrize("case", sorted(CASES))
def test_seeded_session_is_pinned(demo_root: Path, case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    faults, seed = CASES[case]
    got = _run(demo_root, faults, seed, monkeypatch)
    if faults:
        got = {k: v for k, v in got.items() if k not in SCHEDULED}
    golden = json.loads(GOLDEN.read_text(encoding="utf-8")) if GOLDEN.is_file() else {}
    if os.environ.get("PREFLIGHT_REGOLD") == "1":
        golden[case] = got
        GOLDEN.write_text(json.dumps(golden, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    assert case in golden, f"no pinned values for {case!r}; record them with PREFLIGHT_REGOLD=1"
    expected = golden[case]
    for key in expected:  # key by key, so a failure names what drifted
        assert got[key] == expected[key], key
    assert set(got) == set(expected)
