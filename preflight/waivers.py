"""Waivers (``--waivers FILE``): accepted, approved, expiring exceptions to failing checks."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from preflight.errors import ConfigError, Location
from preflight.results import CheckResult, Status, WaiverApplied
from preflight.schemas import validate_document
from preflight.yamlio import load_yaml

# A waiver turns these into ``waived``; a pass needs no waiver and a skip is not a failure.
WAIVABLE = frozenset({Status.FAIL, Status.ERROR, Status.WARN})


@dataclass(frozen=True)
class Waiver:
    """One accepted exception for a check id, valid until ``expires`` (timezone-aware)."""

    check: str
    justification: str
    approver: str
    expires: datetime
    location: Location

    def expired(self, now: datetime) -> bool:
        """Say whether the waiver no longer applies at ``now``."""
        return now >= self.expires


@dataclass(frozen=True)
class Waivers:
    """The waivers of one file, by check id."""

    entries: tuple[Waiver, ...] = ()
    source: str = ""

    def for_check(self, check_id: str) -> Waiver | None:
        """Return the waiver naming ``check_id`` (the latest-expiring one if there are several)."""
        matching = [w for w in self.entries if w.check == check_id]
        return max(matching, key=lambda w: w.expires) if matching else None

    def apply(self, result: CheckResult, now: datetime) -> CheckResult:
        """Return ``result`` waived when a live waiver covers it; an expired one only adds a loud note."""
        waiver = self.for_check(result.check_id)
        if waiver is None or result.status not in WAIVABLE:
            return result
        if waiver.expired(now):
            note = (
                f"WAIVER EXPIRED: the waiver for {result.check_id} approved by {waiver.approver} expired at "
                f"{waiver.expires.isoformat()} ({waiver.location}); the {result.status.value} counts again"
            )
            return dataclasses.replace(result, notes=(*result.notes, note))
        applied = WaiverApplied(
            justification=waiver.justification, approver=waiver.approver, expires=waiver.expires
        )
        return dataclasses.replace(
            result, status=Status.WAIVED, waiver=applied, original_status=result.status
        )

    def notes(self, known_ids: Iterable[str], evaluated_ids: Iterable[str], now: datetime) -> tuple[str, ...]:
        """Return run-level notes: expired waivers and waivers naming checks the runbook lacks."""
        known = set(known_ids)
        evaluated = set(evaluated_ids)
        notes = []
        for waiver in self.entries:
            if waiver.check not in known:
                notes.append(
                    f"waiver for unknown check {waiver.check!r} ({waiver.location}) matches nothing; "
                    "fix the id or remove the waiver"
                )
            elif waiver.expired(now) and waiver.check in evaluated:
                notes.append(
                    f"WAIVER EXPIRED: {waiver.check} (approved by {waiver.approver}) expired at "
                    f"{waiver.expires.isoformat()} and no longer applies ({waiver.location}); "
                    "renew or remove it"
                )
        return tuple(notes)


def load_waivers(path: Path) -> Waivers:
    """Load and validate a waivers file; ConfigError (file:line:col + one sentence) on any problem."""
    document = load_yaml(path, display=str(path))
    validate_document(document, "waivers")
    raw = cast(list[Mapping[str, Any]], document.to_plain())
    entries = []
    for index, item in enumerate(raw):
        location = document.location_of((index,))
        expires = _parse_expiry(item["expires"], document.location_of((index, "expires")))
        entries.append(
            Waiver(
                check=item["check"],
                justification=item["justification"],
                approver=item["approver"],
                expires=expires,
                location=location,
            )
        )
    return Waivers(entries=tuple(entries), source=str(path))


def _parse_expiry(text: str, location: Location) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise ConfigError(
            f"expires {text!r} is not a date-time; write e.g. 2026-12-31T23:59:59Z", location
        ) from None
    if value.tzinfo is None:
        raise ConfigError(f"expires {text!r} has no timezone; add Z or an offset such as +02:00", location)
    return value
