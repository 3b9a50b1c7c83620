"""The run's paper session: run once per ``preflight run`` and shared by every check that reads it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from preflight.context import RunContext
from preflight.deployment.model import Mode
from preflight.errors import PreflightError
from preflight.fsutil import shown_path
from preflight.results import Evidence, Outcome, Status

if TYPE_CHECKING:
    from pathlib import Path

    from preflight.papertrade.artefacts import PaperSessionResult
    from preflight.papertrade.paperreport import PaperReport
    from preflight.results import PaperSource

MEMO_KEY = "papertrade.session"


# Step 4 asks for the bot's own paper run. On a bot_core deployment preflight's stand-in session would run
# none of the bot's strategies, adapter or guardrails (bot_core's are fractions of equity): a verdict from
# it would claim what was never checked, so the paper checks skip, saying what to pass instead.
BOT_CORE_NEEDS_EVIDENCE = (
    "a bot_core deployment's step 4 is judged on the bot's own paper run: pass --evidence (run_local_bot's "
    "report, or the folder holding its reports and logs), --metrics-file or --metrics-url; preflight's "
    "embedded session would run none of the bot's strategies, adapter or guardrails"
)


def unavailable_reason(ctx: RunContext) -> str | None:
    """Return why the paper checks skip in this run, or None when the session (or evidence) can be judged."""
    if ctx.options.no_paper:
        return "--no-paper: the paper session was not run"
    if ctx.options.offline and ctx.options.exchange_url and not ctx.options.bot_evidence:
        return f"--offline: the paper session would talk to {ctx.options.exchange_url}"
    from preflight.deployment import deployment_for
    from preflight.deployment.formats import FormatName, format_for

    if not ctx.options.bot_evidence and format_for(ctx).name is FormatName.BOT_CORE:
        return BOT_CORE_NEEDS_EVIDENCE
    try:
        deployment = deployment_for(ctx)
    except PreflightError:
        return None  # let the session report the broken deployment as an error
    environment = deployment.environment_of(ctx.options.entrypoint)
    if environment is not None and environment.mode is not Mode.PAPER:
        return (
            f"entrypoint {ctx.options.entrypoint} runs in {environment.mode.value} mode; "
            "the paper session runs for paper entrypoints"
        )
    return None


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """Show a rich progress bar on stderr when asked (the CLI asks only on a TTY)."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(
        TextColumn("paper session"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console,
        transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task("ticks", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


def _run(ctx: RunContext) -> PaperSessionResult:
    from preflight.deployment import deployment_for
    from preflight.deployment.artefacts import artefacts_root
    from preflight.papertrade.plan import SessionOptions
    from preflight.papertrade.session import run_paper_session
    from preflight.trust.secrets import keychain_for

    options = ctx.options
    session_options = SessionOptions(
        entrypoint=options.entrypoint,
        ticks=options.paper_ticks,
        seed=options.paper_seed,
        faults=options.paper_faults,
        exchange_url=options.exchange_url,
        deadline_s=options.session_deadline_s,
    )
    deployment = deployment_for(ctx)
    sink = options.on_progress
    if sink is not None:  # the run's own progress display shows the session's ticks

        def ticks(done: int, total: int) -> None:
            sink("paper session", done, total)

        result = run_paper_session(
            deployment,
            lambda: keychain_for(ctx),
            session_options,
            root=artefacts_root(ctx),  # --artefacts-dir or preflight.artefacts_dir: a read-only root too
            progress=ticks,
        )
    else:
        with progress_bar(options.progress) as progress:
            result = run_paper_session(
                deployment,
                lambda: keychain_for(ctx),
                session_options,
                root=artefacts_root(ctx),
                progress=progress,
            )
    for name, path in result.artefacts().items():
        ctx.record_artefact(name, path)
    ctx.paper_metrics = result.paper.metrics.to_json()
    ctx.paper_source = _embedded_source(ctx, result)
    report = result.report
    if report.get("simulated"):
        ctx.record_simulated(
            f"paper session against the embedded Bybit simulator on 127.0.0.1 (seed {report.get('seed')}, "
            f"{report.get('ticks')} ticks of {report.get('interval_seconds')} s simulated time"
            + (f", faults {report.get('faults')}" if report.get("faults") else "")
            + ")"
        )
    return result


def _embedded_source(ctx: RunContext, result: PaperSessionResult) -> PaperSource:
    import hashlib

    from preflight.results import InputDigest, PaperSource

    digest = hashlib.sha256(result.paper.to_text().encode("utf-8")).hexdigest()
    endpoint = result.report.get("endpoint")
    return PaperSource(
        origin="embedded",
        description=f"preflight's own paper session ({endpoint})",
        files=(InputDigest(shown_path(result.report_path, ctx.root), digest),),
        session=f"{result.paper.started_at} → {result.paper.finished_at}",
    )


def session_for(ctx: RunContext) -> PaperSessionResult:
    """Run the paper session once for this run (memoised; a failure is remembered and re-raised)."""
    return ctx.memo(MEMO_KEY, lambda: _run(ctx))


def session_or_outcome(ctx: RunContext) -> PaperSessionResult | Outcome:
    """Return the session, or the skip/error outcome every paper-reading check reports instead."""
    from preflight.errors import UsageError
    from preflight.papertrade.endpoint_guard import UnsafeEndpointError
    from preflight.papertrade.plan import SessionRefused
    from preflight.rootcause import blocked_by_check, failed_because

    reason = unavailable_reason(ctx)
    if reason is not None:
        if ctx.options.offline and reason.startswith("--offline"):
            return Outcome.skipped_offline(reason)
        return Outcome.skipped(reason)
    try:
        return session_for(ctx)
    except UnsafeEndpointError as error:
        # Not verified, and the root cause is another check's failure: say which, once.
        return blocked_by_check(error.check_id, str(error))
    except PreflightError as error:
        lead = "the paper session could not run: "
        owner = error.owner if isinstance(error, SessionRefused) else None
        if owner is not None and owner in ctx.failed_checks:
            # The static check already reported this defect, with its file:line and fix: point at it.
            return blocked_by_check(owner, f"{lead}{error}")
        fix = SESSION_REFUSED_FIX if isinstance(error, UsageError) else None
        return failed_because(ctx, error, lead=lead, fix=fix, status=Status.ERROR)


# The paper checks' own fixes read a session report that was never written; this is what applies instead.
SESSION_REFUSED_FIX = (
    "Fix what stops the session (above), or judge the bot's own paper run with --evidence, "
    "--metrics-file or --metrics-url."
)


def session_file_or_outcome(
    ctx: RunContext, pick: Callable[[PaperSessionResult], Path], what: str, label: str
) -> tuple[Path, str] | Outcome:
    """Return the session artefact ``pick`` names and how to show it, or the outcome to report instead:
    the session's skip/error, or a failure saying the ``what`` file (evidence ``label``) is missing."""
    session = session_or_outcome(ctx)
    if isinstance(session, Outcome):
        return session
    path = pick(session)
    shown = shown_path(path, ctx.root)
    if not path.is_file():
        return Outcome.failed(f"the {what} {shown} is missing", Evidence(label, shown))
    return path, shown


def report_evidence(ctx: RunContext, result: PaperSessionResult) -> Evidence:
    """Return the evidence line naming the session report file."""
    return Evidence("session report", shown_path(result.report_path, ctx.root))


@dataclass(frozen=True)
class PaperDocument:
    """The paper report a check judges, the evidence line naming it, and notes explaining surprises."""

    paper: PaperReport
    where: Evidence
    notes: tuple[str, ...] = ()


def paper_document_or_outcome(ctx: RunContext) -> PaperDocument | Outcome:
    """Return the report the paper checks judge: the bot's own run with evidence, else the session's."""
    if not ctx.options.bot_evidence:
        session = session_or_outcome(ctx)
        if isinstance(session, Outcome):
            return session
        return PaperDocument(session.paper, report_evidence(ctx, session))
    from preflight.evidence.checks import evidence_or_outcome

    reason = unavailable_reason(ctx)
    if reason is not None:
        return Outcome.skipped(reason)
    evidence = evidence_or_outcome(ctx)
    if isinstance(evidence, Outcome):
        return evidence
    where = Evidence("bot evidence", evidence.report_name())
    if evidence.problem is not None or evidence.paper is None:
        return Outcome.failed(evidence.problem or "the bot's evidence holds no paper metrics", where)
    return PaperDocument(evidence.paper, where, evidence.notes)
