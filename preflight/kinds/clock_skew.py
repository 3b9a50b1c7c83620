"""Kind ``clock_skew``: the exchange clock (``/v5/market/time``) is well inside the signing recv_window."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from preflight.context import RunContext
from preflight.errors import InputError, PreflightError
from preflight.kinds.base import CheckKind
from preflight.results import Evidence, Outcome

if TYPE_CHECKING:
    from preflight.trust.keyprobe import ClockReading

PARAMS_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["environment"],
    "properties": {
        "environment": {
            "type": "string",
            "minLength": 1,
            "description": "The core.yaml environment to probe.",
        },
        "warn_ms": {
            "type": "integer",
            "minimum": 0,
            "default": 500,
            "description": "Warn above this |skew|.",
        },
        "fail_ms": {
            "type": "integer",
            "minimum": 1,
            "default": 1000,
            "description": "Fail above this |skew|.",
        },
    },
}


@dataclass(frozen=True)
class SkewParams:
    """The environment to probe and the skew limits in milliseconds."""

    environment: str
    warn_ms: int = 500
    fail_ms: int = 1000


def parse(params: Mapping[str, Any]) -> SkewParams:
    """Build the params value."""
    return SkewParams(
        environment=str(params["environment"]),
        warn_ms=int(params.get("warn_ms", 500)),
        fail_ms=int(params.get("fail_ms", 1000)),
    )


def run(params: SkewParams, ctx: RunContext) -> Outcome:
    """Compare the exchange clock with ours; Bybit rejects timestamps 1000 ms ahead of its clock."""
    from preflight.deployment import deployment_for
    from preflight.deployment.documents import blocked_by
    from preflight.trust.keyprobe import clock_for, simulated_reason

    env_name = ctx.template(params.environment)
    missing = _undefined_environment(ctx, env_name)
    if missing is not None:
        return missing
    if ctx.options.offline:
        return Outcome.skipped_offline(f"--offline: the clock of {env_name}'s exchange was not probed")
    try:
        deployment_for(ctx)
        probe = clock_for(ctx, env_name)
    except InputError as error:
        return blocked_by(error) or Outcome.failed(str(error))
    except PreflightError as error:
        return Outcome.failed(f"cannot read the exchange clock: {error}")
    outcome = _judge(probe, params)
    # A simulator's clock is this machine's clock: the skew it shows proves nothing about the exchange.
    return replace(outcome, simulated=simulated_reason(probe.endpoint, env_name))


def _judge(probe: ClockReading, params: SkewParams) -> Outcome:
    skew = probe.skew_ms
    seen = Evidence(
        "clock skew",
        f"{skew:+d} ms (round trip {probe.round_trip_ms} ms, recv_window {probe.recv_window_ms} ms, "
        f"{probe.endpoint})",
    )
    if abs(skew) > params.fail_ms:
        return Outcome.failed(
            f"this machine's clock is {skew:+d} ms off the exchange's (limit {params.fail_ms} ms); "
            "synchronise it with NTP (chrony/timedatectl)",
            seen,
        )
    if abs(skew) > params.warn_ms:
        return Outcome.warned(
            f"this machine's clock is {skew:+d} ms off the exchange's (warning above {params.warn_ms} ms); "
            "check NTP synchronisation",
            seen,
        )
    return Outcome.passed(f"the clock is {skew:+d} ms off the exchange's, well inside the recv_window", seen)


def _undefined_environment(ctx: RunContext, env_name: str) -> Outcome | None:
    """Fail when the deployment loads without the environment: there is no exchange to ask at all."""
    from preflight.deployment import deployment_for
    from preflight.trust.access import undefined_environment

    try:
        if env_name in deployment_for(ctx).core.environments:
            return None
    except InputError:
        return None  # the config checks report a broken deployment; this one says what it could not do
    return undefined_environment(ctx, env_name)


KIND: CheckKind[SkewParams] = CheckKind(
    name="clock_skew",
    summary="The exchange clock is within a safe margin of ours (signing recv_window).",
    params_schema=PARAMS_SCHEMA,
    parse=parse,
    run=run,
)
