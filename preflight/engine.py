"""Run a runbook's selected checks against a deployment and build the RunReport.

The engine knows no check kind and no domain: it selects, templates, parses, runs, times, applies
waivers and collects what the context recorded. Adding a runbook or a kind never changes this module.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from preflight import __version__
from preflight.context import RunContext, RunOptions
from preflight.errors import ConfigError, InputError, PreflightError, UsageError
from preflight.fsutil import shown_path
from preflight.kinds import get_kind
from preflight.results import (
    CheckResult,
    Evidence,
    FailOn,
    InputDigest,
    ItemInfo,
    Outcome,
    RunReport,
    SectionInfo,
    Severity,
    Status,
    verdict_for,
)
from preflight.runbook import CheckSpec, Runbook
from preflight.runlock import run_lock
from preflight.textsafe import look_alike_note
from preflight.waivers import Waivers


@dataclass(frozen=True)
class Selection:
    """Which checks to evaluate: ``only`` and ``skip`` hold ids, id prefixes (``license.``) or tags."""

    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()

    def selects(self, spec: CheckSpec) -> bool:
        """Say whether ``spec`` is evaluated under this selection."""
        if self.only and not any(matches(s, spec) for s in self.only):
            return False
        return not any(matches(s, spec) for s in self.skip)


def matches(selector: str, spec: CheckSpec) -> bool:
    """Say whether ``selector`` (an id, an id prefix with or without the dot, or a tag) names ``spec``."""
    if selector == spec.id or selector in spec.tags:
        return True
    prefix = selector if selector.endswith(".") else selector + "."
    return spec.id.startswith(prefix)


def select(runbook: Runbook, selection: Selection) -> tuple[CheckSpec, ...]:
    """Return the runbook's checks this selection evaluates, in document order."""
    return tuple(spec for spec in runbook.checks() if selection.selects(spec))


def template_value(value: object, ctx: RunContext) -> Any:
    """Substitute ``{variable}`` in every string of ``value`` (mappings and lists recursively)."""
    if isinstance(value, str):
        return ctx.template(value)
    if isinstance(value, Mapping):
        return {key: template_value(item, ctx) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [template_value(item, ctx) for item in value]
    return value


def run_checks(
    runbook: Runbook,
    options: RunOptions,
    *,
    selection: Selection = Selection(),
    waivers: Waivers | None = None,
    fail_on: FailOn = FailOn.FAIL,
    require_real: bool = False,
    on_result: Callable[[CheckResult], None] | None = None,
    clock: Callable[[], datetime] | None = None,
) -> RunReport:
    """Evaluate the selected checks and return the report; see docs/ARCHITECTURE.md for the contract."""
    now = clock or (lambda: datetime.now(UTC))
    started = now()
    if not options.root.is_dir():
        raise UsageError(f"deployment root {options.root} does not exist or is not a directory; pass --root")
    specs = _selected(runbook, selection)
    ctx = RunContext(options, _variables(runbook, options))
    _require_known_entrypoint(ctx)
    from preflight.deployment.artefacts import artefacts_root

    results: list[CheckResult] = []
    incomplete = False
    try:
        with run_lock(artefacts_root(ctx), _say_waiting):
            for spec in specs:
                result = run_one(spec, ctx)
                if waivers is not None:
                    result = waivers.apply(result, now())
                results.append(result)
                if result.status in (Status.FAIL, Status.ERROR):
                    ctx.failed_checks.add(spec.id)
                if on_result is not None:
                    on_result(result)
    except KeyboardInterrupt:  # Ctrl-C, and SIGTERM (preflight.signals)
        incomplete = True
    notes = (*_notes(runbook, specs, results, waivers, now(), incomplete), *_variable_notes(ctx))
    frozen = tuple(results)
    chosen = {spec.id for spec in specs}
    # An unselected required check is an exception: the verdict must not claim what was never run.
    not_selected = tuple(
        spec.id for spec in runbook.checks() if spec.id not in chosen and spec.severity is not Severity.INFO
    )
    return RunReport(
        tool_version=__version__,
        runbook_id=runbook.id,
        runbook_title=runbook.title,
        exchange=runbook.exchange,
        entrypoint=options.entrypoint,
        root=str(options.root),
        started_at=started,
        finished_at=now(),
        fail_on=fail_on,
        sections=_sections(runbook, specs, ctx),
        results=frozen,
        # an interrupted run proved nothing about the checks it never reached
        verdict=verdict_for(
            frozen, fail_on, require_real=require_real, incomplete=incomplete, not_selected=not_selected
        ),
        incomplete=incomplete,
        require_real=require_real,
        not_selected=not_selected,
        simulated=tuple(ctx.simulated),
        artefacts=dict(ctx.artefacts),
        inputs=_digests(ctx),
        paper_metrics=ctx.paper_metrics,
        paper_source=ctx.paper_source,
        notes=notes,
        deployment_format=_format_reason(ctx),
        variables={name: ctx.variables[name] for name in runbook.variables if name in ctx.variables},
    )


def _say_waiting(message: str) -> None:
    sys.stderr.write(f"preflight: {message}\n")
    sys.stderr.flush()


def run_one(spec: CheckSpec, ctx: RunContext) -> CheckResult:
    """Template, parse and run one check; an escaping exception becomes status ``error``."""
    started = time.perf_counter()
    try:
        kind = get_kind(spec.kind)
        if kind is None:
            raise ConfigError(f"check kind {spec.kind!r} is not registered", spec.location)
        params = kind.parse(template_value(spec.params, ctx))
        ctx.current_check = spec.id
        outcome = kind.run(params, ctx)
    except KeyboardInterrupt:
        raise
    except InputError as error:
        outcome = Outcome.errored(str(error), Evidence("input", error.message, error.location))
    except PreflightError as error:
        outcome = Outcome.errored(str(error))
    except Exception as error:  # a bug in a kind must not hide the other checks' results
        if ctx.options.debug:
            import traceback

            traceback.print_exc()
        outcome = Outcome.errored(f"{type(error).__name__}: {error}")
    return CheckResult(
        check_id=spec.id,
        title=ctx.template(spec.title),
        section_id=spec.section_id,
        item_id=spec.item_id,
        kind=spec.kind,
        severity=spec.severity,
        tags=spec.tags,
        status=outcome.status,
        message=outcome.message,
        evidence=outcome.evidence,
        remediation=_remediation(spec, outcome, ctx),
        duration_s=time.perf_counter() - started,
        blocked_by=outcome.blocked_by,
        simulated=outcome.simulated,
        offline=outcome.offline,
    )


def _remediation(spec: CheckSpec, outcome: Outcome, ctx: RunContext) -> str:
    """Return the fix to show: the root cause's for a blocked check, the outcome's own, or the spec's."""
    # a blocked check's own fix would mislead: the root cause is fixed where its owner says
    if outcome.blocked_by is not None and outcome.blocked_by != spec.id:
        return f"Fix what {outcome.blocked_by} reports first; this check is judged again once it passes."
    return outcome.remediation if outcome.remediation is not None else ctx.template(spec.remediation)


def _selected(runbook: Runbook, selection: Selection) -> tuple[CheckSpec, ...]:
    every = tuple(runbook.checks())
    for selector in selection.only:
        if not any(matches(selector, spec) for spec in every):
            groups = sorted({spec.group + "." for spec in every})
            raise UsageError(f"--only {selector!r} selects no check; groups: {', '.join(groups)}")
    specs = select(runbook, selection)
    if not specs:
        raise UsageError("the selection leaves no check to evaluate; loosen --only/--skip")
    return specs


def _variables(runbook: Runbook, options: RunOptions) -> dict[str, str]:
    from preflight.deployment.variables import apply_overrides

    variables = {"entrypoint": options.entrypoint}
    # Variables may mention {entrypoint}; resolve them once so params see final values.
    for name, value in apply_overrides(runbook.variables, options.variables).items():
        variables[name] = value.replace("{entrypoint}", options.entrypoint)
    return variables


def _format_reason(ctx: RunContext) -> str:
    from preflight.deployment.formats import format_for

    return format_for(ctx).reason


def _variable_notes(ctx: RunContext) -> tuple[str, ...]:
    """Say where a runbook variable disagrees with what the deployment states (``--var`` to fix it)."""
    from preflight.deployment.variables import agreement

    return agreement(ctx)


def _require_known_entrypoint(ctx: RunContext) -> None:
    """Raise UsageError when runtime.yaml loads but does not define the entrypoint."""
    from preflight.deployment.documents import RUNTIME_FILE, document_for

    try:
        found = document_for(ctx, RUNTIME_FILE).lookup("trading.entrypoints")
    except InputError:
        return  # a broken runtime.yaml is a failing check, not a usage error
    if found is None or not isinstance(found.value, Mapping):
        return
    if ctx.options.entrypoint not in found.value:
        import difflib

        names = sorted(str(name) for name in found.value)
        close = difflib.get_close_matches(ctx.options.entrypoint, names, n=1)
        hint = look_alike_note(ctx.options.entrypoint, names) or (
            f" (did you mean {close[0]!r}?)" if close else ""
        )
        known = ", ".join(names[:20]) + (f", ... ({len(names)} in all)" if len(names) > 20 else "")
        raise UsageError(
            f"unknown entrypoint {ctx.options.entrypoint!r} in {RUNTIME_FILE}{hint}; "
            f"known: {known or '(none)'}"
        )


def _sections(runbook: Runbook, specs: tuple[CheckSpec, ...], ctx: RunContext) -> tuple[SectionInfo, ...]:
    evaluated = {spec.id for spec in specs}
    return tuple(
        SectionInfo(
            id=section.id,
            title=section.title,
            kind=section.kind,
            items=tuple(
                ItemInfo(
                    id=item.id,
                    text=ctx.template(item.text),
                    check_ids=tuple(c.id for c in item.checks if c.id in evaluated),
                )
                for item in section.items
            ),
        )
        for section in runbook.sections
    )


def _notes(
    runbook: Runbook,
    specs: tuple[CheckSpec, ...],
    results: list[CheckResult],
    waivers: Waivers | None,
    now: datetime,
    incomplete: bool,
) -> tuple[str, ...]:
    notes: list[str] = []
    if incomplete:
        notes.append(
            f"interrupted: {len(results)} of {len(specs)} selected checks ran; the report is partial"
        )
    total = sum(1 for _ in runbook.checks())
    if len(specs) < total:
        notes.append(f"{total - len(specs)} of {total} checks were not selected (--only/--skip)")
    if waivers is not None:
        notes.extend(waivers.notes((c.id for c in runbook.checks()), (r.check_id for r in results), now))
    return tuple(notes)


def _digests(ctx: RunContext) -> tuple[InputDigest, ...]:
    digests = []
    for name in sorted(ctx.inputs):
        path = Path(name)
        try:
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            continue  # vanished or unreadable since it was read; the check that used it says so
        digests.append(InputDigest(path=shown_path(path, ctx.root), sha256=sha))
    return tuple(digests)


__all__ = ["Selection", "matches", "run_checks", "run_one", "select", "template_value"]
