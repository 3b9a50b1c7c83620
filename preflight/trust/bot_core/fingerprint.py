"""bot_core's signed fingerprint file ``{payload: {fingerprint, algorithm, created_at, factors}, signature}``.

The fingerprint is SHA-384 over the canonical JSON of the normalised factors (keys sorted, ``None``
dropped, lists sorted and stringified, scalars stringified, nested mappings normalised the same way),
base32 without padding, upper-case, in groups of 8 joined by ``-``; the signature is HMAC-SHA384 with a
key of at least 32 bytes. This module reads and writes that file; it does not probe this machine (see
:data:`MACHINE_NOT_COMPARED`).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from preflight.errors import FingerprintError
from preflight.fsutil import atomic_write_text
from preflight.trust.bot_core.hmac_keys import MIN_FINGERPRINT_KEY_BYTES, sign
from preflight.trust.canonical import canonical_json
from preflight.trust.jsonfile import load_json_file
from preflight.trust.timeutil import format_utc

FINGERPRINT_HASH = "SHA384"
SIGNATURE_ALGORITHM = "HMAC-SHA384"
_WHAT_TO_DO = "re-export the fingerprint with bot_core's fingerprint tool and have the license reissued"

# Why `fingerprint.machine_current` is a skip on bot_core: said once, used by the kind and the README.
MACHINE_NOT_COMPARED = (
    "this machine's bot_core fingerprint was not computed: bot_core derives it from probes preflight does "
    "not reproduce faithfully (cpu_id from DMI/cpuinfo/uuid.getnode, every /sys/class/net MAC, hostname, "
    "platform release/version, TPM via tpm2_getcap, dongle, OEM_* overrides), so the recorded value was "
    "not compared with this machine; run bot_core's own fingerprint tool here and compare its output"
)


@dataclass(frozen=True)
class FingerprintDocument:
    """A bot_core fingerprint file as found on disk; ``payload`` is what the signature covers."""

    display: str
    fingerprint: str
    payload: Mapping[str, Any]
    signature: Mapping[str, Any]

    @property
    def key_id(self) -> str:
        """Return the key id the signature names."""
        return str(self.signature.get("key_id") or "").strip()

    @property
    def consistent(self) -> bool:
        """Say whether the recorded fingerprint is what its recorded factors hash to."""
        factors = self.payload.get("factors")
        return isinstance(factors, Mapping) and fingerprint_of(factors) == self.fingerprint


def normalise_factors(factors: Mapping[str, object]) -> dict[str, object]:
    """Normalise factors as bot_core does before hashing them."""
    normalised: dict[str, object] = {}
    for key, value in sorted(factors.items()):
        if value is None:
            continue
        if isinstance(value, Mapping):
            normalised[key] = normalise_factors(value)
        elif isinstance(value, list | tuple | set):
            normalised[key] = [str(item) for item in sorted(value)]
        else:
            normalised[key] = str(value)
    return normalised


def fingerprint_of(factors: Mapping[str, object]) -> str:
    """Return bot_core's fingerprint of ``factors``: base32(SHA-384), no padding, groups of 8."""
    digest = hashlib.sha384(canonical_json(normalise_factors(factors))).digest()
    token = base64.b32encode(digest).decode("ascii").rstrip("=").upper()
    return "-".join(token[i : i + 8] for i in range(0, len(token), 8))


def load_document(path: Path, display: str) -> FingerprintDocument:
    """Read a fingerprint file; FingerprintError at file:line in one sentence when unusable."""
    data = load_json_file(path, "bot_core_fingerprint", FingerprintError, _WHAT_TO_DO, display)
    payload = data["payload"]
    return FingerprintDocument(
        display=display,
        fingerprint=payload["fingerprint"].strip(),
        payload=payload,
        signature=data["signature"],
    )


def write_document(
    path: Path, factors: Mapping[str, object], key: bytes, key_id: str, now: datetime
) -> FingerprintDocument:
    """Build, sign (HMAC-SHA384) and write a fingerprint file; ValueError for a key under 32 bytes."""
    if len(key) < MIN_FINGERPRINT_KEY_BYTES:
        raise ValueError(f"a fingerprint signing key needs at least {MIN_FINGERPRINT_KEY_BYTES} bytes")
    normalised = normalise_factors(factors)
    payload = {
        "fingerprint": fingerprint_of(normalised),
        "algorithm": FINGERPRINT_HASH,
        "created_at": format_utc(now),
        "factors": normalised,
    }
    signature = sign(payload, key, key_id, SIGNATURE_ALGORITHM)
    document = {"payload": payload, "signature": signature}
    atomic_write_text(path, json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    return FingerprintDocument(
        display=str(path), fingerprint=fingerprint_of(normalised), payload=payload, signature=signature
    )
