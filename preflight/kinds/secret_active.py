"""Kind ``secret_active``: a keychain entry is present, decryptable, active, unexpired and fit for its use.

"Active" as SPEC.md section 5 defines it: present, decryptable, status active, not expired, environment
(and exchange) matching, permissions a superset of the permission profile's required ones and none of
its forbidden ones. For a live environment the entry must also be registered to the account it names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from preflight.context import RunContext
from preflight.errors import InputError, Location
from preflight.kinds.base import CheckKind
from preflight.results import Evidence, Outcome

if TYPE_CHECKING:
    from preflight.deployment.model import Deployment

PARAMS_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["key", "environment"],
    "properties": {
        "key": {
            "type": "string",
            "minLength": 1,
            "description": "Keychain entry name, e.g. bybit_paper_trading.",
        },
        "environment": {
            "type": "string",
            "minLength": 1,
            "description": "core.yaml environment the key must serve.",
        },
    },
}


@dataclass(frozen=True)
class SecretParams:
    """The entry to check and the environment it must serve."""

    key: str
    environment: str


def parse(params: Mapping[str, Any]) -> SecretParams:
    """Build the params value."""
    return SecretParams(key=str(params["key"]), environment=str(params["environment"]))


def run(params: SecretParams, ctx: RunContext) -> Outcome:
    """Open the keychain once per run and judge the entry against its environment's permission profile."""
    from preflight.deployment.formats import FormatName, format_for
    from preflight.redact import mask
    from preflight.rootcause import failed_because
    from preflight.trust.access import environment_or_outcome
    from preflight.trust.secrets import KeyStatus, keychain_for
    from preflight.trust.timeutil import format_utc, utc_now

    key, env_name = ctx.template(params.key), ctx.template(params.environment)
    if format_for(ctx).name is FormatName.BOT_CORE:
        from preflight.trust.bot_core.judge_secrets import check_secret

        return check_secret(ctx, key, env_name)
    resolved = environment_or_outcome(ctx, env_name, name_environment=True)
    if isinstance(resolved, Outcome):
        return resolved
    deployment, environment, profile = resolved
    if deployment.core.secrets.backend == "file":
        ctx.record_input(deployment.root / deployment.core.secrets.path)
    try:
        entry = keychain_for(ctx).get(key)
    except InputError as error:
        settings = deployment.core.secrets
        also = f" or {settings.passphrase_file}" if settings.passphrase_file else ""
        fix = (
            f"Give the secrets store {settings.path} its passphrase ({settings.passphrase_env}{also}) or "
            "restore the store; `preflight secrets list` shows when it opens."
        )
        return failed_because(ctx, error, fix=fix)
    where = Location(
        deployment.core.secrets.path if deployment.core.secrets.backend == "file" else "environment"
    )
    shown = Evidence(
        "entry",
        f"{key}: key {mask(entry.api_key)}, status {entry.status.value}, environment {entry.environment}, "
        f"permissions {', '.join(entry.permissions) or 'none'}",
        where,
    )
    now = utc_now()
    if entry.status is KeyStatus.DISABLED:
        return Outcome.failed(
            f"key {key} is disabled; enable it with `preflight secrets enable {key}`", shown
        )
    if entry.status is KeyStatus.REVOKED:
        return Outcome.failed(
            f"key {key} is revoked; create a new API key and store it with `preflight secrets set {key}`",
            shown,
        )
    if entry.expires_at is not None and entry.expires_at <= now:
        return Outcome.failed(
            f"key {key} expired on {format_utc(entry.expires_at)}; rotate it and store the new one with "
            f"`preflight secrets set {key}`",
            shown,
        )
    if entry.environment != env_name or entry.exchange != environment.exchange:
        return Outcome.failed(
            f"key {key} is stored for {entry.exchange}/{entry.environment}, "
            f"not {environment.exchange}/{env_name}; "
            "store the right key under this name",
            shown,
        )
    missing = [p for p in profile.required if p not in entry.permissions]
    if missing:
        return Outcome.failed(
            f"key {key} lacks {', '.join(missing)} required by permission profile {profile.name}; "
            "grant it on the exchange and update the entry",
            shown,
        )
    forbidden = [p for p in profile.forbidden if p in entry.permissions]
    if forbidden:
        return Outcome.failed(
            f"key {key} carries {', '.join(forbidden)}, forbidden by permission profile {profile.name}; "
            "create a key without it",
            shown,
        )
    if environment.account_uid and entry.account_uid and entry.account_uid != environment.account_uid:
        return Outcome.failed(
            f"key {key} is registered to account {entry.account_uid}, not the production account "
            f"{environment.account_uid} of {env_name}; store a key of the production account",
            shown,
        )
    if entry.expires_at is not None and entry.expires_at - now <= timedelta(
        days=profile.key_expiry_warning_days
    ):
        return Outcome.warned(
            f"key {key} expires on {format_utc(entry.expires_at)}, "
            f"within {profile.key_expiry_warning_days} days; "
            "rotate it soon",
            shown,
        )
    exposed = _readable_by_others(deployment)
    if exposed:
        return Outcome.warned(
            f"key {key} is active, but {' and '.join(exposed)} can be read by other users; chmod 600 it",
            shown,
        )
    return Outcome.passed(
        f"key {key} is active for {env_name} with the permissions profile {profile.name} needs", shown
    )


def _readable_by_others(deployment: Deployment) -> list[str]:
    """Name the store and passphrase files whose mode lets group or others read them."""
    settings = deployment.core.secrets
    if settings.backend != "file":
        return []
    names = [settings.path, *([settings.passphrase_file] if settings.passphrase_file else [])]
    found = []
    for name in names:
        try:
            if (deployment.root / name).stat().st_mode & 0o077:
                found.append(name)
        except OSError:  # absent passphrase file: the passphrase comes from elsewhere
            continue
    return found


KIND: CheckKind[SecretParams] = CheckKind(
    name="secret_active",
    summary="A keychain entry is present, decryptable, active, unexpired and fit for its environment.",
    params_schema=PARAMS_SCHEMA,
    parse=parse,
    run=run,
)
