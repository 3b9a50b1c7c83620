"""The keychain entries of a new deployment: keys the operator enters, and made-up simulator keys.

The operator's keys are read from hidden prompts or from stdin (key, then secret, one per line) - never
from the command line, which every user of the machine can read. An environment served by the embedded
simulator gets a random key: the simulator is provisioned with whatever the keychain holds.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from preflight.errors import UsageError

if TYPE_CHECKING:
    from preflight.deployment.model import Environment
    from preflight.initialise.base import InitIO
    from preflight.trust.secrets import SecretEntry


def _entry(environment: Environment, permissions: tuple[str, ...], api_key: str, secret: str) -> SecretEntry:
    from preflight.trust.secrets import KeyStatus, SecretEntry
    from preflight.trust.timeutil import utc_now

    return SecretEntry(
        name=environment.keychain_key,
        exchange=environment.exchange,
        environment=environment.name,
        api_key=api_key,
        api_secret=secret,
        rsa_private_key=None,
        account_uid=environment.account_uid,
        permissions=permissions,
        status=KeyStatus.ACTIVE,
        created_at=utc_now(),
    )


def simulator_entry(environment: Environment, permissions: tuple[str, ...]) -> SecretEntry:
    """Return a random key for an environment the embedded simulator serves."""
    return _entry(environment, permissions, secrets.token_hex(9).upper(), secrets.token_urlsafe(27))


def ask_entry(environment: Environment, permissions: tuple[str, ...], io: InitIO) -> SecretEntry | None:
    """Ask for ``environment``'s API key and secret; None when the operator leaves the key empty."""
    where = f" (account UID {environment.account_uid})" if environment.account_uid else ""
    if io.interactive:
        io.say(
            f"The {environment.mode} key of {environment.name}{where} at {environment.endpoint}: it needs "
            f"{', '.join(permissions)} and no withdraw or transfer permission, bound to this machine's IP. "
            "Leave the key empty to add it later."
        )
    api_key = io.ask(f"API key for {environment.keychain_key}: ")
    if not api_key:
        return None
    secret = io.ask(f"API secret for {environment.keychain_key}: ", secret=True)
    if not secret:
        raise UsageError(
            f"no API secret for {environment.keychain_key}: give the key and then its secret "
            "(on stdin: one per line)"
        )
    return _entry(environment, permissions, api_key, secret)
