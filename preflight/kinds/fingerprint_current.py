"""Kind ``fingerprint_current``: license <-> fingerprint.json <-> this machine agree."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from preflight.context import RunContext
from preflight.errors import InputError, Location
from preflight.kinds.base import CheckKind
from preflight.results import Evidence, Outcome

_FIX = "run `preflight fingerprint refresh`, then get the license reissued for the new value"

PARAMS_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["compare"],
    "properties": {
        "compare": {
            "enum": ["record", "license", "machine"],
            "description": "record: fingerprint.json is internally consistent; license: the license is bound "
            "to fingerprint.json's value; machine: this machine still has that fingerprint.",
        }
    },
}


@dataclass(frozen=True)
class FingerprintParams:
    """Which comparison to make."""

    compare: str


def parse(params: Mapping[str, Any]) -> FingerprintParams:
    """Build the params value."""
    return FingerprintParams(compare=str(params["compare"]))


def _short(value: str) -> str:
    return value[:16] + "…"


def run(params: FingerprintParams, ctx: RunContext) -> Outcome:
    """Compare the requested pair of fingerprints; name the changed factors on a mismatch."""
    from preflight.deployment.formats import FormatName, format_for

    if format_for(ctx).name is FormatName.BOT_CORE:
        from preflight.trust.bot_core import judge_fingerprint as judge

        if params.compare == "record":
            return judge.check_record(ctx)
        return judge.check_license_bound(ctx) if params.compare == "license" else judge.check_machine()
    from preflight.rootcause import failed_because
    from preflight.trust.access import fingerprint_record_for, license_for, machine_fingerprint_for
    from preflight.trust.fingerprint import compare

    try:
        record = fingerprint_record_for(ctx)
    except InputError as error:
        return failed_because(ctx, error)
    recorded = Evidence("fingerprint.json value", _short(record.fingerprint.value), Location(record.display))
    if params.compare == "record":
        if not record.consistent:
            return Outcome.failed(
                "fingerprint.json was edited: its value is not what its factor hashes combine to; " + _FIX,
                recorded,
            )
        names = ", ".join(sorted(record.fingerprint.factors))
        return Outcome.passed(f"fingerprint.json is consistent ({names})", recorded)
    if params.compare == "license":
        try:
            lic = license_for(ctx)
        except InputError as error:
            return failed_because(ctx, error, evidence=(recorded,))
        bound = Evidence("license fingerprint", _short(lic.payload.fingerprint), Location(lic.display))
        if lic.payload.fingerprint != record.fingerprint.value:
            return Outcome.failed(
                "the license is bound to another fingerprint than fingerprint.json records; "
                "get the license reissued for the recorded value (or restore the original fingerprint.json)",
                bound,
                recorded,
            )
        return Outcome.passed("the license is bound to the recorded fingerprint", bound, recorded)
    try:
        current = machine_fingerprint_for(ctx)
    except InputError as error:
        return failed_because(ctx, error, evidence=(recorded,))
    here = Evidence("this machine", _short(current.value))
    if current.value != record.fingerprint.value:
        changes = compare(record.fingerprint, current)
        return Outcome.failed(
            f"this machine's fingerprint differs from fingerprint.json ({changes.describe()}); "
            f"if the hardware change is intended, {_FIX}",
            here,
            recorded,
        )
    return Outcome.passed("this machine matches fingerprint.json", here, recorded)


KIND: CheckKind[FingerprintParams] = CheckKind(
    name="fingerprint_current",
    summary="The license, fingerprint.json and this machine's fingerprint agree.",
    params_schema=PARAMS_SCHEMA,
    parse=parse,
    run=run,
)
