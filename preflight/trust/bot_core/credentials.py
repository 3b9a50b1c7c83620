"""bot_core's exchange credentials as its ``SecretManager`` stores them, and the storage key naming them.

Storage key: ``f"{namespace}:{keychain_key}:{purpose}".lower()`` with namespace ``dudzian.trading``.
Value: compact JSON ``{key_id, secret, passphrase, permissions, environment}``; reading accepts bot_core's
aliases (``keyId``/``keyID``, ``secret_key``/``secretKey``, ``scopes``, ``env``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from preflight import jsonsafe
from preflight.redact import mask

NAMESPACE = "dudzian.trading"
DEFAULT_PURPOSE = "trading"
ENVIRONMENTS = ("live", "paper", "testnet")  # bot_core's Environment enum values


def storage_key(keychain_key: str, purpose: str = DEFAULT_PURPOSE, namespace: str = NAMESPACE) -> str:
    """Return the key bot_core's SecretManager stores ``keychain_key``'s credentials under."""
    return f"{namespace.rstrip(':')}:{keychain_key}:{purpose}".lower()


@dataclass(frozen=True, repr=False)
class Credential:
    """One stored credential; repr masks the key id and never shows the secret or passphrase."""

    storage_key: str
    key_id: str
    secret: str
    passphrase: str | None
    permissions: tuple[str, ...]  # lower-cased, as bot_core compares them
    environment: str  # live | paper | testnet

    def __repr__(self) -> str:
        return (
            f"Credential({self.storage_key!r}, key_id={mask(self.key_id)!r}, "
            f"environment={self.environment!r}, permissions={self.permissions!r})"
        )

    __str__ = __repr__

    def secret_values(self) -> tuple[str, ...]:
        """Return every secret string of this credential (for scrubbing)."""
        return tuple(v for v in (self.key_id, self.secret, self.passphrase) if v)


def _first(data: Mapping[str, object], *names: str) -> object:
    return next((data[name] for name in names if name in data), None)


def parse_credential(key: str, raw: str) -> Credential:
    """Parse a stored value as bot_core's ``_deserialize`` does; ValueError (without the value) otherwise."""
    try:
        data = jsonsafe.loads(raw)
    except json.JSONDecodeError:
        raise ValueError("not JSON") from None
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    key_id = _first(data, "key_id", "keyId", "keyID")
    if key_id is None:
        raise ValueError("no key_id")
    environment = _first(data, "environment", "env")
    if environment not in ENVIRONMENTS:
        raise ValueError("environment is not live, paper or testnet")
    permissions = _first(data, "permissions", "scopes") or ()
    if not isinstance(permissions, list | tuple):
        raise ValueError("permissions is not a list")
    passphrase = data.get("passphrase")
    return Credential(
        storage_key=key,
        key_id=str(key_id),
        secret=str(_first(data, "secret", "secret_key", "secretKey") or ""),
        passphrase=None if passphrase is None else str(passphrase),
        permissions=tuple(str(p).lower() for p in permissions),
        environment=str(environment),
    )


def serialize_credential(
    key_id: str, secret: str, permissions: Sequence[str], environment: str, passphrase: str | None = None
) -> str:
    """Return the value bot_core's ``_serialize`` writes for these credentials."""
    return json.dumps(
        {
            "key_id": key_id,
            "secret": secret,
            "passphrase": passphrase,
            "permissions": [p.lower() for p in permissions],
            "environment": environment,
        },
        separators=(",", ":"),
    )
