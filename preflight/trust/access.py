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
        return Outcome.failed(f"environment {env_name!r} is not defined in config/core.yaml")
    profile = deployment.core.permission_profiles.get(environment.permission_profile)
    if profile is None:
        named = f"{environment.permission_profile!r}" + (f" of {env_name}" if name_environment else "")
        return Outcome.failed(f"permission profile {named} is not defined in config/core.yaml")
    return deployment, environment, profile
