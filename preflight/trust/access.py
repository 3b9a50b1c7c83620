"""Per-run access to the trust files (each loaded once per run, its error shared among checks) and to the
environment and permission profile a key must serve."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from preflight.context import RunContext
    from preflight.deployment.model import Deployment, Environment, LicensingPolicy, PermissionProfile
    from preflight.results import Outcome
    from preflight.trust.fingerprint import Fingerprint, FingerprintRecord
    from preflight.trust.license import SignedLicense

T = TypeVar("T")


def license_for(ctx: RunContext) -> SignedLicense:
    """Load the deployment's license (runtime licensing.license_path) once per run."""
    from preflight.trust.license import load_license

    return _licensing_file(ctx, "trust.license", lambda p: p.license_path, load_license, "license_path")


def fingerprint_record_for(ctx: RunContext) -> FingerprintRecord:
    """Load the deployment's fingerprint.json (runtime licensing.fingerprint_path) once per run."""
    from preflight.trust.fingerprint import load_record

    return _licensing_file(
        ctx, "trust.fingerprint_record", lambda p: p.fingerprint_path, load_record, "fingerprint_path"
    )


def _licensing_file(
    ctx: RunContext,
    memo_key: str,
    relative_of: Callable[[LicensingPolicy], str],
    load_file: Callable[[Path, str], T],
    field_name: str,
) -> T:
    """Load the file a runtime licensing field names once per run, recording it as a run input."""
    from preflight.deployment import deployment_for
    from preflight.deployment.documents import resolve_under
    from preflight.errors import ConfigError, LicenseError

    def load() -> T:
        """Load the file named by the runtime policy; a path leaving the root is refused, not followed."""
        relative = relative_of(deployment_for(ctx).runtime.licensing)
        try:
            path = resolve_under(ctx.root, relative)
        except ConfigError as error:
            raise LicenseError(
                f"config/runtime.yaml licensing.{field_name} {relative!r} is refused: {error.message}; "
                "point it at a file under the deployment root"
            ) from None
        ctx.record_input(path)
        return load_file(path, relative)

    return ctx.memo(memo_key, load)


def machine_fingerprint_for(ctx: RunContext) -> Fingerprint:
    """Compute this machine's fingerprint once per run (factors injectable via the run's environment)."""
    from preflight.trust.fingerprint import current_fingerprint, provider_from_env
    from preflight.trust.secrets import run_env

    return ctx.memo("trust.machine_fingerprint", lambda: current_fingerprint(provider_from_env(run_env(ctx))))


def undefined_environment(ctx: RunContext, env_name: str) -> Outcome:
    """The one finding for a runbook environment the deployment does not define, reported once.

    The secrets, license, key-probe and clock checks all need the environment; the first to meet its
    absence states it (with the variable that names it), the others are ``blocked by`` that check.
    """
    from preflight.deployment import deployment_for
    from preflight.deployment.facts import Address
    from preflight.deployment.formats import format_of
    from preflight.errors import ConfigError, InputError
    from preflight.results import Evidence
    from preflight.rootcause import failed_because

    try:
        environments = deployment_for(ctx).core.environments
        where = format_of(ctx).where(ctx, Address("environments", ""))
    except InputError as problem:
        return failed_because(ctx, problem)
    variables = sorted(name for name, value in ctx.variables.items() if value == env_name)
    fix = (
        f"Define environment {env_name} in the deployment, or name yours with --var {variables[0]}=NAME."
        if variables
        else f"Define environment {env_name} in the deployment, or fix the name the runbook gives."
    )
    by_mode = ", ".join(f"{e.name} ({e.mode.value})" for e in environments.values()) or "none"
    named = f" (runbook variable {', '.join(variables)})" if variables else ""
    error = ConfigError(f"environment {env_name!r}{named} is not defined in the deployment ({where})")
    return failed_because(ctx, error, fix=fix, evidence=(Evidence("environments", by_mode, where),))


def environment_or_outcome(
    ctx: RunContext, env_name: str, *, name_environment: bool
) -> tuple[Deployment, Environment, PermissionProfile] | Outcome:
    """Return the deployment, ``env_name`` and its permission profile, or the failed outcome saying which
    is missing (``name_environment``: an unknown profile's message names the environment too)."""
    from preflight.deployment import deployment_for
    from preflight.deployment.documents import blocked_by
    from preflight.errors import InputError
    from preflight.results import Outcome

    try:
        deployment = deployment_for(ctx)
    except InputError as error:
        return blocked_by(error) or Outcome.failed(str(error))
    environment = deployment.core.environments.get(env_name)
    if environment is None:
        return undefined_environment(ctx, env_name)
    profile = deployment.core.permission_profiles.get(environment.permission_profile)
    if profile is None:
        named = f"{environment.permission_profile!r}" + (f" of {env_name}" if name_environment else "")
        return Outcome.failed(f"permission profile {named} is not defined in config/core.yaml")
    return deployment, environment, profile
