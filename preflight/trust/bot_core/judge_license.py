"""Judge a bot_core root's license, one aspect per check, the way bot_core's ``validate_license`` does.

Where bot_core only warns and carries on (no keys: signature skipped; the core.yaml block not applied
because a key path is unset), the verdict here is a failure that says so: a license nobody verified is
not a verified license.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from preflight.context import RunContext
from preflight.errors import InputError, Location
from preflight.results import Evidence, Outcome
from preflight.trust.bot_core import access
from preflight.trust.bot_core.hmac_keys import HmacKeyring
from preflight.trust.bot_core.license import BotCoreLicense
from preflight.trust.bot_core.policy import ENFORCED_FILE, ENFORCEMENT_RULE, LicensingPolicy
from preflight.trust.bot_core.revocation import Findings, judge_revocation
from preflight.trust.timeutil import format_utc

EXPIRY_WARNING_DAYS = 30  # fixed in bot_core (license.py), not configurable
FUTURE_TOLERANCE = timedelta(minutes=5)
NO_ENTITLEMENT = (
    "bot_core's HMAC-signed OEM license carries no {what} (its payload: license_id, issuer, profile, "
    "schema, validity, fingerprint); per-exchange entitlements live only in the Ed25519 offline bundle "
    "(BOT_CORE_LICENSE_PATH), which preflight does not read: not checked"
)
NO_ISSUER_BINDING = (
    "bot_core binds no issuer to a license key: its keys file maps key ids to shared HMAC secrets, so "
    "which issuer a key belongs to cannot be checked; the issuer is judged only against the enforced "
    "allowlist (license.issuer_allowed)"
)


def _not_enforced(policy: LicensingPolicy) -> Outcome | None:
    """Fail when bot_core would not apply the core.yaml block at all."""
    if policy.block is None:
        return Outcome.failed(
            f"{ENFORCED_FILE} has no `license` block, so bot_core verifies no license; add one naming the "
            "license, its keys file and the fingerprint keys file"
        )
    missing = policy.missing_key_paths()
    if not missing:
        return None
    return Outcome.failed(
        f"bot_core does not verify the license: {ENFORCED_FILE} license.{' and license.'.join(missing)} "
        f"{'is' if len(missing) == 1 else 'are'} not set; set {'it' if len(missing) == 1 else 'them'} to the "
        "keys file(s) the issuer delivered",
        Evidence("enforcement", ENFORCEMENT_RULE, policy.block),
    )


def check_signature(ctx: RunContext) -> Outcome:
    """Pass when the HMAC verifies with the enforced keys file and the schema is one bot_core accepts."""
    try:
        policy = access.enforced_policy(ctx)
        refused = _not_enforced(policy)
        if refused is not None:
            return refused
        keyring = access.keyring_for(ctx, "license_keys_path")
        lic = access.license_for(ctx)
    except InputError as error:
        return access.failure(ctx, error)
    return judge_signature(lic, keyring, policy)


def judge_signature(lic: BotCoreLicense, keyring: HmacKeyring, policy: LicensingPolicy) -> Outcome:
    """Judge a loaded license's HMAC and schema against a keys file and the enforced policy."""
    from preflight.trust.bot_core.hmac_keys import verify

    keys = Evidence(
        "license keys",
        f"{keyring.display} (key ids: {keyring.key_ids()})",
        policy.get("license_keys_path").location,
    )
    signed = Evidence("signed by key", lic.key_id or "none", Location(lic.display))
    if not keyring.keys:
        return Outcome.failed(
            f"{keyring.display} holds no keys: bot_core then skips the license signature with only "
            "a warning; put the issuer's license key in it",
            keys,
            signed,
        )
    check = verify(lic.payload, lic.signature, keyring)
    if not check.verified:
        return Outcome.failed(
            f"the license signature does not verify: {check.problem}; restore the license the "
            "issuer delivered",
            signed,
            keys,
        )
    schema, versions = policy.value("required_schema"), policy.value("allowed_schema_versions")
    if isinstance(schema, str) and lic.schema.lower() != schema.lower():
        return Outcome.failed(
            f"the license schema is {lic.schema!r}, bot_core requires {schema!r}; get a license in "
            "that schema",
            signed,
        )
    if isinstance(versions, tuple) and versions and lic.schema_version not in versions:
        return Outcome.failed(
            f"license schema_version {lic.schema_version!r} is not one bot_core accepts "
            f"({', '.join(versions)})",
            signed,
        )
    return Outcome.passed(
        f"the {check.algorithm} signature verifies with key {check.key_id!r} of {keyring.display} "
        f"({lic.schema} {lic.schema_version})",
        signed,
        keys,
    )


def check_allowed(ctx: RunContext, field: str) -> Outcome:
    """Pass when the license's ``field`` (profile/issuer) is in the enforced allowlist, case-insensitively."""
    try:
        policy, declared, lic = (
            access.enforced_policy(ctx),
            access.declared_policy(ctx),
            access.license_for(ctx),
        )
    except InputError as error:
        return access.failure(ctx, error)
    value = lic.profile if field == "profile" else lic.issuer
    setting = policy.get(f"allowed_{field}s")
    evidence = (
        Evidence(f"license {field}", value, Location(lic.display)),
        Evidence(f"enforced allowed_{field}s", setting.shown(), setting.location or policy.block),
        Evidence(
            f"declared allowed_{field}s",
            declared.get(f"allowed_{field}s").shown(),
            declared.get(f"allowed_{field}s").location,
        ),
    )
    note = "" if policy.enforced else " (bot_core does not apply this block: see license.signature)"
    allowed = policy.allowed(f"allowed_{field}s")
    if not allowed:
        return Outcome.warned(
            f"{ENFORCED_FILE} license.allowed_{field}s is empty: bot_core accepts a license of any "
            f"{field}{note}; "
            f"list the allowed {field}s",
            *evidence,
        )
    if value.lower() not in allowed:
        return Outcome.failed(
            f"license {field} {value!r} is not in {ENFORCED_FILE} license.allowed_{field}s, so "
            "bot_core refuses "
            f"the license{note}; get a license with an allowed {field} or fix the policy",
            *evidence,
        )
    return Outcome.passed(f"license {field} {value!r} is allowed by the enforced policy{note}", *evidence)


def check_not_applicable(aspect: str) -> Outcome:
    """Skip an aspect bot_core's license format does not carry, saying what was not checked."""
    if aspect == "issuer_trusted":
        return Outcome.skipped(NO_ISSUER_BINDING)
    what = "exchange entitlement" if aspect == "exchange" else "paper/live mode entitlement"
    return Outcome.skipped(NO_ENTITLEMENT.format(what=what))


def check_expiry(ctx: RunContext, now: datetime) -> Outcome:
    """Fail when expired, over max_validity_days or revoked; warn within 30 days, as bot_core does."""
    try:
        policy, lic = access.enforced_policy(ctx), access.license_for(ctx)
        revocation_keys = (
            access.keyring_for(ctx, "revocation_keys_path") if policy.path("revocation_keys_path") else None
        )
    except InputError as error:
        return access.failure(ctx, error)
    issued, expires = lic.issued_at.moment, lic.expires_at.moment
    found = Findings()
    if expires <= issued:
        found.add("the license expires before it was issued", error=True)
    if expires <= now:
        found.add(f"the license expired on {format_utc(expires)}; get it renewed", error=True)
    elif expires - now <= timedelta(days=EXPIRY_WARNING_DAYS):
        found.add(
            f"the license expires in {(expires - now).days} days ({format_utc(expires)}); ask for a renewal",
            error=False,
        )
    if issued - now > FUTURE_TOLERANCE:
        found.add(
            f"the license is issued in the future ({format_utc(issued)}); check the machine clock",
            error=False,
        )
    for stamp, name in ((lic.issued_at, "issued_at"), (lic.expires_at, "expires_at")):
        if not stamp.had_timezone:
            found.add(f"{name} has no timezone (bot_core takes it as UTC)", error=False)
    limit = policy.value("max_validity_days")
    if isinstance(limit, float):
        if limit <= 0:
            found.add(f"{ENFORCED_FILE} license.max_validity_days must be positive", error=True)
        elif expires - issued > timedelta(days=limit):
            days = (expires - issued).total_seconds() / 86400
            found.add(
                f"the license is valid for {days:.1f} days, over max_validity_days {limit:g}", error=True
            )
    judge_revocation(policy, ctx.root, lic.license_id, revocation_keys, now, found)
    evidence = Evidence("valid", f"{format_utc(issued)} .. {format_utc(expires)}", Location(lic.display))
    if found.errors:
        return Outcome.failed("; ".join(found.errors), evidence)
    if found.warnings:
        return Outcome.warned("; ".join(found.warnings), evidence)
    checked = "not revoked" if policy.path("revocation_list_path") else "no revocation list configured"
    return Outcome.passed(
        f"the license is valid until {format_utc(expires)} ({(expires - now).days} days left; {checked})",
        evidence,
    )
