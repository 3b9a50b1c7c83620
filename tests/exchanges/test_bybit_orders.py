"""Order creation never duplicates: reconciliation by orderLinkId before any resubmission."""

from __future__ import annotations

import asyncio
import random
import re

import pytest

from preflight.errors import AmbiguousOrderError, OrderRejectedError, UsageError
from preflight.exchange.bybit.client import OrderRequest
from preflight.exchange.bybit.orders import new_order_link_id

CREATE = "/v5/order/create"
ORDER = OrderRequest("BTCUSDT", "Buy", "Limit", "0.001", price="30000")


def run(coro):
    return asyncio.run(coro)


def _place(harness, order=ORDER, **config):
    async def scenario():
        async with harness.make(**config) as adapter:
            return await adapter.place_order(order)

    return run(scenario())


def _paths(harness):
    return [r.url.path for r in harness.exchange.requests]


def test_generated_order_link_ids_are_valid_and_unique():
    rng = random.Random(3)
    ids = {new_order_link_id(rng) for _ in range(1000)}
    assert len(ids) == 1000
    assert all(len(i) <= 36 and re.fullmatch(r"[A-Za-z0-9_-]+", i) for i in ids)


def test_clean_order_is_sent_once_with_a_link_id(harness):
    ack = _place(harness)
    assert not ack.reconciled and len(ack.order_link_id) <= 36
    assert _paths(harness) == [CREATE]
    body = harness.exchange.requests[0].content
    assert body.startswith(b'{"category":"spot","symbol":"BTCUSDT"') and b" " not in body


def test_reconciliation_looks_the_order_up_in_the_adapters_category(harness):
    harness.exchange.script[CREATE].append("timeout_after")
    ack = _place(harness, category="linear")
    assert ack.reconciled
    lookups = [r for r in harness.exchange.requests if r.url.path != CREATE]
    assert lookups and all(r.url.params["category"] == "linear" for r in lookups)


@pytest.mark.parametrize("fault", ["timeout_after", "reset_after"])
def test_ambiguous_failure_after_acceptance_is_reconciled_not_resent(harness, fault):
    harness.exchange.script[CREATE].append(fault)
    ack = _place(harness)
    assert ack.reconciled and ack.order_id == "oid-1"
    assert _paths(harness) == [CREATE, "/v5/order/realtime"]
    assert harness.exchange.create_count() == {ack.order_link_id: 1}
    assert harness.value("bot_exchange_errors_total", severity="warning") == 1


@pytest.mark.parametrize("fault", ["timeout", "reset", "500", "10016", "bad_json"])
def test_ambiguous_failure_before_acceptance_is_checked_then_resent(harness, fault):
    harness.exchange.script[CREATE].append(fault)
    ack = _place(harness)
    assert not ack.reconciled
    assert _paths(harness) == [CREATE, "/v5/order/realtime", "/v5/order/history", CREATE]
    first, last = harness.exchange.requests[0], harness.exchange.requests[-1]
    assert first.content == last.content  # the same bytes, the same orderLinkId
    assert first.headers["X-BAPI-SIGN"] != last.headers["X-BAPI-SIGN"] or fault == "bad_json"
    assert harness.exchange.create_count() == {ack.order_link_id: 1}


def test_connection_never_established_is_resent_without_lookup(harness):
    harness.exchange.script[CREATE].append("connect")
    _place(harness)
    assert _paths(harness) == [CREATE, CREATE]


def test_rate_limited_order_waits_and_is_resent_with_the_same_id(harness):
    harness.exchange.script[CREATE].extend(["10006", "10006_bare"])
    ack = _place(harness)
    assert _paths(harness) == [CREATE] * 3
    assert len({r.content for r in harness.exchange.requests}) == 1
    assert harness.exchange.create_count() == {ack.order_link_id: 1}
    assert harness.value("bot_exchange_rate_limited_total") == 2


def test_duplicate_answer_means_the_order_exists(harness):
    harness.exchange.enforce_unique_link_id = True
    _place(harness, OrderRequest("BTCUSDT", "Buy", "Limit", "0.001", price="30000", order_link_id="mine-1"))
    ack = _place(
        harness, OrderRequest("BTCUSDT", "Buy", "Limit", "0.001", price="30000", order_link_id="mine-1")
    )
    assert ack.reconciled and ack.order_id == "oid-1"
    assert harness.exchange.create_count() == {"mine-1": 1}


def test_failed_lookup_raises_ambiguous_and_never_resends(harness):
    harness.exchange.script[CREATE].append("timeout")
    harness.exchange.script["/v5/order/realtime"].extend(["timeout"] * 10)
    with pytest.raises(AmbiguousOrderError, match="outcome unknown"):
        _place(harness, retry_budget=2)
    assert _paths(harness).count(CREATE) == 1


def test_invalid_link_id_is_refused_before_sending(harness):
    with pytest.raises(UsageError):
        _place(harness, OrderRequest("BTCUSDT", "Buy", "Limit", "1", order_link_id="bad id!"))
    assert harness.exchange.requests == []


def test_business_rejection_is_not_retried(harness):
    harness.exchange.script[CREATE].append("170131")
    with pytest.raises(OrderRejectedError, match="170131"):
        _place(harness)
    assert _paths(harness) == [CREATE]
    assert harness.value("bot_exchange_errors_total", severity="error") == 1


def test_cancel_after_ambiguous_success_is_confirmed(harness):
    async def scenario():
        async with harness.make() as adapter:
            ack = await adapter.place_order(ORDER)
            harness.exchange.script["/v5/order/cancel"].append("timeout_after")
            return await adapter.cancel_order("BTCUSDT", order_link_id=ack.order_link_id)

    ack = run(scenario())
    assert ack.reconciled and harness.exchange.orders[0].status == "Cancelled"


FAULTS = [
    "timeout",
    "timeout_after",
    "reset",
    "reset_after",
    "500",
    "10016",
    "bad_json",
    "10006",
    "connect",
    None,
]


@pytest.mark.parametrize("seed", range(60))
def test_no_fault_sequence_ever_duplicates_an_order(harness, seed):
    """Property: under random faults on creation and lookups, each logical order exists at most once."""
    rng = random.Random(seed)
    for path in (CREATE, "/v5/order/realtime", "/v5/order/history"):
        harness.exchange.script[path].extend(f for f in rng.choices(FAULTS, k=12) if f is not None)
    orders = [OrderRequest("BTCUSDT", "Buy", "Limit", "0.001", price="30000") for _ in range(4)]

    async def scenario():
        outcomes = []
        async with harness.make(seed=seed, retry_budget=4) as adapter:
            for order in orders:
                try:
                    outcomes.append(await adapter.place_order(order))
                except (AmbiguousOrderError, OrderRejectedError) as error:
                    outcomes.append(error)
                except Exception as error:  # budget exhausted on a provably absent order
                    outcomes.append(error)
        return outcomes

    outcomes = run(scenario())
    counts = harness.exchange.create_count()
    assert all(n == 1 for n in counts.values()), counts
    for outcome in outcomes:
        if not isinstance(outcome, Exception):
            held = [o for o in harness.exchange.orders if o.link_id == outcome.order_link_id]
            assert [o.order_id for o in held] == [outcome.order_id]
