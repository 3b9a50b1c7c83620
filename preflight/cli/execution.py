"""The shared body of ``preflight run`` and ``preflight demo``: run the runbook, show and write the report."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from preflight import jsonsafe
from preflight.cli.outputs import (
    OutputRequest,
    append_step_summary,
    color_enabled,
    is_tty,
    refuse_input_targets,
    stream_errors,
    terminal_width,
    write_file,
)
from preflight.errors import ConfigError, UsageError
from preflight.exitcodes import EXIT_EXCEPTIONS, EXIT_GO, EXIT_NO_GO
from preflight.fsutil import file_component
from preflight.results import CheckResult, FailOn, RunReport, Verdict

if TYPE_CHECKING:
    from preflight.baseline import BaselineDiff
    from preflight.context import RunOptions
    from preflight.engine import Selection
    from preflight.runbook import Runbook
    from preflight.waivers import Waivers


@dataclass(frozen=True)
class RunRequest:
    """Everything ``run`` (and ``demo``) was asked to do."""

    entrypoint: str
    root: Path
    runbook_id: str | None = None
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    outputs: tuple[OutputRequest, ...] = ()
    waivers_path: Path | None = None
    fail_on: FailOn = FailOn.FAIL
    require_real: bool = False
    exchange_url: str | None = None
    offline: bool = False
    no_paper: bool = False
    debug: bool = False
    quiet: bool = False
    verbose: bool = False  # list every passing check, not one line per runbook item
    baseline_path: Path | None = None
    paper_ticks: int | None = None
    paper_seed: int = 7
    paper_faults: str | None = None
    deployment_format: str | None = None  # --deployment-format (None: detected)
    variables: Mapping[str, str] = field(default_factory=dict)  # --var / --vars overrides
    repo_root: Path | None = None  # CI formats: paths relative to this folder (default GITHUB_WORKSPACE/cwd)
    path_prefix: str | None = None  # CI formats: this prefix before deployment-relative paths instead
    evidence: Path | None = None  # the bot's own paper run (preflight.evidence)
    metrics_url: str | None = field(default=None, repr=False)
    metrics_file: Path | None = None
    probe_deadline_s: float = 30.0
    session_deadline_s: float = 600.0
    artefacts_dir: Path | None = None
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))


def load_baseline(path: Path) -> RunReport:
    """Read a previous JSON report; UsageError (a bad flag value) when it is missing or not a report."""
    from preflight.reporters.json_report import parse_report

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(
            f"--baseline {path}: {error.strerror or error}; pass a report written by --format json"
        ) from None
    try:
        return parse_report(text, str(path))
    except ConfigError as error:
        raise UsageError(f"--baseline {error}") from None


def _options(
    request: RunRequest, progress: bool, on_progress: Callable[[str, int, int], None] | None = None
) -> RunOptions:
    from preflight.context import RunOptions

    return RunOptions(
        root=request.root,
        entrypoint=request.entrypoint,
        offline=request.offline,
        no_paper=request.no_paper,
        exchange_url=request.exchange_url,
        debug=request.debug,
        progress=progress,
        paper_ticks=request.paper_ticks,
        paper_seed=request.paper_seed,
        paper_faults=request.paper_faults,
        deployment_format=request.deployment_format,
        variables=dict(request.variables),
        evidence=request.evidence,
        metrics_url=request.metrics_url,
        metrics_file=request.metrics_file,
        probe_deadline_s=request.probe_deadline_s,
        session_deadline_s=request.session_deadline_s,
        artefacts_dir=request.artefacts_dir,
        env=dict(request.env),
        on_progress=on_progress,
    )


Progress = tuple[Callable[[CheckResult], None] | None, Callable[[str, int, int], None] | None]


@contextmanager
def _progress(total: int, enabled: bool) -> Iterator[Progress]:
    """Yield ``on_result`` and ``on_progress`` callbacks driving a transient display on stderr (TTY only).

    One display for both: the checks bar, and under it the current long task (the paper session's
    ticks), so it keeps moving while one check runs for a long time.
    """
    if not enabled:
        yield None, None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(file=sys.stderr, highlight=False, markup=False)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[last]}", markup=False),  # check ids are data, not rich markup
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("checks", total=total, last="")
        subtasks: dict[str, TaskID] = {}

        def on_result(result: CheckResult) -> None:
            progress.update(task, advance=1, last=f"{result.status.value} {result.check_id}")

        def on_progress(label: str, done: int, of: int) -> None:
            if label not in subtasks:
                subtasks[label] = progress.add_task(label, total=of, last="")
            progress.update(subtasks[label], completed=done, total=of)
            if done >= of:
                progress.remove_task(subtasks.pop(label))

        yield on_result, on_progress


def _load_inputs(request: RunRequest) -> tuple[Runbook, Selection, Waivers | None, RunReport | None]:
    from preflight.catalog import load_runbook
    from preflight.engine import Selection

    if not request.root.is_dir():
        raise UsageError(f"deployment root {request.root} does not exist or is not a directory; pass --root")
    file_component(request.entrypoint, "entrypoint")  # it names the run's artefact files
    files = [Path(o.target) for o in request.outputs if not o.to_stdout]
    given = [p for p in (request.waivers_path, request.baseline_path) if p is not None]
    refuse_input_targets(files, request.root, given)
    runbook = load_runbook(request.runbook_id)
    selection = Selection(only=request.only, skip=request.skip)
    waivers = None
    if request.waivers_path is not None:
        from preflight.waivers import load_waivers

        if not request.waivers_path.is_file():
            raise UsageError(f"--waivers {request.waivers_path}: no such file")
        waivers = load_waivers(request.waivers_path)  # ConfigError (a broken input) -> NO-GO, exit 1
    baseline = None
    if request.baseline_path is not None:
        baseline = load_baseline(request.baseline_path)
        _require_comparable(baseline, runbook.id, request)
    return runbook, selection, waivers, baseline


def _require_comparable(baseline: RunReport, runbook_id: str, request: RunRequest) -> None:
    """Refuse a baseline of another runbook or entrypoint: every check would look new or removed."""
    if (baseline.runbook_id, baseline.entrypoint) != (runbook_id, request.entrypoint):
        raise UsageError(
            f"--baseline {request.baseline_path} is a report of {baseline.entrypoint} "
            f"({baseline.runbook_id}), not of {request.entrypoint} ({runbook_id}); "
            "pass a report of the same entrypoint and runbook"
        )


def execute(request: RunRequest, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run the request end to end and return the exit code (see :func:`exit_code`)."""
    from preflight.engine import run_checks, select

    # A closed stdout (``>&-``) leaves sys.stdout None: the verdict still counts, shown nowhere.
    out, err = stdout or sys.stdout or _devnull(), stderr or sys.stderr or _devnull()
    runbook, selection, waivers, baseline_report = _load_inputs(request)
    stdout_output = next((o for o in request.outputs if o.to_stdout), None)
    display = err if stdout_output is not None and stdout_output.format != "terminal" else out
    show_progress = not request.quiet and is_tty(err)
    total = len(select(runbook, selection))
    with _progress(total, show_progress) as (on_result, on_progress):
        # The engine returns a partial report (incomplete=True) when interrupted during the checks.
        report = run_checks(
            runbook,
            _options(request, progress=False, on_progress=on_progress),
            selection=selection,
            waivers=waivers,
            fail_on=request.fail_on,
            require_real=request.require_real,
            on_result=on_result,
        )
    diff = _diff(baseline_report, report, request.baseline_path)
    try:
        # Files first: a second Ctrl-C while the report scrolls by must not cost the written outputs.
        _write_files(report, diff, request)
        append_step_summary(
            request.env, _render("markdown", report, diff, request) + _paper_charts_text(report)
        )
    finally:
        with stream_errors(display):
            _show(report, diff, request, display, explicit=stdout_output)
            if stdout_output is not None and stdout_output.format != "terminal":
                out.write(_render(stdout_output.format, report, diff, request))
                out.flush()
    return exit_code(report)


def exit_code(report: RunReport) -> int:
    """Return 130/143 interrupted, 1 NO-GO, 4 GO WITH EXCEPTIONS under --fail-on exceptions, else 0."""
    if report.incomplete:
        from preflight.signals import interrupted_exit_code

        return interrupted_exit_code()  # 130 after Ctrl-C, 143 after SIGTERM
    if report.verdict is Verdict.NO_GO:
        return EXIT_NO_GO
    if report.verdict is Verdict.GO_WITH_EXCEPTIONS and report.fail_on is FailOn.EXCEPTIONS:
        return EXIT_EXCEPTIONS
    return EXIT_GO


def _paper_charts_text(report: RunReport) -> str:
    """Return the paper session's charts as text for the step summary (images would not resolve there)."""

    from preflight.papertrade.charts import summary_block

    path = report.artefacts.get("paper_report")
    if path is None:
        return ""
    try:
        session = jsonsafe.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # written by this run moments ago; if it is gone, the summary goes without
        return ""
    return "\n" + summary_block(session) if isinstance(session, dict) else ""


def _devnull() -> TextIO:
    return open(os.devnull, "w", encoding="utf-8")


def _diff(baseline: RunReport | None, report: RunReport, path: Path | None) -> BaselineDiff | None:
    if baseline is None or path is None:
        return None
    from preflight.baseline import diff_reports

    return diff_reports(baseline, report, str(path))


def _render(name: str, report: RunReport, diff: BaselineDiff | None, request: RunRequest) -> str:
    from preflight.reporters import get_reporter
    from preflight.reporters.findings import RepoPaths
    from preflight.reporters.terminal import TerminalReporter

    if name == "terminal":  # files get the plain, fixed-width rendering
        return TerminalReporter(color=False, verbose=request.verbose).render(report, diff)
    paths = RepoPaths.from_environment(request.env, request.repo_root, request.path_prefix)
    return get_reporter(name, paths).render(report, diff)


def _show(
    report: RunReport,
    diff: BaselineDiff | None,
    request: RunRequest,
    display: TextIO,
    explicit: OutputRequest | None,
) -> None:
    """Print the terminal report (or only the verdict line with --quiet) to the display stream."""
    from preflight.reporters.terminal import TerminalReporter

    explicit_terminal = explicit is not None and explicit.format == "terminal"
    reporter = TerminalReporter(
        color=color_enabled(display, request.env),
        width=terminal_width(display, request.env),
        quiet=request.quiet and not explicit_terminal,
        verbose=request.verbose,
    )
    display.write(reporter.render(report, diff))
    display.flush()


def _write_files(report: RunReport, diff: BaselineDiff | None, request: RunRequest) -> None:
    files = [Path(o.target) for o in request.outputs if not o.to_stdout]
    # Also every file the run read (the deployment format may keep inputs outside INPUT_FOLDERS).
    refuse_input_targets(files, request.root, [Path(i.path) for i in report.inputs])
    for output in request.outputs:
        if not output.to_stdout:
            write_file(Path(output.target), _render(output.format, report, diff, request))
