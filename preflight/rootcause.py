"""One root cause, reported once: the first check that meets a shared failure states it, the others point.

A wrong passphrase stops every check that reads the secrets store; an unknown key stops every aspect of
the key probe. Each of those checks gets the same exception from the run's memo. Reported naively, that
is eight failures each advising its own, irrelevant fix ("enable spot trading for the key"). Here the
first check to meet the cause reports it with the fix that applies, and every later one is a short
``blocked by <check>`` with ``blocked_by`` set, which reporters fold under the root cause.
"""

from __future__ import annotations

from preflight.context import RunContext
from preflight.errors import InputError, PreflightError
from preflight.results import Evidence, Outcome, Status


def failed_because(
    ctx: RunContext,
    error: PreflightError,
    *,
    fix: str | None = None,
    lead: str = "",
    status: Status = Status.FAIL,
    evidence: tuple[Evidence, ...] = (),
) -> Outcome:
    """Return the outcome of a check stopped by ``error``: the full finding once, then pointers to it.

    ``lead`` prefixes the message (``the paper session could not run: ``); ``fix`` replaces the check's
    own remediation for the first report (an InputError without one shows none: its sentence says what to
    do), ``evidence`` goes with it. A config file's own error is owned by its schema check.
    """
    from preflight.deployment.documents import blocked_by

    located = blocked_by(error)
    if located is not None:
        return located
    cause = f"{type(error).__name__}: {error}"
    owner = ctx.first_to_report(cause)
    if owner is None:
        if fix is None and isinstance(error, InputError):
            # An unusable input's sentence says what to do; the check's own fix is for another failure.
            fix = ""
        return Outcome(status, f"{lead}{error}", evidence, remediation=fix)
    return blocked_by_check(owner, f"{lead}{error}", status)


def blocked_by_check(owner: str, problem: str, status: Status = Status.FAIL) -> Outcome:
    """Return the outcome of a check that cannot be judged because check ``owner`` reports ``problem``."""
    return Outcome(
        status, f"blocked by {owner}: {problem}", (Evidence("blocked by", owner),), blocked_by=owner
    )
