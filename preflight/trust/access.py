"""Per-run access to the trust files: load each once per run and share it (and its error) among checks."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from preflight.context import RunContext
    from preflight.trust.fingerprint import Fingerprint, FingerprintRecord
    from preflight.trust.license import SignedLicense


def license_for(ctx: RunContext) -> SignedLicense:
    """Load the deployment's license (runtime licensing.license_path) once per run."""
    from preflight.deployment import deployment_for
    from preflight.trust.license import load_license

    def load() -> SignedLicense:
        """Load the license file named by the runtime policy."""
        relative = deployment_for(ctx).runtime.licensing.license_path
        ctx.record_input(ctx.root / relative)
        return load_license(ctx.root / relative, relative)

    return ctx.memo("trust.license", load)


def fingerprint_record_for(ctx: RunContext) -> FingerprintRecord:
    """Load the deployment's fingerprint.json (runtime licensing.fingerprint_path) once per run."""
    from preflight.deployment import deployment_for
    from preflight.trust.fingerprint import load_record

    def load() -> FingerprintRecord:
        """Load the fingerprint record named by the runtime policy."""
        relative = deployment_for(ctx).runtime.licensing.fingerprint_path
        ctx.record_input(ctx.root / relative)
        return load_record(ctx.root / relative, relative)

    return ctx.memo("trust.fingerprint_record", load)


def machine_fingerprint_for(ctx: RunContext) -> Fingerprint:
    """Compute this machine's fingerprint once per run (factors injectable via the run's environment)."""
    from preflight.trust.fingerprint import current_fingerprint, provider_from_env
    from preflight.trust.secrets import run_env

    return ctx.memo("trust.machine_fingerprint", lambda: current_fingerprint(provider_from_env(run_env(ctx))))
