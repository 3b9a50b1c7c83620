"""Canonical JSON: the exact bytes a license signature covers."""

from __future__ import annotations

import json


def canonical_json(value: object) -> bytes:
    """Serialise ``value`` with sorted keys, compact separators and UTF-8 (no ASCII escaping)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
