"""CLI: ``preflight secrets list|set|enable|disable|remove`` — manage the encrypted keychain.

Secret values are read from a prompt (hidden) or from stdin, never from the command line: argv is
visible to every user of the machine and lands in shell history.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from preflight.cli.options import RootOption

if TYPE_CHECKING:
    from preflight.deployment.model import Deployment
    from preflight.trust.secrets import SecretEntry

secrets_app = typer.Typer(help="Manage the encrypted secrets store (API keys).", no_args_is_help=True)

NameArgument = Annotated[str, typer.Argument(help="Entry name, e.g. bybit_paper_trading.")]


def _writable(root: Path) -> tuple[Deployment, Path]:
    from preflight.deployment import load_deployment
    from preflight.errors import UsageError

    deployment = load_deployment(root)
    settings = deployment.core.secrets
    if settings.backend != "file":
        raise UsageError(
            f"secrets.backend is {settings.backend!r}: set the {settings.env_prefix}<NAME>_* variables "
            "instead "
            "(see README, Trust)"
        )
    return deployment, root / settings.path


def _load(
    deployment: Deployment, path: Path, *, creating: bool = False
) -> tuple[str, dict[str, SecretEntry]]:
    import os

    from preflight.trust.passphrase import resolve_passphrase
    from preflight.trust.store_file import read_store

    exists = path.exists()
    passphrase = resolve_passphrase(deployment, os.environ, confirm=creating and not exists)
    entries = read_store(path, passphrase, display=deployment.core.secrets.path) if exists else {}
    return passphrase, entries


def _missing(name: str, entries: dict[str, SecretEntry]) -> None:
    from preflight.errors import UsageError

    if name not in entries:
        raise UsageError(
            f"no entry {name!r} in the secrets store (entries: {', '.join(sorted(entries)) or 'none'})"
        )


@secrets_app.command("list")
def list_entries(root: RootOption = Path(".")) -> None:
    """List the entries: api keys masked to their last 4 characters, secrets never shown."""
    import os

    from preflight.deployment import load_deployment
    from preflight.redact import mask
    from preflight.trust.secrets import open_keychain
    from preflight.trust.timeutil import format_utc

    keychain = open_keychain(load_deployment(root), os.environ)
    typer.echo(f"keychain {keychain.source}: {len(keychain.entries)} entries")
    for name in keychain.names():
        e = keychain.get(name)
        expiry = format_utc(e.expires_at) if e.expires_at else "never"
        signing = "rsa" if e.rsa_private_key else "hmac"
        typer.echo(
            f"{name}  {e.exchange}/{e.environment}  key {mask(e.api_key)}  {signing}  {e.status.value}  "
            f"uid {e.account_uid or '-'}  permissions {','.join(e.permissions) or '-'}  expires {expiry}"
        )


def _read_credentials(name: str, rsa: bool) -> tuple[str, str]:
    import getpass

    from preflight.errors import UsageError

    if sys.stdin.isatty():
        api_key = input(f"API key for {name}: ").strip()
        if rsa:
            typer.echo("Paste the RSA private key (PEM), then Ctrl-D:", err=True)
            secret = sys.stdin.read().strip()
        else:
            secret = getpass.getpass(f"API secret for {name}: ").strip()
    else:
        # stdin: the first line is the api key, the rest the secret (or the PEM block).
        api_key, _, secret = sys.stdin.read().partition("\n")
        api_key, secret = api_key.strip(), secret.strip()
    if not api_key or not secret:
        raise UsageError(
            "give the api key and then the secret on stdin (key on the first line) or at the prompts"
        )
    if rsa and "PRIVATE KEY" not in secret:
        raise UsageError("--rsa expects a PEM private key after the api key")
    return api_key, secret


@secrets_app.command("set")
def set_entry(
    name: NameArgument,
    exchange: Annotated[str, typer.Option("--exchange", help="Exchange, e.g. bybit.")],
    environment: Annotated[
        str, typer.Option("--environment", help="core.yaml environment, e.g. bybit_paper.")
    ],
    permission: Annotated[
        list[str], typer.Option("--permission", help="Granted permission Group.Permission (repeat).")
    ],
    account_uid: Annotated[
        str | None, typer.Option("--account-uid", help="Account the key belongs to.")
    ] = None,
    expires_at: Annotated[
        str | None, typer.Option("--expires-at", help="ISO 8601 expiry with timezone.")
    ] = None,
    rsa: Annotated[bool, typer.Option("--rsa", help="The secret is an RSA private key (PEM).")] = False,
    root: RootOption = Path("."),
) -> None:
    """Add or replace an entry; the api key and secret are read from the prompt or stdin, never argv."""
    from preflight.errors import UsageError
    from preflight.redact import mask
    from preflight.trust.secrets import NAME_PATTERN, KeyStatus, SecretEntry
    from preflight.trust.store_file import write_store
    from preflight.trust.timeutil import parse_utc, utc_now

    if not NAME_PATTERN.match(name):
        raise UsageError(f"entry name {name!r} must be lower-case letters, digits and underscores")
    try:
        expiry = parse_utc(expires_at) if expires_at else None
    except ValueError:
        raise UsageError(
            "--expires-at takes an ISO 8601 timestamp with a timezone, e.g. 2027-01-31T00:00:00Z"
        ) from None
    deployment, path = _writable(root)
    if environment not in deployment.core.environments:
        known = ", ".join(sorted(deployment.core.environments)) or "none"
        raise UsageError(f"--environment {environment!r} is not defined in config/core.yaml (known: {known})")
    passphrase, entries = _load(deployment, path, creating=True)
    api_key, secret = _read_credentials(name, rsa)
    entries[name] = SecretEntry(
        name=name,
        exchange=exchange,
        environment=environment,
        api_key=api_key,
        api_secret=None if rsa else secret,
        rsa_private_key=secret if rsa else None,
        account_uid=account_uid,
        permissions=tuple(dict.fromkeys(permission)),
        status=KeyStatus.ACTIVE,
        created_at=utc_now(),
        expires_at=expiry,
    )
    write_store(path, passphrase, entries)
    typer.echo(f"stored {name} (key {mask(api_key)}) in {deployment.core.secrets.path}")


def _set_status(name: str, root: Path, status: str) -> None:
    from preflight.trust.secrets import KeyStatus
    from preflight.trust.store_file import write_store

    deployment, path = _writable(root)
    passphrase, entries = _load(deployment, path)
    _missing(name, entries)
    entries[name] = entries[name].with_status(KeyStatus(status))
    write_store(path, passphrase, entries)
    typer.echo(f"{name} is now {status}")


@secrets_app.command("enable")
def enable(name: NameArgument, root: RootOption = Path(".")) -> None:
    """Mark an entry active."""
    _set_status(name, root, "active")


@secrets_app.command("disable")
def disable(name: NameArgument, root: RootOption = Path(".")) -> None:
    """Mark an entry disabled (kept, but no check will accept it)."""
    _set_status(name, root, "disabled")


@secrets_app.command("revoke")
def revoke(name: NameArgument, root: RootOption = Path(".")) -> None:
    """Mark an entry revoked (the exchange key was deleted or leaked)."""
    _set_status(name, root, "revoked")


@secrets_app.command("remove")
def remove(name: NameArgument, root: RootOption = Path(".")) -> None:
    """Delete an entry from the store."""
    from preflight.trust.store_file import write_store

    deployment, path = _writable(root)
    passphrase, entries = _load(deployment, path)
    _missing(name, entries)
    del entries[name]
    write_store(path, passphrase, entries)
    typer.echo(f"removed {name}")


def register(app: typer.Typer) -> None:
    """Register the ``secrets`` command group."""
    app.add_typer(secrets_app, name="secrets")
