"""Kind ``adapter_signing``: our signer reproduces Bybit's published vectors, and a signed round trip
(GET and POST, HMAC and RSA) through the real adapter is accepted by an in-process simulator."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from preflight.context import RunContext
from preflight.kinds.base import CheckKind
from preflight.results import Evidence, Outcome

PARAMS_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "round_trip": {
            "type": "boolean",
            "default": True,
            "description": "Also send signed requests through the adapter to an in-process simulator.",
        },
    },
}


@dataclass(frozen=True)
class SigningParams:
    """Whether to make the round trip as well as recomputing the vectors."""

    round_trip: bool = True


def parse(params: Mapping[str, Any]) -> SigningParams:
    """Build the params value."""
    return SigningParams(round_trip=bool(params.get("round_trip", True)))


def run(params: SigningParams, ctx: RunContext) -> Outcome:
    """Recompute the vectors; then sign a GET and a POST with HMAC and RSA and send them to the simulator."""
    from preflight.exchange.bybit.scenarios import check_vectors, signing_scenario

    if params.round_trip:
        report = signing_scenario()
        vectors, trips = report.vectors, report.round_trips
        ctx.record_simulated("adapter.signing: signed round trip against the in-process Bybit simulator")
    else:
        vectors, trips = check_vectors(), ()
    bad = [v.name for v in vectors if not v.ok]
    evidence = [
        Evidence(
            "known-answer vectors",
            f"{len(vectors) - len(bad)}/{len(vectors)} match "
            f"({', '.join(v.name for v in vectors)}; shared/reference/bybit_v5.md 1.5)",
        )
    ]
    rejected = []
    for trip in trips:
        evidence.append(
            Evidence(
                f"{trip.method} round trip",
                f"GET /v5/account/wallet-balance retCode {trip.get_code}, signature "
                f"{'matches' if trip.get_matches_vector else 'DIFFERS'}; POST /v5/order/create retCode "
                f"{trip.post_code}, signature {'matches' if trip.post_matches_vector else 'DIFFERS'}",
            )
        )
        if not (
            trip.get_code == 0
            and trip.post_code == 0
            and trip.get_matches_vector
            and trip.post_matches_vector
        ):
            rejected.append(trip.method)
    if bad:
        return Outcome.failed(
            f"the signer does not reproduce vector(s) {', '.join(bad)}; fix preflight/exchange/bybit/auth.py",
            *evidence,
        )
    if rejected:
        return Outcome.failed(
            f"signed {' and '.join(rejected)} requests were not accepted or did not carry the expected "
            "signature; the adapter must sign the exact bytes it sends",
            *evidence,
        )
    what = "and HMAC/RSA GET and POST round trips were accepted" if trips else "(round trip disabled)"
    return Outcome.passed(f"all {len(vectors)} signing vectors match {what}", *evidence)


KIND: CheckKind[SigningParams] = CheckKind(
    name="adapter_signing",
    summary="Signing known-answer vectors plus a signed round trip accepted by the simulator.",
    params_schema=PARAMS_SCHEMA,
    parse=parse,
    run=run,
)
