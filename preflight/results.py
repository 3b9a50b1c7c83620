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
    """The answer of a run."""

    GO = "GO"
    NO_GO = "NO-GO"


class FailOn(StrEnum):
    """The lowest status that turns the verdict to NO-GO."""

    FAIL = "fail"
    WARN = "warn"


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
    paper_source: PaperSource | None = None  # where paper_metrics came from (None: no paper evidence)

    def counts(self) -> dict[Status, int]:
        """Count results per status (every status present, zero when none)."""
        counts = {status: 0 for status in Status}
        for result in self.results:
            counts[result.status] += 1
        return counts


def verdict_for(results: tuple[CheckResult, ...], fail_on: FailOn) -> Verdict:
    """Return NO-GO when any result is at or above ``fail_on`` (fail/error, plus warn when strict)."""
    bad = {Status.FAIL, Status.ERROR}
    if fail_on is FailOn.WARN:
        bad.add(Status.WARN)
    return Verdict.NO_GO if any(r.status in bad for r in results) else Verdict.GO
