"""The ``preflight`` format: this project's own dialect (SPEC.md section 5), validated whole-file as before.

Every fact sits at one key of config/runtime.yaml or config/core.yaml, so facts resolve to a
:class:`~preflight.deployment.facts.Target` and checks judge those keys exactly as a ``path:`` check
would: the same messages, evidence and locations as 0.1.0. A duplicate key is an error here.
"""

from __future__ import annotations

from pathlib import Path

from preflight.context import RunContext
from preflight.deployment.documents import CORE_FILE, RUNTIME_FILE, document_for
from preflight.deployment.facts import Address, Fact, Gap, GapKind, Resolution, Target
from preflight.deployment.formats import FormatName, runtime_names_core
from preflight.deployment.model import Deployment
from preflight.errors import Location
from preflight.results import Evidence, Outcome

# subject kind -> (file, key path of the collection); attributes map below where the names differ
_COLLECTIONS = {
    "entrypoints": (RUNTIME_FILE, "trading.entrypoints"),
    "environments": (CORE_FILE, "environments"),
    "paper_profiles": (RUNTIME_FILE, "execution.paper_profiles"),
    "trading_profiles": (RUNTIME_FILE, "execution.trading_profiles"),
    "io_queues": (RUNTIME_FILE, "io_queue.exchanges"),
    "permission_profiles": (CORE_FILE, "permission_profiles"),
    "strategy_profiles": (CORE_FILE, "profiles"),
    "licensing": (RUNTIME_FILE, "licensing"),
}
_RENAMED = {
    ("entrypoints", "strategy_profile"): "profile",
    ("environments", "paper_account"): "paper_trading",
}


def target(address: Address) -> Target:
    """Return the key of the preflight dialect holding ``address``."""
    file, collection = _COLLECTIONS[address.kind]
    attribute = _RENAMED.get((address.kind, address.attribute), address.attribute)
    if address.kind == "paper_profiles" and attribute.startswith("thresholds."):
        attribute = "metrics." + attribute
    path = ".".join(part for part in (collection, address.name, attribute) if part)
    return Target(file, path)


class PreflightFormat:
    """The preflight dialect."""

    name = FormatName.PREFLIGHT
    last_duplicate_wins = False

    def claims(self, root: Path) -> str | None:
        """Claim every root no other format claims."""
        if runtime_names_core(root / RUNTIME_FILE):
            return "format preflight (although config/runtime.yaml has core.path)"
        return "format preflight (no core.path in config/runtime.yaml)"

    def schema_for(self, relpath: str, default: str) -> str:
        """Return the schema the runbook names: runtime and core are this dialect's."""
        return default

    def load(self, ctx: RunContext) -> Deployment:
        """Validate both files whole against their schemas and build the model."""
        from preflight.deployment.load import build_deployment

        return build_deployment(ctx.root, document_for(ctx, RUNTIME_FILE), document_for(ctx, CORE_FILE))

    def resolve(self, ctx: RunContext, address: Address) -> Resolution:
        """Map the fact to its key; an entrypoint's strategy must be one of core.yaml's profiles."""
        if address.kind == "strategy_definitions":
            return _strategy_definition(ctx, address.name)
        return target(address)

    def where(self, ctx: RunContext, address: Address) -> Location:
        """Return the location of the fact's key, or of its deepest existing parent."""
        found = target(address)
        return document_for(ctx, found.file).location_of(found.path)

    def path_of(self, ctx: RunContext, address: Address) -> str:
        """Return the fact's key path."""
        return target(address).path

    def review(self, ctx: RunContext, relpath: str, schema: str) -> Outcome | None:
        """Nothing beyond the schema: duplicates already fail the load."""
        return None


def _strategy_definition(ctx: RunContext, entrypoint: str) -> Resolution:
    from preflight.deployment import deployment_for

    deployment = deployment_for(ctx)
    ep = deployment.runtime.entrypoints[entrypoint]
    where = document_for(ctx, RUNTIME_FILE).location_of(f"trading.entrypoints.{ep.name}.profile")
    profiles = deployment.core.profiles
    if ep.profile not in profiles:
        return Gap(
            GapKind.MISSING,
            f"entrypoint {ep.name} activates strategy profile {ep.profile!r} ({where}), "
            f"which {CORE_FILE} does not define (profiles: {', '.join(profiles) or '(none)'})",
            (Evidence("profile", ep.profile, where),),
        )
    defined = document_for(ctx, CORE_FILE).location_of(f"profiles.{ep.profile}")
    return Fact(ep.profile, defined, f"profiles.{ep.profile}")


FORMAT = PreflightFormat()
