"""The keychain: API-key entries by name, from the encrypted store file or from environment variables.

``open_keychain`` picks the backend named by core.yaml ``secrets.backend`` (``file`` or ``env``).
Secret material stays inside :class:`SecretEntry`; its repr and str mask the api key to its last 4
characters and never show the secret, and no error message built here contains either.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from preflight.errors import SecretsError
from preflight.redact import mask

if TYPE_CHECKING:
    from preflight.context import RunContext
    from preflight.deployment.model import Deployment

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


class KeyStatus(StrEnum):
    """Whether a key may be used: only ``active`` keys trade."""

    ACTIVE = "active"
    DISABLED = "disabled"
    REVOKED = "revoked"


@dataclass(frozen=True, repr=False)
class SecretEntry:
    """One API key of the keychain; repr/str mask the key and never show the secret."""

    name: str
    exchange: str
    environment: str
    api_key: str
    api_secret: str | None
    rsa_private_key: str | None  # PEM
    account_uid: str | None
    permissions: tuple[str, ...]  # "Group.Permission", e.g. "Spot.SpotTrade"
    status: KeyStatus
    created_at: datetime
    expires_at: datetime | None = None

    def __repr__(self) -> str:
        kind = "rsa" if self.rsa_private_key else "hmac"
        return (
            f"SecretEntry(name={self.name!r}, exchange={self.exchange!r}, environment={self.environment!r}, "
            f"api_key={mask(self.api_key)!r}, signing={kind}, account_uid={self.account_uid!r}, "
            f"permissions={self.permissions!r}, status={self.status.value!r})"
        )

    __str__ = __repr__

    def with_status(self, status: KeyStatus) -> SecretEntry:
        """Return a copy with ``status``."""
        return replace(self, status=status)

    def secret_values(self) -> tuple[str, ...]:
        """Return every secret string of this entry (for scrubbing text that might hold them)."""
        return tuple(v for v in (self.api_key, self.api_secret, self.rsa_private_key) if v)


@dataclass(frozen=True)
class Keychain:
    """The entries of one backend, by name."""

    source: str  # where the entries came from, for messages ("var/secrets/keychain.enc", "environment")
    entries: Mapping[str, SecretEntry]

    def get(self, name: str) -> SecretEntry:
        """Return entry ``name``; SecretsError naming how to add it when absent."""
        entry = self.entries.get(name)
        if entry is None:
            known = ", ".join(sorted(self.entries)) or "none"
            raise SecretsError(
                f"no entry {name!r} in the keychain ({self.source}; entries: {known}); "
                f"add it with `preflight secrets set {name} ...`"
            )
        return entry

    def names(self) -> tuple[str, ...]:
        """Return the entry names, sorted."""
        return tuple(sorted(self.entries))


def open_keychain(
    deployment: Deployment,
    env: Mapping[str, str],
    *,
    prompt: Callable[[str], str] | None = None,
) -> Keychain:
    """Open the deployment's keychain with the configured backend; SecretsError in one sentence."""
    settings = deployment.core.secrets
    if settings.backend == "env":
        from preflight.trust.secrets_env import env_keychain

        return env_keychain(deployment, env)
    if settings.backend != "file":
        raise SecretsError(
            f"unknown secrets backend {settings.backend!r}; use `file` or `env` in config/core.yaml"
        )
    from preflight.trust.passphrase import resolve_passphrase
    from preflight.trust.store_file import read_store

    path = deployment.root / settings.path
    if not path.exists():
        raise SecretsError(
            f"secrets store {settings.path} not found; create it with `preflight secrets set NAME ...`"
        )
    passphrase = resolve_passphrase(deployment, env, prompt=prompt)
    return Keychain(source=settings.path, entries=read_store(path, passphrase, display=settings.path))


def run_env(ctx: RunContext) -> Mapping[str, str]:
    """Return the environment variables a run sees (the options' copy, else the process's)."""
    import os

    return ctx.options.env or os.environ


def keychain_for(ctx: RunContext) -> Keychain:
    """Open the run's keychain once; every secrets./keys. check shares it (and its error)."""
    from preflight.deployment import deployment_for

    return ctx.memo("trust.keychain", lambda: open_keychain(deployment_for(ctx), run_env(ctx)))
