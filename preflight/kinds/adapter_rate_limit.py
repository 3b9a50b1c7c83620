"""Kind ``adapter_rate_limit``: the adapter rides out 10006 (with and without the reset header) against
an in-process simulator: it waits, retries within its budget, counts the metric, never duplicates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from preflight.context import RunContext
from preflight.kinds.base import CheckKind
from preflight.results import Evidence, Outcome

PARAMS_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "orders": {
            "type": "integer",
            "minimum": 21,
            "maximum": 500,
            "default": 30,
            "description": "Orders placed at one simulated instant (over the 20/s per-UID create limit).",
        },
        "retry_budget": {
            "type": "integer",
            "minimum": 1,
            "maximum": 20,
            "default": 5,
            "description": "Retries the adapter may spend per request.",
        },
        "seed": {"type": "integer", "default": 11, "description": "Simulator seed (fault draws)."},
        "rate_limit": {
            "type": "number",
            "exclusiveMinimum": 0,
            "maximum": 0.9,
            "default": 0.3,
            "description": "Probability of an injected 10006 per request.",
        },
    },
}


@dataclass(frozen=True)
class RateLimitParams:
    """The scenario's size, retry budget, seed and injected 10006 rate."""

    orders: int = 30
    retry_budget: int = 5
    seed: int = 11
    rate_limit: float = 0.3


def parse(params: Mapping[str, Any]) -> RateLimitParams:
    """Build the params value."""
    return RateLimitParams(
        orders=int(params.get("orders", 30)),
        retry_budget=int(params.get("retry_budget", 5)),
        seed=int(params.get("seed", 11)),
        rate_limit=float(params.get("rate_limit", 0.3)),
    )


def run(params: RateLimitParams, ctx: RunContext) -> Outcome:
    """Run the 10006 scenario and judge what the adapter did."""
    from preflight.exchange.bybit.scenarios import rate_limit_scenario

    report = rate_limit_scenario(params.orders, params.retry_budget, params.seed, params.rate_limit)
    ctx.record_simulated("adapter.rate_limit: 10006 retry scenario against the in-process Bybit simulator")
    evidence = [
        Evidence(
            "orders",
            f"{report.orders_placed}/{report.orders_requested} placed, "
            f"{report.duplicated_link_ids} orderLinkId(s) duplicated",
        ),
        Evidence(
            "10006 answers",
            f"{report.limited_with_reset} with X-Bapi-Limit-Reset-Timestamp, "
            f"{report.limited_without_reset} without",
        ),
        Evidence(
            'bot_exchange_rate_limited_total{exchange="bybit"}',
            f"{report.rate_limited_metric:g} (10006 responses seen: {report.rate_limited_responses})",
        ),
        Evidence(
            "retries",
            f"at most {report.max_attempts} attempts per order (budget 1 + {report.budget}); "
            f"{report.slept_s} s waited in simulated time",
        ),
    ]
    evidence += [Evidence("error", e) for e in report.errors[:3]]
    problems = []
    if report.orders_placed != report.orders_requested or report.errors:
        problems.append("not every order was placed")
    if report.duplicated_link_ids:
        problems.append("an order was duplicated")
    if not (report.limited_with_reset and report.limited_without_reset):
        problems.append("the scenario did not meet 10006 both with and without the reset header")
    if report.rate_limited_metric != report.rate_limited_responses:
        problems.append("bot_exchange_rate_limited_total does not count every 10006")
    if report.max_attempts > 1 + report.budget:
        problems.append("an order took more attempts than the retry budget allows")
    if problems:
        return Outcome.failed("; ".join(problems) + " - see preflight/exchange/bybit/requester.py", *evidence)
    return Outcome.passed(
        f"{report.rate_limited_responses} rate-limit answers ridden out within the retry budget, "
        "every one counted, no order duplicated",
        *evidence,
    )


KIND: CheckKind[RateLimitParams] = CheckKind(
    name="adapter_rate_limit",
    summary="The adapter waits out 10006 and retries within budget, counted and without duplicates.",
    params_schema=PARAMS_SCHEMA,
    parse=parse,
    run=run,
)
