"""Kind ``api_key_probe``: what the exchange says about a live key (``/v5/user/query-api``), one aspect each.

Aspects: ``known`` (the exchange knows the key), ``account`` (it belongs to the environment's
account_uid), ``trading`` (not read-only; the permission profile's required permissions present),
``forbidden`` (none of the profile's forbidden permissions, e.g. Wallet.Withdraw), ``ip_binding``
(bound to IPs; warn when unrestricted) and ``expiry`` (not expiring within the profile's warning window).
With ``--offline`` every aspect is skipped and says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from preflight.context import RunContext
from preflight.errors import AuthError, PreflightError
from preflight.kinds.base import CheckKind
from preflight.results import Evidence, Outcome

if TYPE_CHECKING:
    from preflight.deployment.model import Environment, PermissionProfile
    from preflight.trust.keyprobe import KeyProbe

ASPECTS = ("known", "account", "trading", "forbidden", "ip_binding", "expiry")
_NO_EXPIRY_BEFORE = datetime(1971, 1, 1, tzinfo=UTC)  # Bybit reports "1970-01-01" for keys that never expire

PARAMS_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["environment", "aspect"],
    "properties": {
        "environment": {
            "type": "string",
            "minLength": 1,
            "description": "The live core.yaml environment to probe.",
        },
        "aspect": {"enum": list(ASPECTS), "description": "Which property of the key to verify."},
    },
}


@dataclass(frozen=True)
class ProbeParams:
    """The environment to probe and the aspect to judge."""

    environment: str
    aspect: str


def parse(params: Mapping[str, Any]) -> ProbeParams:
    """Build the params value."""
    return ProbeParams(environment=str(params["environment"]), aspect=str(params["aspect"]))


def _held(probe: KeyProbe, permissions: tuple[str, ...]) -> list[str]:
    return [p for p in permissions if probe.info.has(*p.split(".", 1))]


def judge(
    aspect: str, probe: KeyProbe, environment: Environment, profile: PermissionProfile, now: datetime
) -> Outcome:
    """Judge one aspect of a probe result."""
    from preflight.redact import mask
    from preflight.trust.timeutil import format_utc

    info = probe.info
    seen = Evidence("query-api", f"{probe.endpoint}: key {mask(info.api_key)}, uid {info.uid}")
    if aspect == "known":
        return Outcome.passed(f"the exchange knows the key of {environment.name}", seen)
    if aspect == "account":
        if not environment.account_uid:
            return Outcome.failed(
                f"{environment.name} names no account_uid in config/core.yaml; add the production UID"
            )
        if info.uid != environment.account_uid:
            return Outcome.failed(
                f"the key belongs to account {info.uid}, not the production account "
                f"{environment.account_uid}; "
                "store a key created on the production account",
                seen,
            )
        return Outcome.passed(f"the key belongs to the production account {info.uid}", seen)
    granted = "; ".join(f"{g}: {','.join(p)}" for g, p in sorted(info.permissions.items()) if p) or "none"
    perms = Evidence("permissions", granted)
    if aspect == "trading":
        missing = [p for p in profile.required if p not in _held(probe, profile.required)]
        if info.read_only or missing:
            why = "the key is read-only" if info.read_only else f"the key lacks {', '.join(missing)}"
            return Outcome.failed(f"{why}; enable spot trading for the key on the exchange", seen, perms)
        return Outcome.passed(f"the key may trade ({', '.join(profile.required)})", seen, perms)
    if aspect == "forbidden":
        held = _held(probe, profile.forbidden)
        if held:
            return Outcome.failed(
                f"the key holds {', '.join(held)}, forbidden by permission profile {profile.name}; "
                "remove withdraw/transfer rights on the exchange or create a new key",
                seen,
                perms,
            )
        return Outcome.passed("the key holds no withdraw or transfer permission", seen, perms)
    if aspect == "ip_binding":
        ips = [ip for ip in info.ips if ip and ip != "*"]
        if not ips:
            return Outcome.warned(
                "the key is not bound to any IP address (unrestricted); bind it to the bot's egress IPs", seen
            )
        return Outcome.passed(f"the key is bound to {', '.join(ips)}", seen)
    expiry = info.expired_at
    if expiry is None or expiry < _NO_EXPIRY_BEFORE:
        return Outcome.passed("the key does not expire", seen)
    if expiry <= now:
        return Outcome.failed(f"the key expired on {format_utc(expiry)}; create a new key", seen)
    if expiry - now <= timedelta(days=profile.key_expiry_warning_days):
        return Outcome.warned(
            f"the key expires on {format_utc(expiry)}, within {profile.key_expiry_warning_days} days; "
            "rotate it",
            seen,
        )
    return Outcome.passed(f"the key is valid until {format_utc(expiry)}", seen)


def run(params: ProbeParams, ctx: RunContext) -> Outcome:
    """Probe the environment once per run and judge the aspect."""
    from preflight.rootcause import failed_because
    from preflight.trust.access import environment_or_outcome
    from preflight.trust.keyprobe import probe_for, simulated_reason
    from preflight.trust.timeutil import utc_now

    env_name = ctx.template(params.environment)
    if ctx.options.offline:
        return Outcome.skipped_offline(
            f"--offline: the live key of {env_name} was not probed; a go-live needs one online run"
        )
    from preflight.deployment.formats import FormatName, format_for

    if format_for(ctx).name is FormatName.BOT_CORE:
        return _bot_core_probe(ctx, env_name)
    resolved = environment_or_outcome(ctx, env_name, name_environment=False)
    if isinstance(resolved, Outcome):
        return resolved
    _, environment, profile = resolved
    try:
        probe = probe_for(ctx, env_name)
    except AuthError as error:
        fix = "Check that the key exists on the exchange and is stored correctly (`preflight secrets list`)."
        return failed_because(ctx, error, fix=fix)
    except PreflightError as error:
        return failed_because(ctx, error)
    outcome = judge(params.aspect, probe, environment, profile, utc_now())
    # Decided here, where the probe's endpoint is known: a simulator's answer proves nothing about the key.
    return replace(outcome, simulated=simulated_reason(probe.endpoint, env_name))


def _bot_core_probe(ctx: RunContext, env_name: str) -> Outcome:
    """On bot_core, name a missing environment; a defined one is not probed (said exactly, not passed)."""
    from preflight.trust.bot_core.access import needs_or_outcome

    needs = needs_or_outcome(ctx, env_name)
    if isinstance(needs, Outcome):
        return needs
    return Outcome.skipped(
        f"the live key of {env_name} was not probed: probing a bot_core deployment's key (credentials from "
        "its secrets store, its CCXT endpoint) is not implemented; check the key on the exchange by hand"
    )


KIND: CheckKind[ProbeParams] = CheckKind(
    name="api_key_probe",
    summary="The live API key as the exchange sees it: known, production account, trade-only, IP-bound, "
    "not expiring.",
    params_schema=PARAMS_SCHEMA,
    parse=parse,
    run=run,
)
