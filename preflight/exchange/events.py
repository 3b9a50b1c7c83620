"""Events the exchange layer reports to whoever runs it (the paper session writes them to its log)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class EventType(StrEnum):
    """Guardrail-log event types (SPEC.md section 8)."""

    THROTTLE = "throttle"  # an io_queue wait at or over rate_limit_warning_seconds
    REJECT = "reject"  # a guardrail refused an order
    RATE_LIMIT = "rate_limit"  # the exchange answered 10006 / 429
    IP_BAN = "ip_ban"  # HTTP 403
    TIMEOUT = "timeout"  # a request timed out or the connection was reset
    BREACH = "breach"  # a metrics threshold was breached


@dataclass(frozen=True)
class ExchangeEvent:
    """One event: what happened, when (epoch ms, the session's clock), and details without secrets."""

    type: EventType
    ts_ms: int
    details: Mapping[str, object] = field(default_factory=dict)


EventSink = Callable[[ExchangeEvent], None]


def ignore_event(event: ExchangeEvent) -> None:
    """Drop an event (the default sink)."""
