"""The bot's evidence for one run, read once and shared by the paper./guardrails./report./smoke. checks.

Sources, by precedence for ``paper_exchange_metrics``: the bot's Prometheus series (``--metrics-file`` /
``--metrics-url``: every field is computed from them), else the report's own block (``--evidence``). The
report still gives the session's status, time, warnings and errors, and leads to its exports and log.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from preflight.context import RunContext
from preflight.errors import UsageError
from preflight.evidence.botreport import BotReport, Shape, read_bot_report
from preflight.evidence.collector import Collected, bot_monitored, from_report, from_series
from preflight.evidence.files import EvidenceFile, read_evidence
from preflight.evidence.folder import choose_report, locate, nearest_stamped, search_bases
from preflight.evidence.prometheus import Exposition, read_metrics_file, scrape
from preflight.fsutil import shown_path
from preflight.papertrade.paperreport import PaperReport
from preflight.results import InputDigest, PaperSource

MEMO_KEY = "evidence.bot"


@dataclass(frozen=True)
class BotEvidence:
    """Everything read of the bot's run; ``problem`` says why its paper run cannot be judged at all."""

    report: BotReport | None
    chosen: str
    exposition: Exposition | None
    export: EvidenceFile | None
    guardrail_export: EvidenceFile | None
    events_log: EvidenceFile | None
    events_log_looked: tuple[str, ...]  # where events.log was looked for
    paper: PaperReport | None
    problem: str | None
    notes: tuple[str, ...]
    root: Path

    def shown(self, file: EvidenceFile) -> str:
        """Return how reports show ``file`` (relative to the deployment root when under it)."""
        return shown_path(file.path, self.root)

    def report_name(self) -> str:
        """Return how outcomes name the report (or the exposition when there is no report)."""
        if self.report is not None:
            return self.shown(self.report.file)
        return self.exposition.source if self.exposition else "no evidence"


def _problem(report: BotReport, entrypoint: str) -> str | None:
    name = report.file.name
    if report.entrypoint not in (None, entrypoint):
        return f"{name} is a run of {report.entrypoint}, not of {entrypoint}; pass a report of {entrypoint}"
    if report.interrupted:
        absent = ", ".join(report.absent_keys)
        return (
            f"{name} claims status success but lacks {absent}, which a finished run writes: the run was "
            "interrupted before it finished; run it to the end and judge the new report"
        )
    if report.status != "success":
        first = f": {report.errors[0][:200]}" if report.errors else ""
        return f"the bot's run {name} ended with status {report.status!r}{first}; its paper run never traded"
    if report.mode not in (None, "paper"):
        return f"{name} is a {report.mode}-mode run; step 4 judges a --mode paper run of {entrypoint}"
    return None


def _exports(report: BotReport, folder: Path | None) -> tuple[Path | None, Path | None]:
    bases = search_bases(report.file.path, folder)
    search_in = folder or report.file.path.parent
    export = locate(report.report_markdown, bases, search_in)
    if export is None and report.finished_at is not None:  # bot_core names it by finished_at
        name = f"demo_paper_{report.mode or 'paper'}_{report.finished_at.strftime('%Y%m%dT%H%M%S')}.md"
        export = locate(f"reports/e2e/{name}", bases, search_in)
    guardrails = locate(report.guardrails_markdown, bases, search_in) or nearest_stamped(
        search_in, "guardrails_*.md", report.finished_at
    )
    return export, guardrails


def _events_log(
    report: BotReport, folder: Path | None, configured: str | None
) -> tuple[Path | None, tuple[str, ...]]:
    """Find ``events.log``: the report's log_directory, else the deployment's, below the bot's root."""
    bases = search_bases(report.file.path, folder)
    candidates: list[Path] = []
    for directory in dict.fromkeys(d for d in (report.log_directory, configured) if d):
        if Path(directory).is_absolute():
            candidates.append(Path(directory) / "events.log")
        else:
            candidates += [base / directory / "events.log" for base in bases]
    found = next((path for path in candidates if path.is_file()), None)
    if found is None and report.log_directory and folder is not None:
        # a copied folder: the recorded folder's last part (e.g. guardrails) below the evidence folder
        found = locate(str(Path(Path(report.log_directory).name) / "events.log"), (), folder)
    return found, tuple(str(path) for path in candidates)


def _read_report(ctx: RunContext) -> tuple[BotReport | None, str, Path | None]:
    path = ctx.options.evidence
    if path is None:
        return None, "", None
    if path.is_dir():
        choice = choose_report(path, ctx.options.entrypoint)
        return read_bot_report(choice.path), choice.reason, path
    if path.is_file():
        return read_bot_report(path), "the report given with --evidence", None
    raise UsageError(f"--evidence {path}: no such file or folder; pass a run_local_bot report or its folder")


def _exposition(ctx: RunContext) -> Exposition | None:
    options = ctx.options
    if options.metrics_file is not None and options.metrics_url is not None:
        raise UsageError("give one of --metrics-file and --metrics-url, not both")
    if options.metrics_file is not None:
        if not options.metrics_file.is_file():
            raise UsageError(f"--metrics-file {options.metrics_file}: no such file")
        return read_metrics_file(options.metrics_file)
    if options.metrics_url is not None:
        return scrape(options.metrics_url)
    return None


def _load(ctx: RunContext) -> BotEvidence:
    from preflight.deployment import deployment_for
    from preflight.papertrade.monitoring import monitored_entrypoints

    report, chosen, folder = _read_report(ctx)
    exposition = _exposition(ctx)
    deployment = deployment_for(ctx)
    monitored = bot_monitored(monitored_entrypoints(deployment))
    problem = _problem(report, ctx.options.entrypoint) if report is not None else None
    collected: Collected | None = None
    if exposition is not None:
        collected = from_series(monitored, exposition.index)
    elif report is not None and report.shape is not Shape.ABSENT:
        collected = from_report(report, monitored)
    elif problem is None:
        problem = (
            f"{report.file.name if report else 'the evidence'} has no paper_exchange_metrics and no "
            "--metrics-file/--metrics-url was given: nothing shows the bot's exchange series"
        )
    export = guardrail_export = events = None
    looked: tuple[str, ...] = ()
    if report is not None:
        export_path, guardrail_path = _exports(report, folder)
        export = read_evidence(export_path, "the bot's Markdown export") if export_path else None
        guardrail_export = (
            read_evidence(guardrail_path, "the bot's guardrail export") if guardrail_path else None
        )
        events_path, looked = _events_log(report, folder, deployment.runtime.io_queue.log_directory)
        events = read_evidence(events_path, "the bot's guardrail log") if events_path else None
    paper = None
    if collected is not None:
        metrics = collected.metrics
        bot_warnings = report.warnings if report else ()
        bot_errors = report.errors if report else ()
        paper = PaperReport(
            entrypoint=ctx.options.entrypoint,
            started_at=report.started_at.isoformat() if report and report.started_at else None,
            finished_at=report.finished_at.isoformat() if report and report.finished_at else None,
            metrics=metrics,
            warnings=tuple(dict.fromkeys((*bot_warnings, *metrics.warnings))),
            errors=tuple(dict.fromkeys((*bot_errors, *metrics.errors))),
        )
    notes = collected.notes if collected else ()
    return BotEvidence(
        report, chosen, exposition, export, guardrail_export, events, looked, paper, problem, notes, ctx.root
    )


def _source(evidence: BotEvidence) -> PaperSource:
    files: list[InputDigest] = []
    parts: list[str] = []
    report = evidence.report
    if report is not None:
        files.append(InputDigest(evidence.shown(report.file), report.file.sha256))
        parts.append(f"run_local_bot report ({report.shape.describe()})")
    if evidence.exposition is not None:
        files.append(InputDigest(evidence.exposition.source, evidence.exposition.sha256))
        parts.append("Prometheus series (paper_exchange_metrics computed from them)")
    for extra in (evidence.export, evidence.guardrail_export, evidence.events_log):
        if extra is not None:
            files.append(InputDigest(evidence.shown(extra), extra.sha256))
    session = report.session_time() if report is not None else "not stated (series only)"
    return PaperSource("bot", " + ".join(parts), tuple(files), session, evidence.chosen)


def bot_evidence(ctx: RunContext) -> BotEvidence:
    """Read the bot's evidence once for this run (a failure is remembered and re-raised)."""

    def load() -> BotEvidence:
        evidence = _load(ctx)
        ctx.paper_source = _source(evidence)
        if evidence.paper is not None:
            ctx.paper_metrics = evidence.paper.metrics.to_json()
        for name, file in (
            ("bot_report", evidence.report.file if evidence.report else None),
            ("bot_markdown", evidence.export),
            ("bot_guardrail_export", evidence.guardrail_export),
            ("bot_guardrail_log", evidence.events_log),
        ):
            if file is not None:
                ctx.record_artefact(name, file.path)
                ctx.record_input(file.path)  # the verdict rests on it: digested into the sign-off
        if evidence.exposition is not None and evidence.exposition.file is not None:
            ctx.record_input(evidence.exposition.file.path)
        return evidence

    return ctx.memo(MEMO_KEY, load)
