"""Compare bot_core's declared licensing policy (runtime.yaml) with the enforced one (core.yaml) and both
with the runbook's license profile and issuer; every disagreement names both file:line locations."""

from __future__ import annotations

from dataclasses import dataclass

from preflight.context import RunContext
from preflight.errors import InputError, Location
from preflight.results import Evidence, Outcome
from preflight.trust.bot_core import access
from preflight.trust.bot_core.policy import (
    DECLARED_FILE,
    ENFORCED_FILE,
    ENFORCEMENT_RULE,
    FIELDS,
    LicensingPolicy,
    PolicyValue,
    Setting,
)


@dataclass(frozen=True)
class Disagreement:
    """One field on which two sources differ."""

    field: str
    left_label: str
    left: Setting
    right_label: str
    right: Setting

    def describe(self) -> str:
        """Say the disagreement in one phrase with both locations."""
        where_left = self.left.location or "not set"
        where_right = self.right.location or "not set"
        return (
            f"{self.field}: {self.left_label} {self.left.shown()} ({where_left}) vs "
            f"{self.right_label} {self.right.shown()} ({where_right})"
        )

    def evidence(self) -> tuple[Evidence, Evidence]:
        """Return the two sides as evidence."""
        return (
            Evidence(f"{self.left_label} {self.field}", self.left.shown(), self.left.location),
            Evidence(f"{self.right_label} {self.field}", self.right.shown(), self.right.location),
        )


def _comparable(name: str, value: PolicyValue) -> object:
    if name.startswith("allowed_") and isinstance(value, tuple):
        return frozenset(v.lower() if name != "allowed_schema_versions" else v for v in value)
    return value


def policy_disagreements(declared: LicensingPolicy, enforced: LicensingPolicy) -> list[Disagreement]:
    """Return every field the declared policy sets to something the enforced policy does not apply."""
    found = []
    for field in FIELDS:
        mine = declared.get(field.name)
        if mine.location is None:
            continue  # declared leaves it open: nothing to contradict
        theirs = enforced.get(field.name)
        if _comparable(field.name, mine.value) != _comparable(field.name, theirs.value):
            found.append(Disagreement(field.name, "declared", mine, "enforced", theirs))
    return found


def runbook_disagreements(
    policy: LicensingPolicy, label: str, profile: str, issuer: str
) -> list[Disagreement]:
    """Return where ``policy``'s allowlists exclude the runbook's profile or issuer."""
    found = []
    for field, wanted in (("allowed_profiles", profile), ("allowed_issuers", issuer)):
        allowed = policy.allowed(field)
        if wanted and allowed and wanted.lower() not in allowed:
            runbook = Setting((wanted,), Location("the runbook (core.license_policy params)"))
            found.append(Disagreement(field, "runbook", runbook, label, policy.get(field)))
    return found


def check_policy(ctx: RunContext, profile: str, issuer: str) -> Outcome:
    """Fail on any disagreement between declared, enforced and the runbook's profile/issuer."""
    try:
        declared, enforced = access.declared_policy(ctx), access.enforced_policy(ctx)
    except InputError as error:
        return access.failure(ctx, error)
    applied = (
        "applied"
        if enforced.enforced
        else "NOT applied: " + ", ".join(enforced.missing_key_paths()) + " unset"
    )
    rule = Evidence("enforcement", f"{ENFORCEMENT_RULE}; here: {applied}", enforced.block)
    if enforced.block is None:
        return Outcome.failed(
            f"{ENFORCED_FILE} has no `license` block: bot_core enforces no licensing policy, whatever "
            f"{DECLARED_FILE} declares; add the block",
            rule,
        )
    found = policy_disagreements(declared, enforced) if declared.block is not None else []
    found += runbook_disagreements(enforced, "enforced", profile, issuer)
    if declared.block is not None:
        found += runbook_disagreements(declared, "declared", profile, issuer)
    if found:
        return Outcome.failed(
            f"the licensing policies disagree ({len(found)}): "
            + "; ".join(d.describe() for d in found)
            + f"; bot_core applies only {ENFORCED_FILE} `license` — make both files and the runbook "
            "say the same",
            *(e for d in found for e in d.evidence()),
            rule,
        )
    declared_note = (
        "" if declared.block is not None else f" ({DECLARED_FILE} declares no licensing.license block)"
    )
    return Outcome.passed(
        f"the declared and enforced licensing policies agree and allow profile {profile} and issuer "
        f"{issuer}{declared_note}",
        rule,
    )
