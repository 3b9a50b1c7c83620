"""Create a new deployment in preflight's own format (``preflight init DIR``).

Writes config/runtime.yaml and config/core.yaml (names chosen by the operator, values from the sample),
the issuer key's trusted-issuer entry, fingerprint.json, a license for this machine (or a request for an
external issuer), the encrypted secrets store with the keys the operator enters, the runbook's vars
file and a .gitignore keeping secrets and run outputs out of version control. Every file goes through
the writers the rest of preflight uses (fsutil, trust.license, trust.fingerprint, trust.store_file).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from preflight.fsutil import atomic_write_text
from preflight.initialise import documents, issuer
from preflight.initialise.base import InitIO, InitRequest, InitResult
from preflight.initialise.staging import move_into_place, refuse_existing, staging_folder

if TYPE_CHECKING:
    from preflight.deployment.model import Deployment, SecretsSettings
    from preflight.trust.secrets import SecretEntry

RUNTIME = "config/runtime.yaml"
CORE = "config/core.yaml"
VARS = "config/vars.yaml"
GITIGNORE = ".gitignore"
LICENSE_REQUEST = "var/licenses/license-request.json"

_GITIGNORE = """\
# Written by `preflight init`: the encrypted keychain, its passphrase file and run outputs stay out of
# version control. The license, fingerprint.json and config/ belong in it.
var/secrets/
var/metrics/
reports/
logs/
"""


def _planned(request: InitRequest, deployment: Deployment) -> tuple[str, ...]:
    licensing = deployment.runtime.licensing
    trust = (LICENSE_REQUEST,) if request.request_license else (licensing.license_path,)
    return (
        RUNTIME,
        CORE,
        VARS,
        GITIGNORE,
        licensing.fingerprint_path,
        *trust,
        deployment.core.secrets.path,
    )


def _entries(
    request: InitRequest, deployment: Deployment, io: InitIO
) -> tuple[dict[str, SecretEntry], list[str]]:
    """Ask for the keys (an embedded environment gets a made-up simulator key); return entries, notes."""
    from preflight.initialise.keys import ask_entry, simulator_entry

    entries: dict[str, SecretEntry] = {}
    notes: list[str] = []
    for environment in deployment.core.environments.values():
        profile = deployment.core.permission_profiles[environment.permission_profile]
        if environment.embedded:
            entries[environment.keychain_key] = simulator_entry(environment, profile.required)
            continue
        entry = ask_entry(environment, profile.required, io)
        if entry is None:
            notes.append(
                f"no key for {environment.name} yet: add it with `preflight secrets set "
                f"{environment.keychain_key} --exchange {environment.exchange} --environment "
                f"{environment.name} "
                + " ".join(f"--permission {p}" for p in profile.required)
                + (f" --account-uid {environment.account_uid}" if environment.account_uid else "")
                + f" --root {request.root}`"
            )
            continue
        entries[environment.keychain_key] = entry
    return entries, notes


def create(request: InitRequest, io: InitIO) -> InitResult:
    """Create the deployment ``request`` describes under ``request.root``; nothing is left half-written."""
    from preflight.deployment import load_deployment
    from preflight.trust.fingerprint import current_fingerprint, provider_from_env, write_record
    from preflight.trust.passphrase import resolve_passphrase
    from preflight.trust.store_file import read_store, write_store

    request.validate()
    root = request.root.resolve()
    shown = str(request.root)
    signer = None if request.request_license else issuer.prepare(request)
    trusted = [signer.trusted_entry()] if signer else []
    profile = documents.strategy_profile_name()
    variables = documents.variables(request, profile)
    with staging_folder(root) as staging:
        atomic_write_text(staging / RUNTIME, documents.runtime_text(request))
        atomic_write_text(staging / CORE, documents.core_text(request, trusted))
        deployment = load_deployment(staging)  # the files init wrote are the files a run reads
        planned = _planned(request, deployment)
        refuse_existing(root, planned, shown)
        atomic_write_text(staging / VARS, documents.dump(variables, _vars_head(request)))
        atomic_write_text(staging / GITIGNORE, _GITIGNORE)

        licensing = deployment.runtime.licensing
        fingerprint = current_fingerprint(provider_from_env(request.env))
        write_record(staging / licensing.fingerprint_path, fingerprint)
        notes: list[str] = []
        if signer is not None:
            signer.issue(request, staging / licensing.license_path, fingerprint.value)
        else:
            from preflight.initialise.license_request import write_request

            notes += write_request(
                request, staging / LICENSE_REQUEST, fingerprint, LICENSE_REQUEST, licensing.license_path
            )

        # The passphrase file, if the operator keeps one, lives in the target root, not in staging.
        at_target = dataclasses.replace(deployment, root=root)
        passphrase = resolve_passphrase(at_target, request.env, prompt=_prompt(io), confirm=True)
        entries, key_notes = _entries(request, deployment, io)
        settings = deployment.core.secrets
        write_store(staging / settings.path, passphrase, entries)
        read_store(staging / settings.path, passphrase, display=settings.path)  # it opens as a run opens it
        if signer is not None:
            signer.save()  # before the deployment moves in: a trusted key must never be lost
        move_into_place(staging, root, planned)
    return InitResult(
        root=root,
        written=planned,
        issuer_key=signer.path if signer else None,
        vars_file=VARS,
        variables=variables,
        entrypoint=request.entrypoint,
        needs_vars=_needs_vars(variables),
        passphrase_from=_passphrase_from(deployment.core.secrets),
        next_steps=(*notes, *key_notes),
    )


def _prompt(io: InitIO) -> Callable[[str], str] | None:
    """Return the hidden prompt when a person answers, else None (the error then names the sources)."""
    return (lambda text: io.ask(text, secret=True)) if io.interactive else None


def _vars_head(request: InitRequest) -> str:
    return (
        f"# Runbook variables of {request.entrypoint} (preflight init): the names the runbook checks.\n"
        "# `preflight run` takes them with --vars when they differ from the runbook's defaults.\n"
    )


def _needs_vars(variables: dict[str, str]) -> bool:
    from preflight.catalog import load_runbook

    defaults = load_runbook().variables
    return any(defaults.get(name) != value for name, value in variables.items())


def _passphrase_from(settings: SecretsSettings) -> str:
    """Say where a run takes the store's passphrase from (the deployment's own settings)."""
    if settings.backend != "file":
        return f"the {settings.backend} backend, which needs none"
    also = f", {settings.passphrase_file}" if settings.passphrase_file else ""
    return f"{settings.passphrase_env}{also} or a prompt"
