"""The run context handed to every check kind: options, variables and a memo for shared work.

Domains (deployment, trust, papertrade, exchange) expose their own accessor functions that memoise
expensive work on the context, e.g. ``papertrade.provider.session_for(ctx)`` runs the paper session once
and shares it among the ``paper.``/``guardrails.``/``report.``/``smoke.`` checks. The context itself
knows none of them, so adding a domain never changes this module.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

if TYPE_CHECKING:
    from preflight.results import PaperSource

T = TypeVar("T")


@dataclass(frozen=True)
class RunOptions:
    """What the operator asked for on the command line."""

    root: Path
    entrypoint: str
    offline: bool = False
    no_paper: bool = False
    exchange_url: str | None = None
    debug: bool = False
    progress: bool = False  # show a progress bar for long work (TTY only)
    paper_ticks: int | None = None
    paper_seed: int = 7
    paper_faults: str | None = None
    deployment_format: str | None = None  # None = detect from the files (preflight.deployment.formats)
    variables: Mapping[str, str] = field(default_factory=dict)  # --var/--vars: runbook variable overrides
    # The bot's own paper run to judge instead of the embedded session (preflight.evidence).
    evidence: Path | None = None
    metrics_url: str | None = field(default=None, repr=False)  # may carry a token: never in a repr
    metrics_file: Path | None = None
    probe_deadline_s: float = 30.0  # overall bound of one exchange probe (key probe, clock read)
    session_deadline_s: float = 600.0  # overall bound of the paper session's ticks
    artefacts_dir: Path | None = None  # where the run writes its artefacts (None: the root; read-only roots)
    # Environment variables visible to the run; may hold a passphrase, so never shown in a repr.
    env: Mapping[str, str] = field(default_factory=dict, repr=False)
    # Where long work inside one check (the paper session) reports (label, done, total), so the CLI's
    # progress display keeps moving while that check runs; None: the work shows its own bar if asked.
    on_progress: Callable[[str, int, int], None] | None = field(default=None, repr=False, compare=False)

    @property
    def bot_evidence(self) -> bool:
        """Say whether the paper checks judge the bot's own run rather than the embedded session."""
        return bool(self.evidence or self.metrics_url or self.metrics_file)


class _Failure:
    """A memoised exception, re-raised to every later caller."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


class RunContext:
    """Options, runbook variables and memoised shared work for one run."""

    def __init__(self, options: RunOptions, variables: Mapping[str, str]) -> None:
        self.options = options
        self.variables = dict(variables)
        self._memo: dict[str, object] = {}
        self._lock = threading.RLock()
        # What domains record for the report: artefacts written, what was simulated, input files
        # (digested into the sign-off), and the paper session's paper_exchange_metrics.
        self.artefacts: dict[str, str] = {}
        self.simulated: list[str] = []
        self.inputs: set[str] = set()
        self.paper_metrics: Mapping[str, object] | None = None
        # The check being evaluated (set by the engine) and, per shared cause, the first check that
        # reported it: later checks meeting the same cause point to it instead of repeating it.
        self.current_check: str | None = None
        self._cause_owners: dict[str, str] = {}
        self.paper_source: PaperSource | None = None  # set with paper_metrics: which evidence it is
        self.failed_checks: set[str] = set()  # checks that failed or errored so far (set by the engine)

    @property
    def root(self) -> Path:
        """Return the deployment root."""
        return self.options.root

    def path(self, relative: str) -> Path:
        """Return ``relative`` resolved under the deployment root."""
        return self.options.root / relative

    def memo(self, key: str, factory: Callable[[], T]) -> T:
        """Compute ``factory()`` once per run; a raised error is remembered and re-raised too."""
        with self._lock:
            if key not in self._memo:
                try:
                    self._memo[key] = factory()
                except Exception as error:  # remembered so every dependent check reports the same cause
                    self._memo[key] = _Failure(error)
            value = self._memo[key]
        if isinstance(value, _Failure):
            raise value.error
        return cast(T, value)

    def memoised(self, key: str) -> bool:
        """Say whether ``key`` was computed (or failed) already in this run."""
        with self._lock:
            return key in self._memo

    def record_artefact(self, name: str, path: Path) -> None:
        """Remember a file the run wrote (shown in reports and the sign-off)."""
        self.artefacts[name] = str(path)

    def record_simulated(self, line: str) -> None:
        """Remember one thing that was simulated rather than real (the sign-off banner)."""
        if line not in self.simulated:
            self.simulated.append(line)

    def first_to_report(self, cause: str) -> str | None:
        """Return the check that already reported ``cause``; None (and claim it) if this check is first."""
        with self._lock:
            owner = self._cause_owners.setdefault(cause, self.current_check or "")
        return None if owner in ("", self.current_check) else owner

    def record_input(self, path: Path) -> None:
        """Remember an input file whose digest belongs in the sign-off."""
        self.inputs.add(str(path))

    def template(self, text: str) -> str:
        """Substitute ``{variable}`` placeholders; unknown names are left as they are."""
        result = text
        for name, value in self.variables.items():
            result = result.replace("{" + name + "}", value)
        return result
