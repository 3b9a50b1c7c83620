"""What bot_core's loader makes of one core.yaml environment for loading its credentials.

Only the fields ``SecretManager.load_exchange_credentials`` uses: the environment enum, the keychain key
and purpose, and the required/forbidden permissions — the environment's own lists, else its permission
profile's (lower-cased; an explicit non-empty list wins, as in bot_core's loader).
"""

from __future__ import annotations

from dataclasses import dataclass

from preflight.errors import ConfigError, Location
from preflight.trust.bot_core.credentials import DEFAULT_PURPOSE, ENVIRONMENTS
from preflight.yamlio import YamlDocument

CORE_FILE = "config/core.yaml"


@dataclass(frozen=True)
class CredentialNeeds:
    """What credentials an environment loads and what they must allow."""

    name: str
    environment: str  # live | paper | testnet
    exchange: str
    keychain_key: str
    purpose: str
    required: tuple[str, ...]
    forbidden: tuple[str, ...]
    permission_profile: str | None
    location: Location


def _list(document: YamlDocument, path: str) -> tuple[str, ...]:
    found = document.lookup(path)
    value = found.value if found is not None else None
    return tuple(str(v).strip().lower() for v in value if str(v).strip()) if isinstance(value, list) else ()


def credential_needs(document: YamlDocument, name: str) -> CredentialNeeds | None:
    """Return environment ``name``'s credential needs (None: undefined; ConfigError: bot_core fails)."""
    base = f"environments.{name}"
    found = document.lookup(base)
    if found is None:
        return None
    where = found.key_location or found.location
    entry = found.value if isinstance(found.value, dict) else {}
    for key in ("exchange", "environment", "keychain_key"):
        if not str(entry.get(key) or "").strip():
            raise ConfigError(f"{base} has no {key} (bot_core's loader fails on it); add it", where)
    mode = str(entry["environment"])
    if mode not in ENVIRONMENTS:
        raise ConfigError(
            f"{base}.environment {mode!r} is not live, paper or testnet (bot_core's loader fails on it)",
            document.location_of(f"{base}.environment"),
        )
    required, forbidden = (
        _list(document, f"{base}.required_permissions"),
        _list(document, f"{base}.forbidden_permissions"),
    )
    profile = str(entry.get("permission_profile") or "").strip() or None
    if profile is not None:
        if document.lookup(f"permission_profiles.{profile}") is None:
            raise ConfigError(
                f"{base}.permission_profile {profile!r} is not defined under permission_profiles; define it",
                document.location_of(f"{base}.permission_profile"),
            )
        required = required or _list(document, f"permission_profiles.{profile}.required_permissions")
        forbidden = forbidden or _list(document, f"permission_profiles.{profile}.forbidden_permissions")
    return CredentialNeeds(
        name=name,
        environment=mode,
        exchange=str(entry["exchange"]),
        keychain_key=str(entry["keychain_key"]),
        purpose=str(entry.get("credential_purpose") or DEFAULT_PURPOSE),
        required=required,
        forbidden=forbidden,
        permission_profile=profile,
        location=where,
    )
