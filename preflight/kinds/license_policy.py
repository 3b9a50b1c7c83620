"""Kind ``license_policy``: the licensing policy agrees with itself and with the runbook's profile/issuer.

On a bot_core root the declared policy (runtime.yaml ``licensing.license``) and the enforced one (core.yaml
``license``) are compared field by field, and both with the runbook's profile and issuer. A preflight
root has one policy (runtime.yaml ``licensing``); its allowlists are compared with the runbook's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from preflight.context import RunContext
from preflight.errors import InputError, Location
from preflight.kinds.base import CheckKind
from preflight.results import Evidence, Outcome

PARAMS_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["profile", "issuer"],
    "properties": {
        "profile": {
            "type": "string",
            "minLength": 1,
            "description": "The license profile the runbook requires.",
        },
        "issuer": {
            "type": "string",
            "minLength": 1,
            "description": "The license issuer the runbook requires.",
        },
    },
}


@dataclass(frozen=True)
class PolicyParams:
    """The runbook's license profile and issuer."""

    profile: str
    issuer: str


def parse(params: Mapping[str, Any]) -> PolicyParams:
    """Build the params value."""
    return PolicyParams(profile=str(params["profile"]), issuer=str(params["issuer"]))


def run(params: PolicyParams, ctx: RunContext) -> Outcome:
    """Compare the policies of the root's format with each other and with the runbook."""
    from preflight.deployment.formats import FormatName, format_for

    profile, issuer = ctx.template(params.profile), ctx.template(params.issuer)
    if format_for(ctx).name is FormatName.BOT_CORE:
        from preflight.trust.bot_core.judge_policy import check_policy

        return check_policy(ctx, profile, issuer)
    return _preflight_policy(ctx, profile, issuer)


def _preflight_policy(ctx: RunContext, profile: str, issuer: str) -> Outcome:
    """Pass when runtime.yaml licensing allows the runbook's profile and issuer."""
    from preflight.deployment import deployment_for
    from preflight.rootcause import failed_because

    try:
        licensing = deployment_for(ctx).runtime.licensing
    except InputError as error:
        return failed_because(ctx, error)
    where = Location("config/runtime.yaml")
    evidence = (
        Evidence("allowed_profiles", ", ".join(licensing.allowed_profiles), where),
        Evidence("allowed_issuers", ", ".join(licensing.allowed_issuers), where),
    )
    wrong = [
        f"{field} {value!r} is not in licensing.allowed_{field}s"
        for field, value, allowed in (
            ("profile", profile, licensing.allowed_profiles),
            ("issuer", issuer, licensing.allowed_issuers),
        )
        if value not in allowed
    ]
    if wrong:
        return Outcome.failed(
            f"the runbook's license {' and '.join(wrong)} of config/runtime.yaml; make the policy and the "
            "runbook say the same",
            *evidence,
        )
    return Outcome.passed(
        f"config/runtime.yaml licensing (the one policy of the preflight format) allows profile {profile} "
        f"and issuer {issuer}",
        *evidence,
    )


KIND: CheckKind[PolicyParams] = CheckKind(
    name="license_policy",
    summary="The licensing policy agrees with itself (bot_core: declared vs enforced) and with the runbook.",
    params_schema=PARAMS_SCHEMA,
    parse=parse,
    run=run,
)
