"""Seeded fault injection: which failure, if any, a request meets (SPEC.md section 7, ``--faults``)."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import StrEnum

from preflight.errors import UsageError


class Fault(StrEnum):
    """A kind of injected failure."""

    RATE_LIMIT = "rate_limit"
    SERVER_ERROR = "server_error"
    TIMEOUT = "timeout"
    RESET = "reset"
    BAD_JSON = "bad_json"


_PROBABILITIES = ("rate_limit", "server_error", "timeout", "reset", "bad_json")
_MILLISECONDS = ("skew_ms", "latency_ms")


@dataclass(frozen=True)
class FaultSpec:
    """Per-request fault probabilities plus a clock skew and an added latency (both in ms)."""

    rate_limit: float = 0.0
    server_error: float = 0.0
    timeout: float = 0.0
    reset: float = 0.0
    bad_json: float = 0.0
    skew_ms: int = 0
    latency_ms: int = 0

    def __post_init__(self) -> None:
        total = 0.0
        for name in _PROBABILITIES:
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise UsageError(f"fault {name}={value} must be a probability between 0 and 1")
            total += value
        if total > 1.0:
            raise UsageError(f"fault probabilities add up to {total:g}; their sum must be at most 1")
        if self.latency_ms < 0:
            raise UsageError("fault latency_ms must not be negative")

    @classmethod
    def parse(cls, text: str) -> FaultSpec:
        """Parse ``"rate_limit=0.05,server_error=0.02,skew_ms=3000"``; UsageError names the bad part."""
        known = {f.name for f in fields(cls)}
        values: dict[str, float | int] = {}
        for part in filter(None, (piece.strip() for piece in text.split(","))):
            name, sep, raw = part.partition("=")
            name = name.strip()
            if not sep or name not in known:
                raise UsageError(
                    f"bad fault {part!r} in --faults; use name=value with names: {', '.join(sorted(known))}"
                )
            try:
                values[name] = int(raw) if name in _MILLISECONDS else float(raw)
            except ValueError:
                raise UsageError(f"bad value in --faults {part!r}: expected a number") from None
        return cls(**values)  # type: ignore[arg-type]

    def any_probability(self) -> bool:
        """Say whether any request-level fault can be drawn."""
        return any(getattr(self, name) > 0 for name in _PROBABILITIES)

    def __str__(self) -> str:
        return ",".join(f"{f.name}={getattr(self, f.name)}" for f in fields(self) if getattr(self, f.name))


@dataclass(frozen=True)
class FaultDecision:
    """What one request meets: a fault (or None), whether to apply a POST first, and header variant."""

    fault: Fault | None
    apply_first: bool = False  # for timeout/reset on a POST: the request took effect before the failure
    with_reset_header: bool = True  # for rate_limit: every other injected 10006 omits the reset header
    server_status: int = 200  # for server_error: 502, 503, or 200 with retCode 10016


NO_FAULT = FaultDecision(None)


class FaultInjector:
    """Draw faults from a seeded RNG, one draw per request, and count what was injected."""

    def __init__(self, spec: FaultSpec, seed: int) -> None:
        self.spec = spec
        self._rng = random.Random(f"faults:{seed}")
        self._counts: Counter[str] = Counter()

    @property
    def counts(self) -> Mapping[str, int]:
        """Return how many of each fault were injected so far (every kind present, zero included)."""
        return {fault.value: self._counts[fault.value] for fault in Fault}

    def decide(self, path: str, method: str) -> FaultDecision:
        """Return the fault for the next request to ``path`` (never any for /v5/market/time)."""
        if path == "/v5/market/time" or not self.spec.any_probability():
            return NO_FAULT
        draw = self._rng.random()
        edge = 0.0
        chosen: Fault | None = None
        for fault in Fault:
            edge += getattr(self.spec, fault.value)
            if draw < edge:
                chosen = fault
                break
        if chosen is None:
            return NO_FAULT
        self._counts[chosen.value] += 1
        if chosen is Fault.RATE_LIMIT:
            return FaultDecision(chosen, with_reset_header=self._counts[chosen.value] % 2 == 1)
        if chosen is Fault.SERVER_ERROR:
            return FaultDecision(chosen, server_status=self._rng.choice((502, 503, 200)))
        if chosen in (Fault.TIMEOUT, Fault.RESET):
            # Half the time a POST took effect before the failure, so the client cannot tell.
            return FaultDecision(chosen, apply_first=method == "POST" and self._rng.random() < 0.5)
        return FaultDecision(chosen)
