"""CLI: ``preflight init DIR`` creates a new deployment (or, with ``--adopt``, takes over an existing one).

Creating goes through ``preflight.initialise.CREATORS`` (``--format``, default ``preflight``);
adopting detects the checkout's format and goes through ``preflight.initialise.ADOPTERS``. Secrets are
read from hidden prompts or stdin, never from the command line.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from preflight.initialise.base import (
    DEFAULT_DAYS,
    DEFAULT_ENTRYPOINT,
    DEFAULT_ISSUER,
    DEFAULT_LIVE_ENDPOINT,
    DEFAULT_LIVE_ENVIRONMENT,
    DEFAULT_PAPER_ENVIRONMENT,
)

if TYPE_CHECKING:
    from preflight.initialise.base import InitResult


def init(
    directory: Annotated[Path, typer.Argument(help="Folder of the new deployment (created if missing).")],
    account_uid: Annotated[
        str | None,
        typer.Option("--account-uid", help="UID of the Bybit account the live key belongs to (required)."),
    ] = None,
    entrypoint: Annotated[
        str, typer.Option("--entrypoint", help="Name of the paper entrypoint `preflight run` checks.")
    ] = DEFAULT_ENTRYPOINT,
    paper_environment: Annotated[
        str, typer.Option("--paper-environment", help="Name of the paper environment.")
    ] = DEFAULT_PAPER_ENVIRONMENT,
    live_environment: Annotated[
        str, typer.Option("--live-environment", help="Name of the live (production) environment.")
    ] = DEFAULT_LIVE_ENVIRONMENT,
    live_endpoint: Annotated[
        str, typer.Option("--live-endpoint", help="Base URL of the production exchange.")
    ] = DEFAULT_LIVE_ENDPOINT,
    paper_endpoint: Annotated[
        str,
        typer.Option("--paper-endpoint", help="`embedded` (the built-in simulator) or a testnet/demo URL."),
    ] = "embedded",
    licensee: Annotated[
        str | None, typer.Option("--licensee", help="Who the license is for (default: the folder name).")
    ] = None,
    issuer: Annotated[
        str, typer.Option("--issuer", help="License issuer name (also the runtime's allowed issuer).")
    ] = DEFAULT_ISSUER,
    days: Annotated[int, typer.Option("--days", min=1, help="License validity in days.")] = DEFAULT_DAYS,
    issuer_key: Annotated[
        Path | None,
        typer.Option(
            "--issuer-key",
            help="Issuer private key to reuse, or where to create it "
            "(default: ~/.config/preflight/issuer-keys/KEY_ID.pem, outside the deployment).",
        ),
    ] = None,
    request: Annotated[
        bool,
        typer.Option(
            "--request", help="Write a license request for an external issuer instead of a license."
        ),
    ] = False,
    deployment_format: Annotated[
        str, typer.Option("--format", help="Deployment format to create (preflight).")
    ] = "preflight",
    adopt: Annotated[
        bool, typer.Option("--adopt", help="Take over the existing deployment in DIR (format detected).")
    ] = False,
) -> None:
    """Create a deployment: config, issuer key and trust, license, fingerprint, secrets store, vars file."""
    from preflight.initialise import adopter, creator
    from preflight.initialise.base import InitIO, InitRequest

    init_request = InitRequest(
        root=directory,
        entrypoint=entrypoint,
        paper_environment=paper_environment,
        live_environment=live_environment,
        account_uid=account_uid or "",
        live_endpoint=live_endpoint,
        paper_endpoint=paper_endpoint,
        licensee=licensee or "",
        issuer=issuer,
        days=days,
        issuer_key=issuer_key,
        request_license=request,
        env=dict(os.environ),
    )
    io = InitIO()
    if adopt:
        from preflight.deployment.formats import FormatName, detect_format
        from preflight.errors import UsageError

        detected = detect_format(directory)
        if detected.name is FormatName.PREFLIGHT and (directory / "config" / "runtime.yaml").is_file():
            raise UsageError(
                f"{directory} already holds a preflight deployment; check it with "
                f"`preflight run ENTRYPOINT --root {directory}`"
            )
        if not (directory / "config" / "runtime.yaml").is_file():
            raise UsageError(f"{directory} holds no deployment to adopt (no config/runtime.yaml)")
        result = adopter(detected.name.value).adopt(directory, init_request, io)
    else:
        result = creator(deployment_format).create(init_request, io)
    _report(result, str(directory))


def _report(result: InitResult, shown_root: str) -> None:
    """Say what was written and what to do next; the last line is the command to type."""
    lines = [f"created {shown_root}:"]
    lines += [f"  {path}" for path in result.written]
    if result.issuer_key is not None:
        lines.append(f"issuer key (secret, 0600, keep it out of the deployment): {result.issuer_key}")
    if result.vars_file:
        lines.append(
            f"runbook variables: {result.vars_file} ("
            + ", ".join(f"{k}={v}" for k, v in result.variables.items())
            + ")"
        )
    lines += [f"next: {step}" for step in result.next_steps]
    lines.append(f"then check it (the passphrase comes from {result.passphrase_from}):")
    lines.append(f"  {result.run_command(shown_root)}")
    sys.stdout.write("\n".join(lines) + "\n")


def register(app: typer.Typer) -> None:
    """Register ``init`` on app."""
    app.command("init")(init)
