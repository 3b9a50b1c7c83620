"""Judge an environment's credentials in bot_core's store with ``SecretManager.load_exchange_credentials``'s
rules: present, parsable, environment enum matching, required permissions present, forbidden ones absent.

bot_core keeps no status or expiry for a key, so "active" cannot mean more than that; the evidence says so.
The OS keyring backend cannot be read here: that is a skip naming why, never a pass.
"""

from __future__ import annotations

from preflight.context import RunContext
from preflight.errors import InputError, Location
from preflight.redact import mask
from preflight.results import Evidence, Outcome
from preflight.trust.bot_core import access
from preflight.trust.bot_core.credentials import parse_credential, storage_key
from preflight.trust.bot_core.store_location import KEYRING_UNREADABLE

NO_STATUS = (
    "bot_core stores no status or expiry for a key: active = present, parsable, environment and permissions"
)


def check_secret(ctx: RunContext, key: str, env_name: str) -> Outcome:
    """Judge the credentials environment ``env_name`` loads (keychain key ``key``)."""
    needs = access.needs_or_outcome(ctx, env_name)
    if isinstance(needs, Outcome):
        return needs
    if needs.keychain_key != key:
        return Outcome.failed(
            f"environment {env_name} loads keychain key {needs.keychain_key!r}, not {key!r} as the "
            "runbook says; set the runbook variable or the environment's keychain_key",
            Evidence("keychain_key", needs.keychain_key, needs.location),
        )
    backend = access.backend_of(ctx)
    if backend.kind == "keyring":
        return Outcome.skipped(
            f"the credentials of {env_name} were not checked: {backend.reason}; {KEYRING_UNREADABLE}"
        )
    try:
        store = access.store_for(ctx)
    except InputError as error:
        return access.failure(ctx, error)
    name = storage_key(needs.keychain_key, needs.purpose)
    raw = store.entries.get(name)
    where = Location(store.shown)
    if raw is None:
        known = ", ".join(sorted(store.entries)) or "none"
        return Outcome.failed(
            f"no credentials {name!r} in {store.shown} (entries: {known}); store the {env_name} key there",
            Evidence("store", f"{store.shown} ({backend.reason})", where),
        )
    try:
        credential = parse_credential(name, raw)
    except ValueError as problem:
        return Outcome.failed(
            f"the credentials {name!r} in {store.shown} cannot be parsed ({problem}); store them again"
        )
    shown = Evidence(
        "credentials",
        f"{name}: key {mask(credential.key_id)}, environment {credential.environment}, "
        f"permissions {', '.join(credential.permissions) or 'none'}",
        where,
    )
    rule = Evidence("active means", NO_STATUS)
    if credential.environment != needs.environment:
        return Outcome.failed(
            f"the credentials of {env_name} are stored for environment {credential.environment}, bot_core "
            f"expects {needs.environment}; store the {needs.environment} key",
            shown,
        )
    missing = [p for p in needs.required if p not in credential.permissions]
    if missing:
        return Outcome.failed(
            f"the credentials of {env_name} lack {', '.join(missing)} (required by "
            f"{needs.permission_profile or 'the environment'}); grant it on the exchange and store "
            "the key again",
            shown,
        )
    forbidden = [p for p in credential.permissions if p in needs.forbidden]
    if forbidden:
        return Outcome.failed(
            f"the credentials of {env_name} carry {', '.join(forbidden)}, forbidden by "
            f"{needs.permission_profile or 'the environment'}; create a key without it",
            shown,
        )
    if store.backend.path is not None and store.backend.path.stat().st_mode & 0o077:
        return Outcome.warned(
            f"the credentials of {env_name} are usable, but {store.shown} is readable by other "
            "users; chmod 600 it",
            shown,
            rule,
        )
    return Outcome.passed(
        f"the credentials of {env_name} are present in {store.shown} for {needs.environment} with "
        f"{', '.join(needs.required) or 'no required permission'} and none of "
        f"{', '.join(needs.forbidden) or 'no forbidden permission'}",
        shown,
        rule,
    )
