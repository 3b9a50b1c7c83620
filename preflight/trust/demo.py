"""Provision the trust half of a demo deployment: issuer key, license, fingerprint, secrets store.

A fresh demo issuer key pair signs a license bound to this machine; only its public half is written
(into the demo copy's core.yaml, keeping its comments). Every environment's keychain key gets a random
entry whose credentials the embedded simulator is then provisioned with; the store's passphrase goes to
the configured passphrase file with mode 0600.
"""

from __future__ import annotations

import os
import secrets
import string
from pathlib import Path

from preflight.fsutil import atomic_write_text
from preflight.trust.trusted_issuers import trust_issuer_in_core

DEMO_ISSUER = "dudzian"
DEMO_LICENSEE = "Demo desk (preflight demo)"
DEMO_PROFILE = "desktop"
DEMO_DAYS = 365


def _random_token(length: int) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def provision_trust(root: Path) -> None:
    """Make ``root`` (a fresh copy of the sample) pass every license, fingerprint and secrets check."""
    from preflight.deployment import load_deployment
    from preflight.trust.fingerprint import current_fingerprint, provider_from_env, write_record
    from preflight.trust.issuer_keys import generate_key_pair, private_key_from_pem
    from preflight.trust.license import new_payload, sign_payload, write_license

    pair = generate_key_pair()
    key_id = f"{DEMO_ISSUER}-demo-{pair.public_key_b64.encode().hex()[:8]}"
    trust_issuer_in_core(root, key_id, DEMO_ISSUER, pair.public_key_b64)
    deployment = load_deployment(root)
    licensing = deployment.runtime.licensing

    fingerprint = current_fingerprint(provider_from_env(os.environ))
    write_record(root / licensing.fingerprint_path, fingerprint)
    payload = new_payload(
        issuer=DEMO_ISSUER,
        licensee=DEMO_LICENSEE,
        profile=DEMO_PROFILE,
        exchanges=tuple(sorted({e.exchange for e in deployment.core.environments.values()})),
        environments=("paper", "live"),
        days=DEMO_DAYS,
        fingerprint=fingerprint.value,
    )
    private_key = private_key_from_pem(pair.private_pem, "the generated demo issuer key")
    write_license(root / licensing.license_path, sign_payload(payload, private_key, key_id))
    if deployment.core.secrets.backend == "file":
        provision_secrets(root)


def provision_secrets(root: Path) -> None:
    """Write a passphrase file (0600) and a store with a random active entry per environment's key."""
    from preflight.deployment import load_deployment
    from preflight.trust.secrets import KeyStatus, SecretEntry
    from preflight.trust.store_file import write_store
    from preflight.trust.timeutil import utc_now

    deployment = load_deployment(root)
    settings = deployment.core.secrets
    # A passphrase already in the environment wins over the file when the store is opened, so the demo
    # encrypts with it (and writes no file); otherwise a random one goes to the passphrase file.
    passphrase = os.environ.get(settings.passphrase_env) or ""
    if not passphrase:
        passphrase = secrets.token_urlsafe(24)
        passphrase_file = settings.passphrase_file or "var/secrets/passphrase"
        atomic_write_text(root / passphrase_file, passphrase + "\n", mode=0o600)
    now = utc_now()
    entries: dict[str, SecretEntry] = {}
    for environment in deployment.core.environments.values():
        profile = deployment.core.permission_profiles.get(environment.permission_profile)
        entries[environment.keychain_key] = SecretEntry(
            name=environment.keychain_key,
            exchange=environment.exchange,
            environment=environment.name,
            api_key=_random_token(18).upper(),
            api_secret=_random_token(36),
            rsa_private_key=None,
            account_uid=environment.account_uid or str(10_000_000 + secrets.randbelow(89_999_999)),
            permissions=profile.required if profile else ("Spot.SpotTrade",),
            status=KeyStatus.ACTIVE,
            created_at=now,
        )
    write_store(root / settings.path, passphrase, entries)
