"""The session report (``reports/paper/<entrypoint>-<stamp>.json``) built from a finished session."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING

from preflight.exchange.events import EventType
from preflight.papertrade.events import EVENT_TYPES
from preflight.papertrade.request_rates import ip_limit_usage, uid_limit_usage
from preflight.simulator.ratelimit import IP_LIMIT, IP_WINDOW_MS

if TYPE_CHECKING:
    from preflight.papertrade.runner import RunRecord
    from preflight.papertrade.session import SessionRun

REPORT_SCHEMA = "preflight.paper_session/1"
MAX_ERRORS = (
    50  # a faulty session can fail hundreds of requests; the log keeps them all, the report the first
)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def equity_block(record: RunRecord) -> dict[str, object]:
    """Return start/end/min/max equity, the drawdown and the curve (one point per tick)."""
    curve = [round(value, 2) for value in record.equity]
    if not curve:
        return {"start": None, "end": None, "min": None, "max": None, "max_drawdown_pct": 0.0, "curve": []}
    return {
        "start": curve[0],
        "end": curve[-1],
        "min": min(curve),
        "max": max(curve),
        "change": round(curve[-1] - curve[0], 2),
        "max_drawdown_pct": round(record.max_drawdown_pct, 4),
        "curve": curve,
    }


def _orders(record: RunRecord) -> dict[str, int]:
    strategies = record.strategies
    return {
        "intents": sum(s.intents for s in strategies),
        "submitted": sum(s.orders_submitted for s in strategies),
        "accepted": sum(s.orders_accepted for s in strategies),
        "guardrail_rejects": sum(s.guardrail_rejects for s in strategies),
        "exchange_rejects": sum(s.exchange_rejects for s in strategies),
        "skipped": sum(s.skipped for s in strategies),
        "fills": sum(s.fills for s in strategies),
        "cancels": sum(s.cancels for s in strategies),
        "cancelled_at_end": record.cancelled_at_end,
    }


def _requests(run: SessionRun, record: RunRecord) -> dict[str, object]:
    per_tick = list(record.requests_per_tick)
    ticks = per_tick[1:-1]  # without the start and end phases
    rate_limited = [
        e for e in run.events if e.entrypoint == record.entrypoint and e.type is EventType.RATE_LIMIT
    ]
    limited_per_tick = [0] * len(ticks)
    for event in rate_limited:
        tick = event.details.get("tick")
        if isinstance(tick, int) and 1 <= tick <= len(ticks):
            limited_per_tick[tick - 1] += 1
    # Bybit's per-IP limit (600 requests per 5 s), scaled to one tick of session time.
    per_tick_limit = IP_LIMIT * run.plan.interval_seconds * 1000 // IP_WINDOW_MS
    return {
        "total": sum(per_tick),
        "start_phase": per_tick[0] if per_tick else 0,
        "end_phase": per_tick[-1] if len(per_tick) > 1 else 0,
        "per_tick": ticks,
        "max_per_tick": max(ticks, default=0),
        "mean_per_tick": round(sum(ticks) / len(ticks), 3) if ticks else 0.0,
        "rate_limited_responses": len(rate_limited),
        "rate_limited_per_tick": limited_per_tick,
        "rate_limit_per_tick": per_tick_limit,
        # In the limits' own units (what the charts plot): per UID and endpoint per second, per IP per 5 s.
        "uid_limit": uid_limit_usage(per_tick, record.request_samples),
        "ip_limit": ip_limit_usage(
            per_tick, record.request_samples, [s for r in run.records for s in r.request_samples]
        ),
        "wall_seconds": round(run.wall_seconds, 3),
    }


def _entrypoint_summary(record: RunRecord) -> dict[str, object]:
    return {
        "entrypoint": record.entrypoint,
        "environment": record.environment,
        "requests": sum(record.requests_per_tick),
        "orders": _orders(record),
        "pnl": round(sum(s.pnl for s in record.strategies), 4),
        "health": {"start": record.health_start, "end": record.health_end},
        "stopped": record.stopped,
    }


def build_report(run: SessionRun, artefacts: dict[str, str]) -> dict[str, object]:
    """Return the JSON report of ``run`` (its artefact paths included)."""
    plan = run.plan
    record = run.target
    target = next(p for p in plan.runnable if p.entrypoint == plan.target)
    counts = Counter(e.type.value for e in run.events)
    errors = list(run.metrics.errors)
    if len(errors) > MAX_ERRORS:
        errors = [*errors[:MAX_ERRORS], f"... and {len(errors) - MAX_ERRORS} more (see the guardrail log)"]
    limits = target.guardrails
    return {
        "schema": REPORT_SCHEMA,
        "entrypoint": plan.target,
        "environment": target.environment.name,
        "exchange": target.environment.exchange,
        "adapter": target.adapter.name,
        "endpoint": run.endpoint,
        "simulated": target.base_url is None,
        "seed": plan.seed,
        "ticks": plan.ticks,
        "interval_seconds": plan.interval_seconds,
        "faults": plan.faults,
        "started_at": _iso(run.started_at),
        "finished_at": _iso(run.finished_at),
        "strategy_profile": target.strategies.name,
        "strategies": [s.to_json() for s in record.strategies],
        "orders": _orders(record),
        "pnl": {
            "total": round(sum(s.pnl for s in record.strategies), 4),
            "by_strategy": {s.name: round(s.pnl, 4) for s in record.strategies},
        },
        "balances": {"start": dict(record.start_balances), "end": dict(record.end_balances)},
        "equity": equity_block(record),
        "requests": _requests(run, record),
        "health": {"start": record.health_start, "end": record.health_end},
        "stopped": record.stopped,
        "io_queue": {
            "key": target.queue_key,
            "max_concurrency": target.limits.max_concurrency,
            "burst": target.limits.burst,
            "rate_limit_warning_seconds": plan.warning_seconds,
        },
        "guardrails": {
            "source": target.guardrails_source,
            "max_order_notional": limits.max_order_notional,
            "max_position_notional": limits.max_position_notional,
            "max_open_orders": limits.max_open_orders,
            "max_orders_per_minute": limits.max_orders_per_minute,
            "max_drawdown_pct": limits.max_drawdown_pct,
            "halted": record.halted,
        },
        "guardrail_events": {event_type: counts.get(event_type, 0) for event_type in EVENT_TYPES},
        "entrypoints_run": [_entrypoint_summary(r) for r in run.records],
        "entrypoints_not_run": [{"entrypoint": u.entrypoint, "reason": u.reason} for u in run.unservable],
        "paper_exchange_metrics": run.metrics.to_json(),
        "warnings": list(run.metrics.warnings),
        "errors": errors,
        "artefacts": artefacts,
    }
