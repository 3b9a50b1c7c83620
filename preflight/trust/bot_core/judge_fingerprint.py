"""Judge a bot_core root's signed fingerprint file: its signature, its binding to the license, the machine."""

from __future__ import annotations

from preflight.context import RunContext
from preflight.errors import InputError, Location
from preflight.results import Evidence, Outcome
from preflight.trust.bot_core import access
from preflight.trust.bot_core.fingerprint import MACHINE_NOT_COMPARED, FingerprintDocument
from preflight.trust.bot_core.hmac_keys import MIN_FINGERPRINT_KEY_BYTES, HmacKeyring, verify
from preflight.trust.bot_core.policy import ENFORCED_FILE


def _short(value: str) -> str:
    return value[:17] + "…" if len(value) > 17 else value


def check_record(ctx: RunContext) -> Outcome:
    """Pass when the fingerprint file's HMAC verifies with the enforced fingerprint keys file."""
    try:
        policy = access.enforced_policy(ctx)
        if not policy.path("fingerprint_keys_path"):
            return Outcome.failed(
                f"bot_core does not verify the fingerprint file: {ENFORCED_FILE} "
                "license.fingerprint_keys_path "
                "is not set; set it to the fingerprint keys file",
                Evidence("license block", ENFORCED_FILE, policy.block),
            )
        keyring = access.keyring_for(ctx, "fingerprint_keys_path")
        document = access.fingerprint_for(ctx)
    except InputError as error:
        return access.failure(ctx, error)
    return judge_record(document, keyring)


def judge_record(document: FingerprintDocument, keyring: HmacKeyring) -> Outcome:
    """Judge a loaded fingerprint file's HMAC (and its consistency) against a keys file."""
    recorded = Evidence("fingerprint", _short(document.fingerprint), Location(document.display))
    if not keyring.keys:
        return Outcome.failed(
            f"{keyring.display} holds no keys: bot_core then skips the fingerprint signature with only a "
            "warning; put the fingerprint key in it",
            recorded,
        )
    check = verify(document.payload, document.signature, keyring)
    if not check.verified:
        return Outcome.failed(
            f"the fingerprint file's signature does not verify: {check.problem}; re-export it with "
            "bot_core's "
            "fingerprint tool",
            recorded,
        )
    if len(keyring.keys[check.key_id]) < MIN_FINGERPRINT_KEY_BYTES:
        return Outcome.warned(
            f"the fingerprint signature verifies, but key {check.key_id!r} is shorter than "
            f"{MIN_FINGERPRINT_KEY_BYTES} bytes (bot_core refuses to sign with it); rotate to a longer key",
            recorded,
        )
    if not document.consistent:
        return Outcome.warned(
            "the fingerprint signature verifies, but the recorded value is not the SHA-384 of its recorded "
            "factors (bot_core does not check this; its generator always writes them consistently)",
            recorded,
        )
    return Outcome.passed(f"the {check.algorithm} signature verifies with key {check.key_id!r}", recorded)


def check_license_bound(ctx: RunContext) -> Outcome:
    """Pass when the license names the fingerprint the fingerprint file records."""
    try:
        document, lic = access.fingerprint_for(ctx), access.license_for(ctx)
    except InputError as error:
        return access.failure(ctx, error)
    recorded = Evidence("fingerprint file", _short(document.fingerprint), Location(document.display))
    if lic.fingerprint is None:
        return Outcome.failed(
            "the license names no fingerprint: bot_core then takes the file's value, so the license is bound "
            "to no machine; get a license issued for the recorded fingerprint",
            recorded,
        )
    bound = Evidence("license fingerprint", _short(lic.fingerprint), Location(lic.display))
    if lic.fingerprint != document.fingerprint:
        return Outcome.failed(
            "the license is bound to another fingerprint than the fingerprint file records (bot_core: "
            "external_mismatch); use the license and fingerprint file of one issue",
            bound,
            recorded,
        )
    return Outcome.passed("the license is bound to the recorded fingerprint", bound, recorded)


def check_machine() -> Outcome:
    """Skip: this machine's bot_core fingerprint cannot be reproduced faithfully here."""
    return Outcome.skipped(MACHINE_NOT_COMPARED)
