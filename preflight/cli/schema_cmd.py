"""CLI: ``preflight schema [NAME]`` lists the packaged JSON Schemas or prints one."""

from __future__ import annotations

import sys

import typer


def schema(
    name: str | None = typer.Argument(None, help="Schema to print (runtime, core, runbook, report, ...)."),
) -> None:
    """List the packaged JSON Schemas, or print the one called NAME."""
    from preflight.schemas import schema_names, schema_text

    if name is None:
        sys.stdout.write("".join(f"{known}\n" for known in schema_names()))
        return
    text = schema_text(name)  # UsageError (exit 2) naming the known schemas
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def register(app: typer.Typer) -> None:
    """Register ``schema`` on app."""
    app.command("schema")(schema)
