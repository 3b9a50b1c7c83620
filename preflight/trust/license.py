"""The OEM license: ``{payload, signature}`` signed with Ed25519 over the canonical JSON of the payload.

Loading checks the shape (schemas/license.schema.json); whether the signature, issuer, policy,
entitlements and expiry hold is :mod:`preflight.trust.license_policy`'s job, so that each becomes its own
check with its own evidence.
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from preflight.errors import LicenseError, Location
from preflight.fsutil import atomic_write_text
from preflight.trust.canonical import canonical_json
from preflight.trust.jsonfile import load_json_file
from preflight.trust.timeutil import format_utc, parse_utc, utc_now

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

LICENSE_SCHEMA = "preflight.license/1"
_WHAT_TO_DO = "restore the license file the issuer delivered or ask for a new one"


@dataclass(frozen=True)
class LicensePayload:
    """What a license grants; every field is covered by the signature."""

    license_id: str
    issuer: str
    licensee: str
    profile: str
    exchanges: tuple[str, ...]
    environments: tuple[str, ...]  # modes: paper | live
    issued_at: datetime
    expires_at: datetime
    fingerprint: str
    schema: str = LICENSE_SCHEMA

    def to_json(self) -> dict[str, object]:
        """Return the payload as the JSON object that gets signed."""
        return {
            "schema": self.schema,
            "license_id": self.license_id,
            "issuer": self.issuer,
            "licensee": self.licensee,
            "profile": self.profile,
            "exchanges": list(self.exchanges),
            "environments": list(self.environments),
            "issued_at": format_utc(self.issued_at),
            "expires_at": format_utc(self.expires_at),
            "fingerprint": self.fingerprint,
        }


@dataclass(frozen=True)
class SignedLicense:
    """A license as found on disk: the payload, the exact bytes signed, and the signature."""

    path: Path
    display: str  # the path as messages show it (relative to the deployment root when loaded for a run)
    payload: LicensePayload
    signed_bytes: bytes  # canonical JSON of the payload as found in the file (what the signature covers)
    key_id: str
    signature: str  # base64


def _payload_from_json(data: dict[str, Any]) -> LicensePayload:
    return LicensePayload(
        schema=data["schema"],
        license_id=data["license_id"],
        issuer=data["issuer"],
        licensee=data["licensee"],
        profile=data["profile"],
        exchanges=tuple(data["exchanges"]),
        environments=tuple(data["environments"]),
        issued_at=parse_utc(data["issued_at"]),
        expires_at=parse_utc(data["expires_at"]),
        fingerprint=data["fingerprint"],
    )


def load_license(path: Path, display: str | None = None) -> SignedLicense:
    """Read and shape-check ``license.json``; LicenseError (file:line, one sentence) when unusable."""
    shown = display or str(path)
    data = load_json_file(path, "license", LicenseError, _WHAT_TO_DO, shown)
    payload_json = data["payload"]
    try:
        payload = _payload_from_json(payload_json)
    except ValueError as problem:
        raise LicenseError(f"{problem}; {_WHAT_TO_DO}", Location(shown)) from None
    return SignedLicense(
        path=path,
        display=shown,
        payload=payload,
        signed_bytes=canonical_json(payload_json),
        key_id=data["signature"]["key_id"],
        signature=data["signature"]["value"],
    )


def sign_payload(payload: LicensePayload, key: Ed25519PrivateKey, key_id: str) -> dict[str, object]:
    """Return the license document ``{payload, signature}`` for ``payload`` signed by ``key``."""
    body = payload.to_json()
    signature = base64.b64encode(key.sign(canonical_json(body))).decode("ascii")
    return {"payload": body, "signature": {"key_id": key_id, "value": signature}}


def new_payload(
    *,
    issuer: str,
    licensee: str,
    profile: str,
    exchanges: tuple[str, ...],
    environments: tuple[str, ...],
    days: int,
    fingerprint: str,
    now: datetime | None = None,
) -> LicensePayload:
    """Build a payload valid from ``now`` for ``days`` days, with a fresh license id."""
    start = now or utc_now()
    return LicensePayload(
        license_id=f"lic-{start:%Y%m%d}-{secrets.token_hex(4)}",
        issuer=issuer,
        licensee=licensee,
        profile=profile,
        exchanges=exchanges,
        environments=environments,
        issued_at=start,
        expires_at=start + timedelta(days=days),
        fingerprint=fingerprint,
    )


def write_license(path: Path, document: dict[str, object]) -> None:
    """Write a signed license document atomically (pretty-printed; the signature covers canonical JSON)."""
    atomic_write_text(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
