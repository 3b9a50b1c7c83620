"""Kind ``license_valid``: one aspect of the OEM license (signature, issuer, policy, entitlement, expiry)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from preflight.context import RunContext
from preflight.errors import InputError
from preflight.kinds.base import CheckKind
from preflight.results import Outcome

ASPECTS = ("signature", "issuer_trusted", "profile", "issuer_allowed", "exchange", "environments", "expiry")

PARAMS_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["aspect"],
    "properties": {
        "aspect": {"enum": list(ASPECTS), "description": "Which property of the license to verify."},
        "environments": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "description": "For aspect environments: core.yaml environments whose mode must be entitled "
            "(default: the entrypoint's).",
        },
    },
}


@dataclass(frozen=True)
class LicenseParams:
    """Which aspect to check, and for ``environments`` which environments."""

    aspect: str
    environments: tuple[str, ...] = ()


def parse(params: Mapping[str, Any]) -> LicenseParams:
    """Build the params value."""
    return LicenseParams(aspect=str(params["aspect"]), environments=tuple(params.get("environments", ())))


def run(params: LicenseParams, ctx: RunContext) -> Outcome:
    """Load the license once per run and judge the requested aspect (in the root's own format)."""
    from preflight.deployment.formats import FormatName, format_for

    if format_for(ctx).name is FormatName.BOT_CORE:
        return _run_bot_core(params, ctx)
    from preflight.deployment import deployment_for
    from preflight.rootcause import failed_because
    from preflight.trust import license_policy as policy
    from preflight.trust.access import license_for
    from preflight.trust.timeutil import utc_now

    try:
        deployment = deployment_for(ctx)
        lic = license_for(ctx)
    except InputError as error:
        return failed_because(ctx, error)
    entrypoint_env = deployment.environment_of(ctx.options.entrypoint)
    own_env = (entrypoint_env.name,) if entrypoint_env else ()
    match params.aspect:
        case "signature":
            return policy.check_signature(lic, deployment)
        case "issuer_trusted":
            return policy.check_issuer_trusted(lic, deployment)
        case "profile":
            return policy.check_profile(lic, deployment)
        case "issuer_allowed":
            return policy.check_issuer_allowed(lic, deployment)
        case "exchange":
            if not own_env:
                return Outcome.failed(
                    f"entrypoint {ctx.options.entrypoint!r} has no environment in config/core.yaml"
                )
            return policy.check_exchange(lic, deployment, own_env[0])
        case "environments":
            names = tuple(ctx.template(n) for n in params.environments) or own_env
            undefined = next((n for n in names if n not in deployment.core.environments), None)
            if undefined is not None:
                from preflight.trust.access import undefined_environment

                return undefined_environment(ctx, undefined)
            return policy.check_environments(lic, deployment, names)
        case _:
            return policy.check_expiry(lic, deployment, utc_now())


def _run_bot_core(params: LicenseParams, ctx: RunContext) -> Outcome:
    """Judge the aspect on bot_core's HMAC license; aspects its format does not carry are skipped."""
    from preflight.trust.bot_core import judge_license as judge
    from preflight.trust.timeutil import utc_now

    match params.aspect:
        case "signature":
            return judge.check_signature(ctx)
        case "profile":
            return judge.check_allowed(ctx, "profile")
        case "issuer_allowed":
            return judge.check_allowed(ctx, "issuer")
        case "expiry":
            return judge.check_expiry(ctx, utc_now())
        case _:
            return judge.check_not_applicable(params.aspect)


KIND: CheckKind[LicenseParams] = CheckKind(
    name="license_valid",
    summary="The OEM license verifies and allows this deployment (one aspect per check).",
    params_schema=PARAMS_SCHEMA,
    parse=parse,
    run=run,
)
