"""bot_core's guardrail log ``<io_queue.log_directory>/events.log`` (text, one event per line).

Written by ``AsyncIOGuardrails`` with the format ``%(asctime)s %(levelname)s %(message)s``: ``RATE_LIMIT
queue=<key> waited=<f>s streak=<n>`` is an io_queue wait at or over ``rate_limit_warning_seconds`` — what
preflight calls a *throttle* event — and ``TIMEOUT queue=<key> duration=<f>s exception=<Name> streak=<n>``
a timeout. The log records nothing about exchange answers (10006, 403), so it cannot show their absence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from preflight.errors import InputError
from preflight.evidence.files import EvidenceFile

# bot_core event -> preflight guardrail event type (papertrade.events / exchange.events)
EVENT_TYPES = {"RATE_LIMIT": "throttle", "TIMEOUT": "timeout"}
EXPRESSIBLE = frozenset(EVENT_TYPES.values())
LEVELS = frozenset({"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"})


@dataclass(frozen=True)
class LogLine:
    """One parsed line: its number, level, bot_core event name and ``key=value`` fields."""

    number: int
    text: str
    level: str
    event: str
    fields: tuple[tuple[str, str], ...]

    @property
    def type(self) -> str | None:
        """Return the preflight event type of this line, if it maps to one."""
        return EVENT_TYPES.get(self.event)


def parse_line(number: int, line: str, shown: str) -> LogLine:
    """Parse one line; InputError naming ``shown:number`` when it is not in bot_core's format."""
    parts = line.strip().split(" ", 2)
    if len(parts) < 3 or parts[1] not in LEVELS:
        raise InputError(
            f"{shown}:{number}: not a bot_core guardrail line (<time> <LEVEL> <EVENT> key=value ...)"
        )
    stamp, level, message = parts
    try:
        datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        raise InputError(f"{shown}:{number}: {stamp[:40]!r} is not a %Y-%m-%dT%H:%M:%S%z time") from None
    tokens = message.split()
    fields = tuple(tuple(token.split("=", 1)) for token in tokens[1:] if "=" in token)
    return LogLine(number, line.rstrip(), level, tokens[0] if tokens else "", fields)  # type: ignore[arg-type]


def _starts_record(line: str) -> bool:
    parts = line.split(" ", 2)
    return len(parts) == 3 and parts[1] in LEVELS


def read_events(file: EvidenceFile, shown: str) -> tuple[LogLine, ...]:
    """Return every record of ``events.log``; a line that starts none (a logged traceback) continues one."""
    records: list[LogLine] = []
    for number, line in enumerate(file.text.splitlines(), start=1):
        if not line.strip():
            continue
        if records and not _starts_record(line):
            continue  # part of the previous record's message: it names no new event
        records.append(parse_line(number, line, shown))
    return tuple(records)
