"""Adopt an existing bot_core checkout: write its license, fingerprint, keys files and headless secrets.

Every file goes where the checkout's own configuration says bot_core looks for it (core.yaml ``license``;
the secrets file where :mod:`preflight.trust.bot_core.store_location` finds it). Nothing that exists is
overwritten: the first existing target stops the adoption before anything is written, naming the file.
"""

from __future__ import annotations

import platform
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from preflight.errors import ConfigError, UsageError
from preflight.initialise.base import InitIO, InitRequest, InitResult
from preflight.trust.bot_core.policy import LicensingPolicy

DEFAULT_LICENSE_KEYS = "var/licenses/keys/license_keys.json"
DEFAULT_FINGERPRINT_KEYS = "var/licenses/keys/fingerprint_keys.json"


@dataclass(frozen=True)
class AdoptResult:
    """What adoption wrote, what the operator must know, and the command that checks the result."""

    created: tuple[Path, ...]
    notes: tuple[str, ...]
    command: str


@dataclass(frozen=True)
class _Plan:
    """Every target path, decided (and checked for existence) before anything is written."""

    license: Path
    license_keys: Path
    fingerprint: Path
    fingerprint_keys: Path
    secrets: Path

    def targets(self) -> tuple[Path, ...]:
        """Return every file adoption writes, in writing order."""
        return (self.license_keys, self.fingerprint_keys, self.fingerprint, self.license, self.secrets)


def machine_factors() -> dict[str, object]:
    """Return the factors preflight records for this machine (hostname and platform; see the notes)."""
    uname = platform.uname()
    return {
        "hostname": uname.node,
        "os": {
            "system": uname.system,
            "release": uname.release,
            "version": uname.version,
            "machine": uname.machine,
        },
    }


def _under(root: Path, relative: str) -> Path:
    from preflight.deployment.documents import resolve_under

    return resolve_under(root, relative)


def _plan(root: Path, enforced: LicensingPolicy, env: Mapping[str, str], notes: list[str]) -> _Plan:
    from preflight.trust.bot_core.store_location import backend_for, default_file

    keys = {}
    for field, default in (
        ("license_keys_path", DEFAULT_LICENSE_KEYS),
        ("fingerprint_keys_path", DEFAULT_FINGERPRINT_KEYS),
    ):
        relative = enforced.path(field)
        if relative is None:
            relative = default
            notes.append(
                f"config/core.yaml license.{field} is not set, so bot_core verifies no license; the "
                "keys were "
                f"written to {default}: set license.{field}: {default}"
            )
        keys[field] = _under(root, relative)
    backend = backend_for(env)
    if backend.kind == "keyring":
        notes.append(
            f"on this machine {backend.reason}: bot_core will not read the headless file written here, and "
            "preflight skips the secrets checks; run the bot headless or store the keys in its keyring"
        )
    return _Plan(
        license=_under(root, enforced.path("license_path") or "var/licenses/active/license.json"),
        license_keys=keys["license_keys_path"],
        fingerprint=_under(root, enforced.path("fingerprint_path") or "var/licenses/active/fingerprint.json"),
        fingerprint_keys=keys["fingerprint_keys_path"],
        secrets=backend.path or default_file(env),
    )


def adopt_bot_core(
    root: Path,
    *,
    entrypoint: str,
    passphrase: str,
    credentials: Mapping[str, tuple[str, str]],
    licensee: str,
    issuer: str,
    days: int,
    profile: str | None = None,
    env: Mapping[str, str] | None = None,
    factors: Mapping[str, object] | None = None,
    now: datetime | None = None,
) -> AdoptResult:
    """Provision ``root``'s trust files; ``credentials`` maps a core.yaml environment to (api key, secret).

    Raises UsageError naming the first file that already exists (nothing is written then) and
    ConfigError for an entrypoint, environment or policy the checkout does not define.
    """
    import os

    from preflight.deployment.documents import CORE_FILE, RUNTIME_FILE, load_document
    from preflight.trust.bot_core.credentials import serialize_credential, storage_key
    from preflight.trust.bot_core.environment import credential_needs
    from preflight.trust.bot_core.fingerprint import write_document
    from preflight.trust.bot_core.hmac_keys import new_key, write_keyring
    from preflight.trust.bot_core.license import new_payload, write_license
    from preflight.trust.bot_core.policy import DECLARED_PATH, ENFORCED_PATH, read_policy
    from preflight.trust.bot_core.secrets_file import write_secrets_file
    from preflight.trust.bot_core.store_location import PASSPHRASE_ENV, SECRETS_PATH_ENV
    from preflight.trust.timeutil import utc_now

    run_env = dict(os.environ if env is None else env)
    if not passphrase:
        raise UsageError("an empty passphrase cannot protect the secrets file; give one")
    # read as bot_core reads them: PyYAML keeps the last copy of a duplicated key (real checkouts have some)
    core = load_document(root, CORE_FILE, last_duplicate_wins=True)
    runtime = load_document(root, RUNTIME_FILE, last_duplicate_wins=True)
    if runtime.lookup(f"trading.entrypoints.{entrypoint}") is None:
        raise ConfigError(
            f"entrypoint {entrypoint!r} is not defined under trading.entrypoints; name one of the checkout's",
            runtime.location_of("trading.entrypoints"),
        )
    enforced = read_policy(core, ENFORCED_PATH, f"{CORE_FILE} {ENFORCED_PATH}")
    declared = read_policy(runtime, DECLARED_PATH, f"{RUNTIME_FILE} {DECLARED_PATH}")
    entries: dict[str, str] = {}
    for env_name, (api_key, secret) in sorted(credentials.items()):
        needs = credential_needs(core, env_name)
        if needs is None:
            raise ConfigError(
                f"environment {env_name!r} is not defined in {CORE_FILE}", core.location_of("environments")
            )
        entries[storage_key(needs.keychain_key, needs.purpose)] = serialize_credential(
            api_key, secret, needs.required, needs.environment
        )
    notes: list[str] = []
    plan = _plan(root, enforced, run_env, notes)
    existing = next((p for p in plan.targets() if p.exists()), None)
    if existing is not None:
        raise UsageError(
            f"{existing} already exists; adoption never overwrites a file — move it away or keep it"
        )
    moment = now or utc_now()
    allowed = enforced.value("allowed_profiles") or declared.value("allowed_profiles")
    chosen = profile or (allowed[0] if isinstance(allowed, tuple) and allowed else "desktop")
    license_key_id, license_key = new_key("preflight-license")
    fingerprint_key_id, fingerprint_key = new_key("preflight-fingerprint")
    try:
        write_keyring(plan.license_keys, {license_key_id: license_key})
        write_keyring(plan.fingerprint_keys, {fingerprint_key_id: fingerprint_key})
        document = write_document(
            plan.fingerprint, factors or machine_factors(), fingerprint_key, fingerprint_key_id, moment
        )
        payload = new_payload(
            issuer=issuer,
            licensee=licensee,
            profile=str(chosen),
            days=days,
            fingerprint=document.fingerprint,
            now=moment,
        )
        write_license(plan.license, payload, license_key, license_key_id)
        write_secrets_file(plan.secrets, passphrase, entries)
    except BaseException:
        # a half-provisioned checkout (a license without its keys) is worse than none: undo what was written
        for path in plan.targets():
            path.unlink(missing_ok=True)
        raise
    notes.append(
        "the fingerprint was computed from the factors preflight records (hostname, platform), not from "
        "bot_core's own probe: bot_core's fingerprint tool computes another value on this machine, so have "
        "the production license issued for the value it prints"
    )
    notes.append(
        f"the license and fingerprint keys are new, self-issued ({issuer}); keep both keys files private"
    )
    notes.append(f"export {PASSPHRASE_ENV} (the passphrase given) before running the command below")
    prefix = f"{SECRETS_PATH_ENV}={shlex.quote(str(plan.secrets))} " if run_env.get(SECRETS_PATH_ENV) else ""
    command = f"{prefix}preflight run {shlex.quote(entrypoint)} --root {shlex.quote(str(root))}"
    return AdoptResult(created=plan.targets(), notes=tuple(notes), command=command)


def adopt(root: Path, request: InitRequest, io: InitIO) -> InitResult:
    """Adopt a bot_core checkout for ``preflight init DIR --adopt``: ask for its keys, then provision.

    The keys of the entrypoint's environment (and of the live environment, when core.yaml defines it)
    are asked as hidden answers or read from stdin, never from the command line; the passphrase comes
    from PREFLIGHT_BOT_CORE_PASSPHRASE or is asked (twice on a terminal).
    """
    from preflight.deployment.documents import CORE_FILE, RUNTIME_FILE, load_document
    from preflight.trust.bot_core.store_location import PASSPHRASE_ENV, PASSPHRASE_FILE_ENV

    runtime = load_document(root, RUNTIME_FILE, last_duplicate_wins=True)
    core = load_document(root, CORE_FILE, last_duplicate_wins=True)
    found = runtime.lookup(f"trading.entrypoints.{request.entrypoint}.environment")
    if found is None or not isinstance(found.value, str):
        raise UsageError(
            f"entrypoint {request.entrypoint!r} has no environment in {RUNTIME_FILE}; "
            "name one of the checkout's with --entrypoint"
        )
    environments = [found.value]
    if request.live_environment != found.value and core.lookup(f"environments.{request.live_environment}"):
        environments.append(request.live_environment)
    credentials: dict[str, tuple[str, str]] = {}
    for env_name in environments:
        api_key = io.ask(f"API key for {env_name}: ", secret=True)
        secret = io.ask(f"API secret for {env_name}: ", secret=True)
        if not api_key or not secret:
            raise UsageError(
                f"no API key and secret given for {env_name}; answer both prompts (or stdin lines)"
            )
        credentials[env_name] = (api_key, secret)
    given = request.env.get(PASSPHRASE_ENV)
    passphrase = given or io.ask("Passphrase for bot_core's secrets file: ", secret=True)
    if io.interactive and not given and io.ask("Repeat the passphrase: ", secret=True) != passphrase:
        raise UsageError("the two passphrases differ; run init again")
    result = adopt_bot_core(
        root,
        entrypoint=request.entrypoint,
        passphrase=passphrase,
        credentials=credentials,
        licensee=request.licensee or "this desk",
        issuer=request.issuer,
        days=request.days,
        env=request.env,
    )
    shown = [str(p.relative_to(root)) if p.is_relative_to(root) else str(p) for p in result.created]
    return InitResult(
        root=root,
        written=tuple(shown),
        issuer_key=None,
        vars_file="",
        variables={},
        entrypoint=request.entrypoint,
        needs_vars=False,
        passphrase_from=f"{PASSPHRASE_ENV} or {PASSPHRASE_FILE_ENV}",
        next_steps=result.notes,
        command=result.command,
    )
