"""bot_core's license revocation list: which license ids are revoked, and whether the list may be trusted.

The list is JSON: ``{revoked|revocations|licenses: [...], generated_at}`` or a bare list, optionally
wrapped as ``{payload, signature}`` (HMAC, verified with ``revocation_keys_path``). An entry is a license
id or an object with ``license_id``/``id``. The rules follow bot_core's ``validate_license``: problems are
errors when ``revocation_required`` (or, for the signature, ``revocation_signature_required``) and
warnings otherwise; a list older than ``revocation_list_max_age_hours`` is stale.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from preflight import jsonsafe
from preflight.trust.bot_core.hmac_keys import HmacKeyring, verify
from preflight.trust.bot_core.policy import LicensingPolicy

_FETCH = "fetch the current list from the issuer"


@dataclass
class Findings:
    """Errors and warnings gathered while judging, in the order found."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, message: str, *, error: bool) -> None:
        """Record ``message`` as an error or a warning."""
        (self.errors if error else self.warnings).append(message)


def _ids(container: object) -> set[str]:
    if isinstance(container, Mapping):
        return {str(k).strip() for k in container if str(k).strip()}
    if isinstance(container, list):
        found: set[str] = set()
        for item in container:
            if isinstance(item, Mapping):
                value = item.get("license_id") or item.get("id")
                if value:
                    found.add(str(value).strip())
            elif isinstance(item, str) and item.strip():
                found.add(item.strip())
        return found
    return set()


def judge_revocation(
    policy: LicensingPolicy,
    root: Path,
    license_id: str,
    keyring: HmacKeyring | None,
    now: datetime,
    findings: Findings,
) -> None:
    """Add the revocation list's verdict on ``license_id`` to ``findings``."""
    from preflight.deployment.documents import resolve_under
    from preflight.errors import ConfigError
    from preflight.trust.bot_core.license import parse_timestamp

    required = bool(policy.value("revocation_required"))
    signature_required = bool(policy.value("revocation_signature_required"))
    relative = policy.path("revocation_list_path")
    if relative is None:
        if required:
            findings.add(
                "revocation_required is true but no revocation_list_path is set; set it to the issuer's list",
                error=True,
            )
        return
    try:
        path = resolve_under(root, relative)
    except ConfigError:
        findings.add(
            f"revocation_list_path {relative!r} leaves the deployment root; keep the list under the root",
            error=True,
        )
        return
    try:
        document = jsonsafe.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        findings.add(f"the revocation list {relative} does not exist; {_FETCH}", error=required)
        return
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        findings.add(f"the revocation list {relative} is not readable JSON; {_FETCH}", error=required)
        return
    body: object = document
    if isinstance(document, Mapping) and "payload" in document:
        body = document.get("payload")
        signature = document.get("signature")
        if isinstance(signature, Mapping) and isinstance(body, Mapping):
            if keyring is None or not keyring.keys:
                findings.add(
                    f"the signature of {relative} was not verified: no revocation keys; set "
                    "revocation_keys_path",
                    error=signature_required,
                )
            else:
                check = verify(body, signature, keyring)
                if not check.verified:
                    findings.add(
                        f"the signature of {relative} does not verify: {check.problem}; {_FETCH}", error=True
                    )
        elif signature_required:
            findings.add(
                f"{relative} carries no signature, but revocation_signature_required is true; {_FETCH}",
                error=True,
            )
    elif signature_required:
        findings.add(
            f"{relative} is not signed ({{payload, signature}}), but a signature is required; {_FETCH}",
            error=True,
        )
    entries: object = body
    generated: object = None
    if isinstance(body, Mapping):
        generated = body.get("generated_at") or body.get("updated_at") or body.get("timestamp")
        entries = next((body[k] for k in ("revoked", "revocations", "licenses") if k in body), None)
        if entries is None:
            findings.add(f"{relative} has no `revoked` section; {_FETCH}", error=required)
    max_age = policy.value("revocation_list_max_age_hours")
    if isinstance(max_age, float):
        if not generated:
            findings.add(
                f"{relative} has no generated_at, so its age cannot be judged; {_FETCH}", error=required
            )
        else:
            try:
                age = now - parse_timestamp(str(generated)).moment
            except ValueError:
                findings.add(
                    f"{relative} generated_at is not an ISO 8601 timestamp; {_FETCH}", error=required
                )
            else:
                if age.total_seconds() > max_age * 3600:
                    findings.add(
                        f"{relative} is {age.total_seconds() / 3600:.1f} h old, over the "
                        f"{max_age:g} h allowed; {_FETCH}",
                        error=required,
                    )
    if license_id in _ids(entries):
        findings.add(
            f"license {license_id} is on the revocation list {relative}; ask the issuer for a new license",
            error=True,
        )
