"""Masking of secret material: keys show their last 4 characters, secrets never show."""

from __future__ import annotations

from collections.abc import Iterable


def mask(value: str | None, visible: int = 4) -> str:
    """Return ``value`` masked to its last ``visible`` characters (``****abcd``)."""
    if not value:
        return "(none)"
    if len(value) <= visible * 2:
        return "****"
    return "****" + value[-visible:]


def scrub(text: str, secrets: Iterable[str | None]) -> str:
    """Replace every occurrence of each secret in ``text`` by its mask (for messages from libraries)."""
    # Longest first: masking a shorter secret inside a longer one would leave the longer one's rest readable.
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        if len(secret) >= 4:
            text = text.replace(secret, mask(secret))
    return text
