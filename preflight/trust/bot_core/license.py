"""bot_core's OEM license ``{payload, signature}``: read it, and issue one (HMAC over canonical JSON).

The payload fields bot_core reads are ``license_id, issuer, profile, schema (core.oem.license),
schema_version (1.0), issued_at, expires_at`` and ``fingerprint`` (a string or ``{value}``); the rest of
the payload is kept as found, because the signature covers all of it.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from preflight.errors import LicenseError, Location
from preflight.fsutil import atomic_write_text
from preflight.trust.bot_core.hmac_keys import sign
from preflight.trust.jsonfile import load_json_file
from preflight.trust.timeutil import format_utc

LICENSE_SCHEMA = "core.oem.license"
SCHEMA_VERSIONS = ("1.0",)
_WHAT_TO_DO = "restore the license.json the issuer delivered or ask the issuer for a new one"


@dataclass(frozen=True)
class Timestamp:
    """A license timestamp as bot_core parses it: UTC, and whether the text carried a timezone."""

    moment: datetime
    had_timezone: bool


@dataclass(frozen=True)
class BotCoreLicense:
    """A bot_core license as found on disk; ``payload`` is the exact JSON object the signature covers."""

    display: str
    license_id: str
    issuer: str
    profile: str
    schema: str
    schema_version: str
    issued_at: Timestamp
    expires_at: Timestamp
    fingerprint: str | None
    payload: Mapping[str, Any]
    signature: Mapping[str, Any]

    @property
    def key_id(self) -> str:
        """Return the key id the signature names."""
        return str(self.signature.get("key_id") or "").strip()


def parse_timestamp(text: str) -> Timestamp:
    """Parse ISO 8601 as bot_core does: a trailing Z is UTC, no timezone is taken as UTC; ValueError else."""
    stripped = text.strip()
    moment = datetime.fromisoformat(stripped[:-1] + "+00:00" if stripped.endswith("Z") else stripped)
    if moment.tzinfo is None:
        return Timestamp(moment.replace(tzinfo=UTC), had_timezone=False)
    return Timestamp(moment.astimezone(UTC), had_timezone=True)


def _fingerprint_of(value: object) -> str | None:
    """Return the fingerprint bot_core extracts: a non-empty string, or the ``value`` of an object."""
    if isinstance(value, Mapping):
        value = value.get("value")
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def load_license(path: Path, display: str) -> BotCoreLicense:
    """Read a bot_core license; LicenseError at file:line in one sentence when bot_core would refuse it."""
    data = load_json_file(path, "bot_core_license", LicenseError, _WHAT_TO_DO, display)
    payload, signature = data["payload"], data["signature"]
    stamps: dict[str, Timestamp] = {}
    for field in ("issued_at", "expires_at"):
        try:
            stamps[field] = parse_timestamp(payload[field])
        except ValueError:
            raise LicenseError(
                f"$.payload.{field} {payload[field]!r} is not an ISO 8601 timestamp; {_WHAT_TO_DO}",
                Location(display),
            ) from None
    return BotCoreLicense(
        display=display,
        license_id=payload["license_id"].strip(),
        issuer=payload["issuer"].strip(),
        profile=payload["profile"].strip(),
        schema=payload["schema"].strip(),
        schema_version=payload["schema_version"].strip(),
        issued_at=stamps["issued_at"],
        expires_at=stamps["expires_at"],
        fingerprint=_fingerprint_of(payload.get("fingerprint")),
        payload=payload,
        signature=signature,
    )


def new_payload(
    *,
    issuer: str,
    licensee: str,
    profile: str,
    days: int,
    fingerprint: str,
    now: datetime,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Return a license payload in bot_core's schema, valid from ``now`` for ``days`` days."""
    payload: dict[str, Any] = {
        "schema": LICENSE_SCHEMA,
        "schema_version": SCHEMA_VERSIONS[0],
        "license_id": f"lic-{now:%Y%m%d}-{secrets.token_hex(4)}",
        "issuer": issuer,
        "licensee": licensee,
        "profile": profile,
        "issued_at": format_utc(now),
        "expires_at": format_utc(now + timedelta(days=days)),
        "fingerprint": fingerprint,
    }
    payload.update(extra or {})
    return payload


def write_license(
    path: Path, payload: Mapping[str, Any], key: bytes, key_id: str, algorithm: str = "HMAC-SHA384"
) -> None:
    """Sign ``payload`` with ``key`` and write the license document atomically."""
    document = {"payload": dict(payload), "signature": sign(payload, key, key_id, algorithm)}
    atomic_write_text(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
