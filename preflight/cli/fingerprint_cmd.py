"""CLI: ``preflight fingerprint show|refresh`` — this machine's fingerprint and the recorded one."""

from __future__ import annotations

from pathlib import Path

import typer

from preflight.cli.options import RootOption

fingerprint_app = typer.Typer(help="Show or refresh the machine fingerprint.", no_args_is_help=True)


@fingerprint_app.command("show")
def show(root: RootOption = Path(".")) -> None:
    """Print this machine's fingerprint and factor hashes, and whether fingerprint.json matches it."""
    import os

    from preflight.errors import PreflightError
    from preflight.trust.fingerprint import compare, current_fingerprint, load_record, provider_from_env

    current = current_fingerprint(provider_from_env(os.environ))
    typer.echo(f"algorithm {current.algorithm}")
    typer.echo(f"value     {current.value}")
    for name, digest in sorted(current.factors.items()):
        typer.echo(f"  {name:<16} {digest}")
    try:
        from preflight.deployment import load_deployment

        deployment = load_deployment(root)
        record = load_record(root / deployment.runtime.licensing.fingerprint_path)
    except PreflightError as error:  # no deployment or no record here: the machine value is still useful
        typer.echo(f"recorded  (none: {error})")
        return
    if record.fingerprint.value == current.value:
        typer.echo(f"recorded  matches {record.path}")
    else:
        typer.echo(
            f"recorded  DIFFERS from {record.path} ({compare(record.fingerprint, current).describe()})"
        )


@fingerprint_app.command("refresh")
def refresh(root: RootOption = Path(".")) -> None:
    """Record this machine's fingerprint in fingerprint.json (atomically); the license must then match it."""
    import os

    from preflight.deployment import load_deployment
    from preflight.errors import InputError
    from preflight.trust.fingerprint import current_fingerprint, provider_from_env, write_record
    from preflight.trust.license import load_license

    deployment = load_deployment(root)
    current = current_fingerprint(provider_from_env(os.environ))
    path = root / deployment.runtime.licensing.fingerprint_path
    write_record(path, current)
    typer.echo(f"wrote {path}: {current.value}")
    try:
        bound = load_license(root / deployment.runtime.licensing.license_path).payload.fingerprint
    except InputError:
        bound = None
    if bound != current.value:
        typer.echo(f"the license is not bound to this value: get it reissued for fingerprint {current.value}")


def register(app: typer.Typer) -> None:
    """Register the ``fingerprint`` command group."""
    app.add_typer(fingerprint_app, name="fingerprint")
