"""Per-run access to a bot_core root's trust files: each policy, keys file, license, fingerprint file and
the secrets store is read once per run and its error shared by every check that needs it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from preflight.context import RunContext
from preflight.errors import ConfigError, FingerprintError, InputError, LicenseError, SecretsError
from preflight.results import Outcome
from preflight.trust.bot_core.environment import CredentialNeeds
from preflight.trust.bot_core.fingerprint import FingerprintDocument
from preflight.trust.bot_core.hmac_keys import HmacKeyring
from preflight.trust.bot_core.license import BotCoreLicense
from preflight.trust.bot_core.policy import (
    DECLARED_FILE,
    DECLARED_PATH,
    ENFORCED_FILE,
    ENFORCED_PATH,
    LicensingPolicy,
)
from preflight.trust.bot_core.store_location import SecretsBackend

T = TypeVar("T")


def declared_policy(ctx: RunContext) -> LicensingPolicy:
    """Return runtime.yaml ``licensing.license`` (the declared policy)."""
    return _policy(ctx, DECLARED_FILE, DECLARED_PATH)


def enforced_policy(ctx: RunContext) -> LicensingPolicy:
    """Return core.yaml ``license`` (the policy bot_core enforces when both key paths are set)."""
    return _policy(ctx, ENFORCED_FILE, ENFORCED_PATH)


def _policy(ctx: RunContext, relpath: str, block: str) -> LicensingPolicy:
    from preflight.deployment.documents import document_for
    from preflight.trust.bot_core.policy import read_policy

    return ctx.memo(
        f"bot_core.policy:{relpath}",
        lambda: read_policy(document_for(ctx, relpath), block, f"{relpath} {block}"),
    )


def _file(ctx: RunContext, field: str, error: type[InputError]) -> tuple[Path, str]:
    """Resolve the enforced policy's path ``field`` under the root; ``error`` when unset or escaping."""
    from preflight.deployment.documents import resolve_under

    relative = enforced_policy(ctx).path(field)
    if relative is None:
        raise error(f"{ENFORCED_FILE} {ENFORCED_PATH}.{field} is not set; set it to the file under the root")
    try:
        path = resolve_under(ctx.root, relative)
    except ConfigError as problem:
        raise error(
            f"{ENFORCED_FILE} {ENFORCED_PATH}.{field} {relative!r} is refused: {problem.message}"
        ) from None
    ctx.record_input(path)
    return path, relative


def _memo_file(ctx: RunContext, field: str, error: type[InputError], load: Callable[[Path, str], T]) -> T:
    def read() -> T:
        """Resolve and load the file the enforced policy names."""
        path, relative = _file(ctx, field, error)
        return load(path, relative)

    return ctx.memo(f"bot_core.file:{field}", read)


def keyring_for(ctx: RunContext, field: str) -> HmacKeyring:
    """Load the keys file the enforced policy's ``field`` names (license or fingerprint keys)."""
    from preflight.trust.bot_core.hmac_keys import load_keyring

    error: type[InputError] = FingerprintError if field.startswith("fingerprint") else LicenseError
    what = f"restore the keys file {ENFORCED_PATH}.{field} names (the issuer delivers it)"
    return _memo_file(ctx, field, error, lambda path, shown: load_keyring(path, shown, error, what))


def license_for(ctx: RunContext) -> BotCoreLicense:
    """Load the license at the enforced ``license_path``."""
    from preflight.trust.bot_core.license import load_license

    return _memo_file(ctx, "license_path", LicenseError, load_license)


def fingerprint_for(ctx: RunContext) -> FingerprintDocument:
    """Load the fingerprint file at the enforced ``fingerprint_path``."""
    from preflight.trust.bot_core.fingerprint import load_document

    return _memo_file(ctx, "fingerprint_path", FingerprintError, load_document)


@dataclass(frozen=True, repr=False)
class HeadlessStore:
    """The decrypted headless secrets file: storage key -> serialized value (never shown)."""

    backend: SecretsBackend
    shown: str
    entries: Mapping[str, str]

    def __repr__(self) -> str:
        return f"HeadlessStore({self.shown!r}, {len(self.entries)} entries)"


def backend_of(ctx: RunContext) -> SecretsBackend:
    """Return the store bot_core would use under the run's environment variables."""
    from preflight.trust.bot_core.store_location import backend_for
    from preflight.trust.secrets import run_env

    return backend_for(run_env(ctx))


def store_for(ctx: RunContext) -> HeadlessStore:
    """Open the headless secrets file once per run (the backend must be ``file``)."""
    from preflight.trust.bot_core.secrets_file import read_secrets_file
    from preflight.trust.bot_core.store_location import SECRETS_PATH_ENV, passphrase_for
    from preflight.trust.secrets import run_env

    def read() -> HeadlessStore:
        """Locate, unlock and decrypt the file."""
        backend = backend_of(ctx)
        if backend.path is None:  # callers skip the keyring backend first; never open it by accident
            raise SecretsError(f"bot_core keeps these credentials in the OS keyring ({backend.reason})")
        shown = str(backend.path)
        if not backend.path.is_file():
            raise SecretsError(
                f"bot_core's secrets file {shown} ({backend.reason}) does not exist; store the credentials "
                f"with bot_core's keychain tool or `preflight init`, or set {SECRETS_PATH_ENV} to the file"
            )
        ctx.record_input(backend.path)
        passphrase = passphrase_for(run_env(ctx), shown)
        return HeadlessStore(backend, shown, read_secrets_file(backend.path, passphrase, shown))

    return ctx.memo("bot_core.secrets", read)


def failure(ctx: RunContext, error: InputError) -> Outcome:
    """Return the failed outcome for a trust file or config error, reported once per root cause.

    A missing license file stops the signature, profile, issuer and expiry checks alike: the first
    states it, the others point to it (``preflight.rootcause``); a broken config points at its check.
    """
    from preflight.rootcause import failed_because

    return failed_because(ctx, error)


def needs_or_outcome(ctx: RunContext, env_name: str) -> CredentialNeeds | Outcome:
    """Return what environment ``env_name`` of core.yaml loads, or the failure saying why it cannot."""
    from preflight.deployment.documents import document_for
    from preflight.trust.bot_core.environment import CORE_FILE, credential_needs

    try:
        needs = credential_needs(document_for(ctx, CORE_FILE), env_name)
    except InputError as error:
        return failure(ctx, error)
    if needs is None:
        from preflight.trust.access import undefined_environment

        return undefined_environment(ctx, env_name)
    return needs
