"""Command-line options that several commands share, declared once so their flag and help stay alike."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

RootOption = Annotated[Path, typer.Option("--root", help="Deployment root (default: current directory).")]
DeploymentFormatOption = Annotated[
    str | None,
    typer.Option(
        "--deployment-format",
        help="Read the root as this deployment format (preflight|bot_core); default: detected.",
    ),
]
VarOption = Annotated[
    list[str] | None,
    typer.Option("--var", help="Set a runbook variable NAME=VALUE (environment=desk_a_paper); repeatable."),
]
VarsFileOption = Annotated[
    Path | None,
    typer.Option("--vars", help="A YAML file of runbook variables (a flat mapping NAME: VALUE); --var wins."),
]


def deployment_inputs(
    deployment_format: str | None, var: list[str] | None, vars_file: Path | None
) -> tuple[str | None, dict[str, str]]:
    """Validate ``--deployment-format`` and gather ``--vars``/``--var``; UsageError (exit 2) when bad."""
    from preflight.deployment.formats import parse_format_name
    from preflight.deployment.variables import collect

    return parse_format_name(deployment_format), collect(list(var or ()), vars_file)
