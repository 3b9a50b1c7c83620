"""CLI: ``preflight list`` (the catalogue, nothing executed) and ``preflight explain CHECK_ID``."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import typer

from preflight.errors import UsageError

if TYPE_CHECKING:  # annotations only: importing the runbook model costs `preflight --help` start-up
    from rich.console import RenderableType

    from preflight.runbook import CheckSpec, Item, Runbook, Section


def _check_document(check: CheckSpec) -> dict[str, Any]:
    return {
        "id": check.id,
        "title": check.title,
        "kind": check.kind,
        "severity": check.severity.value,
        "tags": list(check.tags),
        "params": check.params,
        "rationale": check.rationale,
        "remediation": check.remediation,
        "location": str(check.location),
    }


def _runbook_document(runbook: Runbook) -> dict[str, Any]:
    return {
        "id": runbook.id,
        "title": runbook.title,
        "exchange": runbook.exchange,
        "sections": [
            {
                "id": section.id,
                "title": section.title,
                "kind": section.kind,
                "items": [
                    {"id": item.id, "text": item.text, "checks": [_check_document(c) for c in item.checks]}
                    for item in section.items
                ],
            }
            for section in runbook.sections
        ],
    }


def list_checks(
    runbook: str | None = typer.Option(None, "--runbook", help="Only this runbook (default: all)."),
    fmt: str = typer.Option("terminal", "--format", help="terminal or json."),
) -> None:
    """Print the check catalogue (nothing is executed)."""
    from preflight.catalog import list_runbooks, load_runbook

    if fmt not in ("terminal", "json"):
        raise UsageError(f"unknown --format {fmt!r} for list; choose terminal or json")
    runbooks = (load_runbook(runbook),) if runbook else list_runbooks()
    if fmt == "json":
        document = {"runbooks": [_runbook_document(r) for r in runbooks]}
        text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False, default=str)
        sys.stdout.write(text + "\n")
        return
    _print(_catalogue_blocks(runbooks))


def _catalogue_blocks(runbooks: tuple[Runbook, ...]) -> Iterator[RenderableType]:
    from rich.table import Table
    from rich.text import Text

    for runbook in runbooks:
        total = sum(1 for _ in runbook.checks())
        yield Text(f"{runbook.title} ({runbook.id}) — {total} checks", style="bold")
        for section in runbook.sections:
            checks = [check for item in section.items for check in item.checks]
            yield Text(f"\n{section.title}", style="bold underline")
            if not checks:
                yield Text("  (no checks)", style="dim")
                continue
            table = Table.grid(padding=(0, 2), expand=True)
            table.add_column(no_wrap=True)  # ids are copied into --only/explain: never break them
            table.add_column(ratio=1)
            table.add_column(no_wrap=True)
            table.add_column(no_wrap=True)
            for check in checks:
                title = _templated(runbook, check.title)
                table.add_row(Text(check.id, style="bold"), Text(title), check.kind, check.severity.value)
            yield table
        yield Text("")


def _templated(runbook: Runbook, text: str) -> str:
    """Fill in the runbook's variables; ``{entrypoint}`` stays, it is chosen per run."""
    for name, value in runbook.variables.items():
        text = text.replace("{" + name + "}", value)
    return text


def _print(blocks: Iterable[RenderableType]) -> None:
    import os

    from preflight.cli.outputs import color_enabled, terminal_width
    from preflight.reporters.terminal import render_text

    color = color_enabled(sys.stdout, os.environ)
    sys.stdout.write(render_text(blocks, color=color, width=terminal_width(sys.stdout)))


def _find(check_id: str) -> tuple[Runbook, Section, Item, CheckSpec]:
    from preflight.catalog import list_runbooks

    every: list[str] = []
    for runbook in list_runbooks():
        for section in runbook.sections:
            for item in section.items:
                for check in item.checks:
                    if check.id == check_id:
                        return runbook, section, item, check
                    every.append(check.id)
    import difflib

    close = difflib.get_close_matches(check_id, every, n=3, cutoff=0.5)
    prefixed = [known for known in every if known.startswith(check_id)][:3]
    hints = list(dict.fromkeys(close + prefixed))
    hint = f"did you mean: {', '.join(hints)}?" if hints else "run `preflight list` to see every check id"
    raise UsageError(f"unknown check id {check_id!r}; {hint}")


def _explain_lines(check_id: str) -> Iterator[tuple[str, str]]:
    from preflight.kinds import get_kind

    runbook, section, item, check = _find(check_id)
    kind = get_kind(check.kind)
    yield "check", f"{check.id} — {_templated(runbook, check.title)}"
    yield "runbook", f"{runbook.title} ({runbook.id})"
    yield "section", f"{section.title} › {item.id}: {_templated(runbook, ' '.join(item.text.split()))}"
    yield "kind", f"{check.kind}" + (f" — {kind.summary}" if kind is not None else "")
    yield "severity", check.severity.value
    if check.tags:
        yield "tags", ", ".join(check.tags)
    yield "params", json.dumps(check.params, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    yield "why", _templated(runbook, " ".join(check.rationale.split()))
    yield "fix", _templated(runbook, " ".join(check.remediation.split()))
    yield "defined at", str(check.location)


def explain(
    check_id: str = typer.Argument(..., help="A check id, e.g. runtime.entrypoint.environment."),
) -> None:
    """Explain a check: what it verifies, why, and how to fix a failure."""
    from rich.table import Table
    from rich.text import Text

    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True, style="bold")
    table.add_column()
    for label, value in _explain_lines(check_id):
        table.add_row(label, Text(value))
    _print((table,))


def register(app: typer.Typer) -> None:
    """Register ``list`` and ``explain`` on app."""
    app.command("list")(list_checks)
    app.command("explain")(explain)
