"""Check outcomes and the run report: the values every reporter renders."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from preflight.errors import Location


class Status(StrEnum):
    """The status of one check."""

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    SKIP = "skip"
    ERROR = "error"
    WAIVED = "waived"


class Severity(StrEnum):
    """How much a failing check matters."""

    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"
    INFO = "info"


class Verdict(StrEnum):
    """The answer of a run, the same word in every output (terminal, files, sign-off, exit code)."""

    GO = "GO"  # every required check ran against the real thing and passed
    GO_WITH_EXCEPTIONS = "GO WITH EXCEPTIONS"  # nothing failed, but something was not proven for real
    NO_GO = "NO-GO"


class FailOn(StrEnum):
    """The gate policy: ``fail`` and ``warn`` name the lowest status that means NO-GO.

    ``exceptions`` is ``warn`` plus a distinct exit code (EXIT_EXCEPTIONS) for GO WITH EXCEPTIONS, so a
    pipeline can stop for a human to accept the exceptions without calling the run a failure.
    """

    FAIL = "fail"
    WARN = "warn"
    EXCEPTIONS = "exceptions"


class ExceptionKind(StrEnum):
    """Why a required check does not count as proven against the real thing."""

    SIMULATED = "simulated"  # it passed, but against a stand-in (the embedded exchange simulator)
    OFFLINE = "offline"  # skipped because of --offline
    SKIPPED = "skipped"
    WAIVED = "waived"
    WARNED = "warned"  # a warning under --fail-on fail: not a pass
    NOT_SELECTED = "not selected"  # left out by --only/--skip


@dataclass(frozen=True)
class RunException:
    """One thing a GO WITH EXCEPTIONS accepts: a required check not proven against the real thing."""

    kind: ExceptionKind
    reason: str
    check_id: str | None = None  # None for run-level exceptions (checks not selected)
    count: int = 1  # how many checks it stands for (a run-level exception covers several)

    def __str__(self) -> str:
        subject = f"{self.check_id} " if self.check_id else ""
        return f"{subject}{self.kind.value}: {self.reason}"


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence: what was looked at, the value found, and where."""

    label: str
    value: str
    location: Location | None = None

    def __str__(self) -> str:
        where = f" ({self.location})" if self.location else ""
        return f"{self.label}: {self.value}{where}"


@dataclass(frozen=True)
class Outcome:
    """What a check kind returns: a status, one sentence, and the evidence behind it."""

    status: Status
    message: str
    evidence: tuple[Evidence, ...] = ()
    # The id of the check that carries the root cause when this check could not be judged because of
    # it (a broken file part, an unopenable secrets store): reporters name the root cause once.
    blocked_by: str | None = None
    # What stood in for the real thing when this outcome was decided (e.g. "answered by the embedded
    # simulator, not the exchange"); None when the check read the real thing. Set by the kind, which is
    # the only place that knows what it talked to.
    simulated: str | None = None
    offline: bool = False  # skipped because --offline forbade the network it needs
    # The fix when the cause is not what the check is about (a wrong passphrase, not a key permission);
    # None keeps the check's own remediation.
    remediation: str | None = None

    @classmethod
    def passed(cls, message: str, *evidence: Evidence) -> Outcome:
        """Build a passing outcome."""
        return cls(Status.PASS, message, evidence)

    @classmethod
    def failed(cls, message: str, *evidence: Evidence) -> Outcome:
        """Build a failing outcome."""
        return cls(Status.FAIL, message, evidence)

    @classmethod
    def warned(cls, message: str, *evidence: Evidence) -> Outcome:
        """Build a warning outcome."""
        return cls(Status.WARN, message, evidence)

    @classmethod
    def skipped(cls, message: str, *evidence: Evidence) -> Outcome:
        """Build a skipped outcome; the message says why."""
        return cls(Status.SKIP, message, evidence)

    @classmethod
    def skipped_offline(cls, message: str, *evidence: Evidence) -> Outcome:
        """Build the outcome of a check that needs the network under ``--offline``."""
        return cls(Status.SKIP, message, evidence, offline=True)

    @classmethod
    def errored(cls, message: str, *evidence: Evidence) -> Outcome:
        """Build an error outcome (the check could not be evaluated)."""
        return cls(Status.ERROR, message, evidence)


@dataclass(frozen=True)
class WaiverApplied:
    """A waiver that turned a failing check into ``waived``."""

    justification: str
    approver: str
    expires: datetime


@dataclass(frozen=True)
class CheckResult:
    """One evaluated check, with the runbook metadata reporters need."""

    check_id: str
    title: str
    section_id: str
    item_id: str
    kind: str
    severity: Severity
    tags: tuple[str, ...]
    status: Status
    message: str
    evidence: tuple[Evidence, ...]
    remediation: str
    duration_s: float
    waiver: WaiverApplied | None = None
    notes: tuple[str, ...] = ()
    original_status: Status | None = None  # the status before a waiver applied
    blocked_by: str | None = None  # see Outcome.blocked_by
    simulated: str | None = None  # see Outcome.simulated
    offline: bool = False  # see Outcome.offline

    @property
    def required(self) -> bool:
        """Say whether the verdict depends on this check (every severity but ``info``)."""
        return self.severity is not Severity.INFO

    @property
    def group(self) -> str:
        """Return the id's group prefix (``runtime``, ``paper``, ...)."""
        return self.check_id.split(".", 1)[0]


@dataclass(frozen=True)
class ItemInfo:
    """A runbook item (a step or a checklist line) as reporters show it."""

    id: str
    text: str
    check_ids: tuple[str, ...]


@dataclass(frozen=True)
class SectionInfo:
    """A runbook section as reporters show it."""

    id: str
    title: str
    kind: str  # "steps" | "checklist"
    items: tuple[ItemInfo, ...]


@dataclass(frozen=True)
class InputDigest:
    """The SHA-256 digest of one input file of the run."""

    path: str
    sha256: str


@dataclass(frozen=True)
class PaperSource:
    """Where the paper evidence of a run came from: the bot's own run or the embedded session."""

    origin: str  # "bot" | "embedded"
    description: str  # what was read, e.g. "run_local_bot report (bad092ec's rich block with summary)"
    files: tuple[InputDigest, ...]  # every file or URL read, with its SHA-256 digest
    session: str  # the session's time, as the evidence states it
    chosen: str = ""  # why this session (the newest of a folder's reports of the entrypoint, ...)

    def headline(self) -> str:
        """Return the one line reports put in their header."""
        who = "the bot's own paper run" if self.origin == "bot" else "the embedded paper session"
        files = "; ".join(f"{f.path} (sha256 {f.sha256[:16]})" for f in self.files) or "no file"
        chosen = f"; {self.chosen}" if self.chosen else ""
        return f"Paper evidence: {who} — {self.description}: {files}; session {self.session}{chosen}"


@dataclass(frozen=True)
class RunReport:
    """Everything one run found: the reporters' and the sign-off's single input."""

    tool_version: str
    runbook_id: str
    runbook_title: str
    exchange: str
    entrypoint: str
    root: str
    started_at: datetime
    finished_at: datetime
    fail_on: FailOn
    sections: tuple[SectionInfo, ...]
    results: tuple[CheckResult, ...]
    verdict: Verdict
    incomplete: bool = False
    simulated: tuple[str, ...] = ()  # what was simulated (banner lines)
    artefacts: Mapping[str, str] = field(default_factory=dict)  # name -> path (paper report, logs, ...)
    inputs: tuple[InputDigest, ...] = ()
    paper_metrics: Mapping[str, object] | None = None  # the session's paper_exchange_metrics, if it ran
    notes: tuple[str, ...] = ()  # run-level notices (expired waivers, skipped groups)
    deployment_format: str | None = None  # "format bot_core (core.path in ...)": which dialect, and why
    variables: Mapping[str, str] = field(default_factory=dict)  # the runbook variables in effect
    require_real: bool = False  # --require-real: every exception is NO-GO
    not_selected: tuple[str, ...] = ()  # required checks of the runbook that --only/--skip left out

    @property
    def exceptions(self) -> tuple[RunException, ...]:
        """Return what this run did not prove against the real thing (empty for a plain GO)."""
        return exceptions_for(self.results, self.fail_on, self.not_selected)

    paper_source: PaperSource | None = None  # where paper_metrics came from (None: no paper evidence)

    def counts(self) -> dict[Status, int]:
        """Count results per status (every status present, zero when none)."""
        counts = {status: 0 for status in Status}
        for result in self.results:
            counts[result.status] += 1
        return counts


def _exception(result: CheckResult, fail_on: FailOn) -> RunException | None:
    if not result.required:
        return None
    if result.status is Status.SKIP:
        kind = ExceptionKind.OFFLINE if result.offline else ExceptionKind.SKIPPED
        return RunException(kind, result.message, result.check_id)
    if result.status is Status.WAIVED:
        why = result.waiver.justification if result.waiver else result.message
        return RunException(ExceptionKind.WAIVED, why, result.check_id)
    if result.status is Status.WARN and fail_on is FailOn.FAIL:
        return RunException(ExceptionKind.WARNED, result.message, result.check_id)
    if result.simulated and result.status in (Status.PASS, Status.WARN):
        return RunException(ExceptionKind.SIMULATED, result.simulated, result.check_id)
    return None


def exceptions_for(
    results: tuple[CheckResult, ...], fail_on: FailOn = FailOn.FAIL, not_selected: tuple[str, ...] = ()
) -> tuple[RunException, ...]:
    """Return the exceptions of a run: required checks simulated, skipped, offline, waived or warned."""
    found = [e for e in (_exception(r, fail_on) for r in results) if e is not None]
    if not_selected:
        shown = ", ".join(not_selected[:5]) + (", ..." if len(not_selected) > 5 else "")
        found.append(
            RunException(
                ExceptionKind.NOT_SELECTED,
                f"{len(not_selected)} required check{'s' if len(not_selected) != 1 else ''} not evaluated "
                f"(--only/--skip): {shown}",
                count=len(not_selected),
            )
        )
    return tuple(found)


def exception_summary(exceptions: tuple[RunException, ...]) -> str:
    """Return ``6 simulated, 3 skipped`` (the counts per kind, in ExceptionKind order)."""
    counts = {kind: 0 for kind in ExceptionKind}
    for exception in exceptions:
        counts[exception.kind] += exception.count
    return ", ".join(f"{n} {kind.value}" for kind, n in counts.items() if n)


def verdict_for(
    results: tuple[CheckResult, ...],
    fail_on: FailOn,
    *,
    require_real: bool = False,
    incomplete: bool = False,
    not_selected: tuple[str, ...] = (),
) -> Verdict:
    """Return the run's verdict: the one rule every output and the exit code follow.

    NO-GO when a result is at or above ``fail_on`` (fail/error; warn too unless ``fail``), or the run
    was interrupted; GO WITH EXCEPTIONS when a required check is an exception (simulated, skipped,
    offline, waived, warned, not selected), NO-GO instead under ``require_real``; otherwise GO.
    """
    bad = {Status.FAIL, Status.ERROR}
    if fail_on is not FailOn.FAIL:
        bad.add(Status.WARN)
    if incomplete or any(r.status in bad for r in results):
        return Verdict.NO_GO
    if exceptions_for(results, fail_on, not_selected):
        return Verdict.NO_GO if require_real else Verdict.GO_WITH_EXCEPTIONS
    return Verdict.GO
