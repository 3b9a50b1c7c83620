"""UTC timestamps as the trust files write them (ISO 8601 with ``Z``)."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """Return the current time in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def format_utc(moment: datetime) -> str:
    """Render ``moment`` as ``YYYY-MM-DDTHH:MM:SSZ`` (UTC)."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_utc(text: str) -> datetime:
    """Parse an ISO 8601 timestamp that carries a timezone; ValueError otherwise."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    if moment.tzinfo is None:
        raise ValueError(f"timestamp {text!r} has no timezone")
    return moment.astimezone(UTC)
