"""Judge a loaded license against the deployment: signature, trusted issuer, policy, entitlement, expiry.

One function per aspect, each returning an Outcome with evidence, so that each aspect is its own check
and a NO-GO names exactly what is wrong.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from preflight.errors import Location
from preflight.results import Evidence, Outcome
from preflight.trust.issuer_keys import verify_signature
from preflight.trust.license import SignedLicense
from preflight.trust.timeutil import format_utc

if TYPE_CHECKING:
    from preflight.deployment.model import Deployment, TrustedIssuer

_CORE = "config/core.yaml"
_RUNTIME = "config/runtime.yaml"


class LicenseAspect(StrEnum):
    """Which property of the license a check verifies."""

    SIGNATURE = "signature"
    ISSUER_TRUSTED = "issuer_trusted"
    PROFILE = "profile"
    ISSUER_ALLOWED = "issuer_allowed"
    EXCHANGE = "exchange"
    ENVIRONMENTS = "environments"
    EXPIRY = "expiry"


def _where(lic: SignedLicense) -> Location:
    return Location(lic.display)


def _trusted_key(lic: SignedLicense, deployment: Deployment) -> TrustedIssuer | None:
    return next((k for k in deployment.core.trusted_issuers if k.key_id == lic.key_id), None)


def check_signature(lic: SignedLicense, deployment: Deployment) -> Outcome:
    """Pass when the signature verifies against the trusted key the license names."""
    key = _trusted_key(lic, deployment)
    evidence = Evidence("signed by key", lic.key_id, _where(lic))
    if key is None:
        trusted = ", ".join(k.key_id for k in deployment.core.trusted_issuers) or "none"
        return Outcome.failed(
            f"the license is signed by key {lic.key_id!r}, which {_CORE} licensing.trusted_issuers does not "
            f"trust (trusted: {trusted}); get a license from a trusted issuer",
            evidence,
        )
    if not verify_signature(key.public_key, lic.signature, lic.signed_bytes):
        return Outcome.failed(
            f"the license signature does not verify against trusted key {key.key_id!r}: the payload was "
            "changed after signing or the signature is damaged; restore the issued license file",
            evidence,
        )
    return Outcome.passed(f"the Ed25519 signature verifies against trusted key {key.key_id!r}", evidence)


def check_issuer_trusted(lic: SignedLicense, deployment: Deployment) -> Outcome:
    """Pass when the signing key is trusted and belongs to the issuer the payload names."""
    key = _trusted_key(lic, deployment)
    claimed = Evidence("payload issuer", lic.payload.issuer, _where(lic))
    if key is None:
        return Outcome.failed(
            f"key {lic.key_id!r} is not among {_CORE} licensing.trusted_issuers; add the issuer's public key "
            "there only if you trust that issuer",
            claimed,
        )
    if key.issuer != lic.payload.issuer:
        return Outcome.failed(
            f"the license claims issuer {lic.payload.issuer!r} but key {key.key_id!r} belongs to "
            f"{key.issuer!r}",
            claimed,
            Evidence("trusted key issuer", key.issuer, Location(_CORE)),
        )
    return Outcome.passed(f"key {key.key_id!r} is trusted for issuer {key.issuer!r}", claimed)


def check_profile(lic: SignedLicense, deployment: Deployment) -> Outcome:
    """Pass when the license profile is one runtime.yaml licensing.allowed_profiles allows."""
    allowed = deployment.runtime.licensing.allowed_profiles
    return _allowed(lic, "profile", lic.payload.profile, allowed, "get a license for an allowed profile")


def check_issuer_allowed(lic: SignedLicense, deployment: Deployment) -> Outcome:
    """Pass when the license issuer is one runtime.yaml licensing.allowed_issuers allows."""
    allowed = deployment.runtime.licensing.allowed_issuers
    return _allowed(lic, "issuer", lic.payload.issuer, allowed, "get a license from an allowed issuer")


def _allowed(lic: SignedLicense, field: str, value: str, allowed: tuple[str, ...], remedy: str) -> Outcome:
    """Pass when the license's ``field`` is among runtime.yaml licensing.allowed_<field>s."""
    evidence = (
        Evidence(f"license {field}", value, _where(lic)),
        Evidence("allowed", ", ".join(allowed), Location(_RUNTIME)),
    )
    if value not in allowed:
        return Outcome.failed(
            f"license {field} {value!r} is not in {_RUNTIME} licensing.allowed_{field}s; {remedy}", *evidence
        )
    return Outcome.passed(f"license {field} {value!r} is allowed", *evidence)


def check_exchange(lic: SignedLicense, deployment: Deployment, environment: str) -> Outcome:
    """Pass when the exchange of ``environment`` is among the license's exchanges."""
    env = deployment.core.environments.get(environment)
    if env is None:
        return Outcome.failed(
            f"environment {environment!r} is not defined in {_CORE}; fix the entrypoint's environment"
        )
    evidence = Evidence("licensed exchanges", ", ".join(lic.payload.exchanges) or "none", _where(lic))
    if env.exchange not in lic.payload.exchanges:
        return Outcome.failed(
            f"the license does not entitle exchange {env.exchange!r} (environment {environment}); "
            "get a license that lists it",
            evidence,
        )
    return Outcome.passed(f"the license entitles exchange {env.exchange!r}", evidence)


def check_environments(lic: SignedLicense, deployment: Deployment, environments: tuple[str, ...]) -> Outcome:
    """Pass when the mode (paper/live) of every named environment is entitled."""
    evidence = Evidence("licensed modes", ", ".join(lic.payload.environments) or "none", _where(lic))
    missing: list[str] = []
    for name in environments:
        env = deployment.core.environments.get(name)
        if env is None:
            return Outcome.failed(f"environment {name!r} is not defined in {_CORE}")
        if env.mode.value not in lic.payload.environments:
            missing.append(f"{name} ({env.mode.value})")
    if missing:
        return Outcome.failed(
            f"the license does not entitle {', '.join(missing)}; get a license that lists those modes",
            evidence,
        )
    return Outcome.passed(f"the license entitles {', '.join(environments)}", evidence)


def check_expiry(lic: SignedLicense, deployment: Deployment, now: datetime) -> Outcome:
    """Fail when expired (or not yet valid), warn within runtime licensing.expiry_warning_days."""
    payload = lic.payload
    evidence = Evidence(
        "valid", f"{format_utc(payload.issued_at)} .. {format_utc(payload.expires_at)}", _where(lic)
    )
    if now < payload.issued_at:
        return Outcome.failed(
            "the license is not valid yet (issued in the future); check the machine clock", evidence
        )
    if now >= payload.expires_at:
        return Outcome.failed(
            f"the license expired on {format_utc(payload.expires_at)}; get it renewed", evidence
        )
    left = payload.expires_at - now
    warning_days = deployment.runtime.licensing.expiry_warning_days
    if left <= timedelta(days=warning_days):
        return Outcome.warned(
            f"the license expires in {left.days} days ({format_utc(payload.expires_at)}), within the "
            f"{warning_days}-day warning window; ask the issuer for a renewal",
            evidence,
        )
    return Outcome.passed(
        f"the license is valid until {format_utc(payload.expires_at)} ({left.days} days left)", evidence
    )
