"""The session's guardrail log: adapter events (throttle, rate_limit, ip_ban, timeout) and guardrail ones."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from preflight.exchange.events import EventSink, EventType, ExchangeEvent

EVENT_TYPES = tuple(event_type.value for event_type in EventType)


@dataclass(frozen=True)
class LogEvent:
    """One line of ``logs/guardrails/<entrypoint>-<stamp>.jsonl``."""

    ts_ms: int
    entrypoint: str
    type: EventType
    details: Mapping[str, object]

    def to_json(self) -> dict[str, object]:
        """Return the JSON object of the log line (``ts`` as UTC ISO 8601 with milliseconds)."""
        moment = datetime.fromtimestamp(self.ts_ms / 1000, tz=UTC)
        ts = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
        return {
            "ts": ts,
            "entrypoint": self.entrypoint,
            "type": self.type.value,
            "details": dict(self.details),
        }

    def line(self) -> str:
        """Return the log line (compact JSON, keys in a stable order)."""
        return json.dumps(self.to_json(), separators=(",", ":"), default=str)


class EventLog:
    """Collects the events of every entrypoint of a session, tagged with the tick they happened in."""

    def __init__(self, clock_ms: Callable[[], int]) -> None:
        self._clock_ms = clock_ms
        self.events: list[LogEvent] = []
        self.tick = 0

    def sink_for(self, entrypoint: str) -> EventSink:
        """Return the sink an adapter of ``entrypoint`` reports to."""

        def sink(event: ExchangeEvent) -> None:
            self.events.append(
                LogEvent(event.ts_ms, entrypoint, event.type, {**event.details, "tick": self.tick})
            )

        return sink

    def add(self, entrypoint: str, event_type: EventType, details: Mapping[str, object]) -> None:
        """Record an event of the session itself (a guardrail reject or breach) at the current time."""
        self.events.append(LogEvent(self._clock_ms(), entrypoint, event_type, {**details, "tick": self.tick}))

    def counts(self, entrypoint: str | None = None) -> dict[str, int]:
        """Count events by type (every type present, zero when none), for one entrypoint or all."""
        found = Counter(e.type.value for e in self.events if entrypoint is None or e.entrypoint == entrypoint)
        return {event_type: found.get(event_type, 0) for event_type in EVENT_TYPES}

    def per_tick(self, entrypoint: str, event_type: EventType, ticks: int) -> tuple[int, ...]:
        """Count one entrypoint's events of ``event_type`` per tick (index 0 = before the first tick)."""
        counts = [0] * (ticks + 1)
        for event in self.events:
            if event.entrypoint == entrypoint and event.type is event_type:
                tick = event.details.get("tick", 0)
                if isinstance(tick, int) and 0 <= tick <= ticks:
                    counts[tick] += 1
        return tuple(counts)
