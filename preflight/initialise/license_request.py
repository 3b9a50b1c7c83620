"""A license request for an external issuer (``preflight init --request``): what to sign, for what."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from preflight.fsutil import atomic_write_text
from preflight.initialise.base import PROFILE, InitRequest

if TYPE_CHECKING:
    from preflight.trust.fingerprint import Fingerprint

REQUEST_SCHEMA = "preflight.license_request/1"


def write_request(
    request: InitRequest, path: Path, fingerprint: Fingerprint, shown: str, license_path: str
) -> list[str]:
    """Write the request file; return the steps that turn it into an installed, trusted license."""
    from preflight.initialise.documents import EXCHANGE
    from preflight.trust.timeutil import format_utc, utc_now

    licensee = request.licensee or request.root.resolve().name
    document = {
        "schema": REQUEST_SCHEMA,
        "licensee": licensee,
        "issuer": request.issuer,
        "profile": PROFILE,
        "exchanges": [EXCHANGE],
        "environments": ["paper", "live"],
        "days": request.days,
        "fingerprint": fingerprint.value,
        "fingerprint_algorithm": fingerprint.algorithm,
        "requested_at": format_utc(utc_now()),
    }
    atomic_write_text(path, json.dumps(document, indent=2) + "\n")
    root = request.root
    return [
        f"send {root}/{shown} to your license issuer ({request.issuer}; it holds no secret), who runs: "
        f"preflight license issue --issuer-key ISSUER.pem --key-id KEY_ID --issuer {request.issuer} "
        f'--licensee "{licensee}" --profile {PROFILE} --exchange {EXCHANGE} --environment paper '
        f"--environment live --days {request.days} --fingerprint {fingerprint.value} -o license.json",
        "put the license.json you receive at "
        f"{root}/{license_path} and trust the issuer's public key: "
        f"preflight license trust KEY_ID --issuer {request.issuer} --public-key PUBLIC_KEY --root {root}",
    ]
