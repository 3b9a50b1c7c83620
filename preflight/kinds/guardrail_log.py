"""Kind ``guardrail_log``: this session's guardrail log holds no event of the listed types.

With ``--evidence`` the log is the bot's ``events.log`` (``preflight.evidence.guardrail_text``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from preflight import jsonsafe
from preflight.context import RunContext
from preflight.errors import Location
from preflight.exchange.events import EventType
from preflight.kinds.base import CheckKind
from preflight.results import Evidence, Outcome

PARAMS_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["forbid"],
    "properties": {
        "forbid": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"enum": [t.value for t in EventType]},
            "description": "Event types that must not appear in the session's guardrail log.",
        },
    },
}


@dataclass(frozen=True)
class GuardrailLogParams:
    """The event types the log must not hold."""

    forbid: tuple[str, ...]


def parse(params: Mapping[str, Any]) -> GuardrailLogParams:
    """Build the params value."""
    return GuardrailLogParams(forbid=tuple(str(t) for t in params["forbid"]))


def run(params: GuardrailLogParams, ctx: RunContext) -> Outcome:
    """Read the session's JSONL log (or the bot's events.log); count the forbidden types."""
    from preflight.papertrade.provider import session_file_or_outcome, unavailable_reason

    if ctx.options.bot_evidence:
        from preflight.evidence.checks import guardrail_outcome

        reason = unavailable_reason(ctx)
        return Outcome.skipped(reason) if reason else guardrail_outcome(ctx, params.forbid)

    found = session_file_or_outcome(ctx, lambda s: s.guardrail_log_path, "guardrail log", "guardrail log")
    if isinstance(found, Outcome):
        return found
    path, shown = found
    counts = dict.fromkeys(params.forbid, 0)
    first: tuple[int, str] | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            event = jsonsafe.loads(line)
        except ValueError:
            return Outcome.errored(
                f"{shown}:{number} is not JSON", Evidence("line", line[:200], Location(shown, number))
            )
        kind = event.get("type") if isinstance(event, dict) else None
        if kind in counts:
            counts[kind] += 1
            first = first or (number, line)
    summary = ", ".join(f"{kind} {n}" for kind, n in counts.items())
    evidence = [Evidence("events", summary), Evidence("guardrail log", shown)]
    if first is None:
        return Outcome.passed(f"no {' / '.join(params.forbid)} events in this session's log", *evidence)
    number, line = first
    evidence.append(Evidence("first offending line", line[:300], Location(shown, number)))
    bad = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)
    return Outcome.failed(f"the session's guardrail log records {bad} event(s)", *evidence)


KIND: CheckKind[GuardrailLogParams] = CheckKind(
    name="guardrail_log",
    summary="The session's guardrail log holds no event of the listed types.",
    params_schema=PARAMS_SCHEMA,
    parse=parse,
    run=run,
)
