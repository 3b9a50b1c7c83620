"""The environment-variable keychain backend (``secrets.backend: env``), for CI.

An entry NAME exists when ``<prefix><NAME>_API_KEY`` is set (prefix from core.yaml ``secrets.env_prefix``,
default ``PREFLIGHT_SECRET_``; NAME is the entry name upper-cased, e.g. ``BYBIT_PAPER_TRADING``). Its
other variables, all optional but the signing secret:

    <prefix><NAME>_API_SECRET        HMAC secret            (one of these two is required)
    <prefix><NAME>_RSA_PRIVATE_KEY   PEM RSA private key
    <prefix><NAME>_PERMISSIONS       comma-separated Group.Permission list, e.g. Spot.SpotTrade
    <prefix><NAME>_ENVIRONMENT       default: the core.yaml environment whose keychain_key is NAME
    <prefix><NAME>_EXCHANGE          default: that environment's exchange
    <prefix><NAME>_ACCOUNT_UID       the account the key is registered to
    <prefix><NAME>_STATUS            active (default) | disabled | revoked
    <prefix><NAME>_CREATED_AT        ISO 8601 with timezone; default: when the keychain was opened
    <prefix><NAME>_EXPIRES_AT        ISO 8601 with timezone; default: no expiry
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from preflight.errors import SecretsError
from preflight.trust.secrets import Keychain, KeyStatus, SecretEntry
from preflight.trust.timeutil import parse_utc, utc_now

if TYPE_CHECKING:
    from preflight.deployment.model import Deployment

_SUFFIX = "_API_KEY"


def env_entry_names(env: Mapping[str, str], prefix: str) -> tuple[str, ...]:
    """Return the entry names the environment defines (lower-case)."""
    return tuple(
        sorted(
            key[len(prefix) : -len(_SUFFIX)].lower()
            for key, value in env.items()
            if key.startswith(prefix)
            and key.endswith(_SUFFIX)
            and len(key) > len(prefix) + len(_SUFFIX)
            and value
        )
    )


def _entry(name: str, env: Mapping[str, str], prefix: str, deployment: Deployment) -> SecretEntry:
    base = f"{prefix}{name.upper()}_"

    def var(suffix: str) -> str | None:
        """Return the entry's variable ``suffix``, None when unset or empty."""
        return env.get(base + suffix) or None

    secret, rsa_key = var("API_SECRET"), var("RSA_PRIVATE_KEY")
    if (secret is None) == (rsa_key is None):
        raise SecretsError(
            f"set exactly one of {base}API_SECRET and {base}RSA_PRIVATE_KEY for entry {name!r}"
        )
    environment = next((e for e in deployment.core.environments.values() if e.keychain_key == name), None)
    environment_name = var("ENVIRONMENT") or (environment.name if environment else None)
    exchange = var("EXCHANGE") or (environment.exchange if environment else None)
    if environment_name is None or exchange is None:
        raise SecretsError(
            f"set {base}ENVIRONMENT and {base}EXCHANGE: no core.yaml environment uses key {name!r}"
        )
    status_text = (var("STATUS") or "active").lower()
    if status_text not in {s.value for s in KeyStatus}:
        raise SecretsError(f"{base}STATUS must be active, disabled or revoked")
    try:
        created_at = parse_utc(var("CREATED_AT") or "") if var("CREATED_AT") else utc_now()
        expires_text = var("EXPIRES_AT")
        expires_at = parse_utc(expires_text) if expires_text else None
    except ValueError:
        raise SecretsError(
            f"{base}CREATED_AT and {base}EXPIRES_AT must be ISO 8601 timestamps with a timezone"
        ) from None
    permissions = tuple(p.strip() for p in (var("PERMISSIONS") or "").split(",") if p.strip())
    return SecretEntry(
        name=name,
        exchange=exchange,
        environment=environment_name,
        api_key=env[base + "API_KEY"],
        api_secret=secret,
        rsa_private_key=rsa_key,
        account_uid=var("ACCOUNT_UID"),
        permissions=permissions,
        status=KeyStatus(status_text),
        created_at=created_at,
        expires_at=expires_at,
    )


def env_keychain(deployment: Deployment, env: Mapping[str, str]) -> Keychain:
    """Build the keychain from ``<prefix><NAME>_*`` environment variables."""
    prefix = deployment.core.secrets.env_prefix
    entries = {name: _entry(name, env, prefix, deployment) for name in env_entry_names(env, prefix)}
    return Keychain(source=f"environment variables {prefix}*", entries=entries)
