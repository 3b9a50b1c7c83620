"""CLI: ``preflight license show|verify|issue|keygen|trust`` — read, verify, sign and trust licenses."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from preflight.cli.options import RootOption

if TYPE_CHECKING:
    from preflight.deployment.model import Deployment

license_app = typer.Typer(help="Show, verify or issue the OEM license.", no_args_is_help=True)


def _load(root: Path) -> tuple[Path, Deployment]:
    from preflight.deployment import load_deployment

    deployment = load_deployment(root)
    return root / deployment.runtime.licensing.license_path, deployment


@license_app.command("show")
def show(root: RootOption = Path(".")) -> None:
    """Print the license payload and the key that signed it."""
    from preflight.trust.license import load_license
    from preflight.trust.timeutil import format_utc

    path, _ = _load(root)
    lic = load_license(path)
    p = lic.payload
    typer.echo(f"license     {path}")
    typer.echo(f"id          {p.license_id}")
    typer.echo(f"issuer      {p.issuer} (key {lic.key_id})")
    typer.echo(f"licensee    {p.licensee}")
    typer.echo(f"profile     {p.profile}")
    typer.echo(f"exchanges   {', '.join(p.exchanges)}")
    typer.echo(f"modes       {', '.join(p.environments)}")
    typer.echo(f"valid       {format_utc(p.issued_at)} .. {format_utc(p.expires_at)}")
    typer.echo(f"fingerprint {p.fingerprint}")


@license_app.command("verify")
def verify(root: RootOption = Path(".")) -> None:
    """Verify signature, issuer, policy, entitlement of every environment, and expiry (exit 1 on failure)."""
    from preflight.results import Status
    from preflight.trust import license_policy as policy
    from preflight.trust.license import load_license
    from preflight.trust.timeutil import utc_now

    path, loaded = _load(root)
    lic = load_license(path)
    environments = tuple(loaded.core.environments)
    outcomes = [
        ("signature", policy.check_signature(lic, loaded)),
        ("issuer key", policy.check_issuer_trusted(lic, loaded)),
        ("profile", policy.check_profile(lic, loaded)),
        ("issuer", policy.check_issuer_allowed(lic, loaded)),
        *((f"exchange ({name})", policy.check_exchange(lic, loaded, name)) for name in environments),
        ("modes", policy.check_environments(lic, loaded, environments)),
        ("expiry", policy.check_expiry(lic, loaded, utc_now())),
    ]
    for label, outcome in outcomes:
        typer.echo(f"{outcome.status.value.upper():5} {label}: {outcome.message}")
    failed = any(o.status in (Status.FAIL, Status.ERROR) for _, o in outcomes)
    typer.echo(f"license {path}: {'INVALID' if failed else 'valid'}")
    if failed:
        # sys.exit, not typer.Exit: with standalone_mode=False Typer returns an Exit's code, not raises it.
        sys.exit(1)


@license_app.command("keygen")
def keygen(
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Where to write the private key (PEM, 0600).")
    ],
) -> None:
    """Create an Ed25519 issuer key pair; print the public key for core.yaml licensing.trusted_issuers."""
    from preflight.errors import UsageError
    from preflight.trust.issuer_keys import generate_key_pair, write_private_key

    if output.exists():
        raise UsageError(f"{output} exists; refusing to overwrite a private key")
    pair = generate_key_pair()
    write_private_key(output, pair)
    typer.echo(pair.public_key_b64)


@license_app.command("issue")
def issue(
    issuer_key: Annotated[Path, typer.Option("--issuer-key", help="The issuer's Ed25519 private key (PEM).")],
    key_id: Annotated[str, typer.Option("--key-id", help="Key id the deployment trusts the key under.")],
    issuer: Annotated[str, typer.Option("--issuer", help="Issuer name, e.g. dudzian.")],
    licensee: Annotated[str, typer.Option("--licensee", help="Who the license is for.")],
    profile: Annotated[str, typer.Option("--profile", help="Deployment profile, e.g. desktop.")],
    exchange: Annotated[list[str], typer.Option("--exchange", help="Entitled exchange (repeat).")],
    environment: Annotated[
        list[str], typer.Option("--environment", help="Entitled mode: paper or live (repeat).")
    ],
    days: Annotated[int, typer.Option("--days", min=1, help="Validity in days from now.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write license.json (atomically).")],
    fingerprint: Annotated[
        str, typer.Option("--fingerprint", help="`current` (this machine) or a fingerprint value.")
    ] = "current",
) -> None:
    """Sign a license for a machine fingerprint (issuers only: needs the private key)."""
    import os
    import re

    from preflight.errors import UsageError
    from preflight.trust.fingerprint import current_fingerprint, provider_from_env
    from preflight.trust.issuer_keys import load_private_key
    from preflight.trust.license import new_payload, sign_payload, write_license

    bad_modes = sorted(set(environment) - {"paper", "live"})
    if bad_modes:
        raise UsageError(f"--environment takes paper or live, not {', '.join(bad_modes)}")
    if fingerprint == "current":
        value = current_fingerprint(provider_from_env(os.environ)).value
    elif re.fullmatch(r"[0-9a-f]{64}", fingerprint):
        value = fingerprint
    else:
        raise UsageError(
            "--fingerprint takes `current` or a 64-digit hex value from `preflight fingerprint show`"
        )
    payload = new_payload(
        issuer=issuer,
        licensee=licensee,
        profile=profile,
        exchanges=tuple(dict.fromkeys(exchange)),
        environments=tuple(dict.fromkeys(environment)),
        days=days,
        fingerprint=value,
    )
    write_license(output, sign_payload(payload, load_private_key(issuer_key), key_id))
    typer.echo(f"wrote {output}: license {payload.license_id} for {licensee}, valid {days} days")


@license_app.command("trust")
def trust(
    key_id: Annotated[
        str, typer.Argument(help="Key id the issuer signs under (the license's signature.key_id).")
    ],
    issuer: Annotated[str, typer.Option("--issuer", help="Issuer name, e.g. dudzian.")],
    public_key: Annotated[
        str,
        typer.Option("--public-key", help="The issuer's raw Ed25519 public key, base64 (keygen prints it)."),
    ],
    root: RootOption = Path("."),
) -> None:
    """Trust an issuer's public key: add (or replace) it in config/core.yaml licensing.trusted_issuers."""
    import base64
    import binascii

    from preflight.errors import UsageError
    from preflight.trust.trusted_issuers import trust_issuer_in_core

    try:
        raw = base64.b64decode(public_key, validate=True)
    except binascii.Error:
        raw = b""
    if len(raw) != 32:
        raise UsageError("--public-key takes the base64 raw Ed25519 public key (44 characters) keygen prints")
    _load(root)  # a broken deployment is reported before core.yaml is touched
    trust_issuer_in_core(root, key_id, issuer, public_key)
    typer.echo(f"trusted {key_id} ({issuer}) in {root / 'config' / 'core.yaml'}")


def register(app: typer.Typer) -> None:
    """Register the ``license`` command group."""
    app.add_typer(license_app, name="license")
