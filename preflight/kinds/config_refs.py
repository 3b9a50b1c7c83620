"""Kind ``config_refs``: cross-file reference integrity of an entrypoint's chain.

entrypoint -> environment exists -> environment adapter registered -> the paper/trading profiles use
that adapter -> keychain key named (and not shared) -> permission profile exists -> io_queue key exists;
every paper/trading profile names an existing entrypoint; the strategy profile exists. ``chain`` lists
the links to verify, in order; the first broken link fails the check at the referring file:line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from preflight.context import RunContext
from preflight.deployment.facts import Address, Fact
from preflight.deployment.formats import DeploymentFormat
from preflight.deployment.model import Deployment, Environment
from preflight.errors import InputError, Location
from preflight.kinds.base import CheckKind
from preflight.results import Evidence, Outcome, Status

LINKS = (
    "environment",
    "adapter",
    "profiles",
    "keychain_key",
    "permission_profile",
    "io_queue",
    "profile_entrypoints",
    "strategy_profile",
)

PARAMS_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["chain"],
    "properties": {
        "entrypoint": {
            "type": "string",
            "minLength": 1,
            "default": "{entrypoint}",
            "description": "The entrypoint whose chain is checked (templated).",
        },
        "chain": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"enum": list(LINKS)},
            "description": "The links to verify, in order.",
        },
    },
}


@dataclass(frozen=True)
class RefsParams:
    """The entrypoint and the links of its chain to verify."""

    entrypoint: str
    chain: tuple[str, ...]


def parse(params: Mapping[str, Any]) -> RefsParams:
    """Build the params value from templated params."""
    return RefsParams(entrypoint=str(params.get("entrypoint", "{entrypoint}")), chain=tuple(params["chain"]))


@dataclass
class _Docs:
    """The deployment, the format that locates its facts, and the caveats met on the way."""

    deployment: Deployment
    ctx: RunContext
    fmt: DeploymentFormat
    entrypoint: str
    caveats: list[str] = field(default_factory=list)

    def at(self, kind: str, name: str = "", attribute: str = "") -> Location:
        """Return where a fact (or its deepest existing parent) is written in the root's format."""
        return self.fmt.where(self.ctx, Address(kind, name, attribute))

    def path(self, kind: str, name: str = "", attribute: str = "") -> str:
        """Return the key path of a fact in the root's format."""
        return self.fmt.path_of(self.ctx, Address(kind, name, attribute))

    def environment(self) -> Environment | None:
        """Return the entrypoint's environment, if both exist."""
        return self.deployment.environment_of(self.entrypoint)


Link = Callable[[_Docs], Outcome | Evidence]


def run(params: RefsParams, ctx: RunContext) -> Outcome:
    """Verify each link in order; the first broken one fails the check."""
    from preflight.deployment import deployment_for
    from preflight.deployment.documents import blocked_by
    from preflight.deployment.formats import format_of

    entrypoint = ctx.template(params.entrypoint)
    try:
        docs = _Docs(deployment_for(ctx), ctx, format_of(ctx), entrypoint)
        if entrypoint not in docs.deployment.runtime.entrypoints:
            where = docs.at("entrypoints")
            return Outcome.failed(
                f"entrypoint {entrypoint!r} is not defined in trading.entrypoints ({where})"
            )
        evidence = []
        for name in params.chain:
            found = _LINKS[name](docs)
            if isinstance(found, Outcome):
                return found
            evidence.append(found)
    except InputError as error:
        return blocked_by(error) or Outcome.failed(
            f"the configuration cannot be used: {error}", Evidence("file", error.message, error.location)
        )
    message = f"{entrypoint}: {', '.join(params.chain)} references resolve"
    if docs.caveats:
        return Outcome.warned("; ".join([message, *docs.caveats]), *evidence)
    return Outcome.passed(message, *evidence)


def _environment(docs: _Docs) -> Outcome | Evidence:
    ep = docs.deployment.runtime.entrypoints[docs.entrypoint]
    where = docs.at("entrypoints", ep.name, "environment")
    if ep.environment not in docs.deployment.core.environments:
        known = ", ".join(docs.deployment.core.environments) or "(none)"
        core_file = docs.at("environments").file
        return Outcome.failed(
            f"entrypoint {ep.name} points to environment {ep.environment!r} ({where}), "
            f"which {core_file} does not define (environments: {known})",
            Evidence("reference", ep.environment, where),
            Evidence("environments", known, docs.at("environments")),
        )
    return Evidence("environment", ep.environment, docs.at("environments", ep.environment))


def _adapter(docs: _Docs) -> Outcome | Evidence:
    from preflight.exchange import ADAPTERS

    env = docs.environment()
    if env is None:
        return _environment(docs)
    where = docs.at("environments", env.name, "adapter")
    info = ADAPTERS.get(env.adapter)
    if info is None:
        return Outcome.failed(
            f"environment {env.name} uses adapter {env.adapter!r} ({where}), which is not registered "
            f"(registered: {', '.join(ADAPTERS)})",
            Evidence("adapter", env.adapter, where),
        )
    if info.exchange != env.exchange:
        return Outcome.failed(
            f"environment {env.name} trades on {env.exchange!r} but adapter {env.adapter} is for "
            f"{info.exchange!r} ({where})",
            Evidence("adapter", env.adapter, where),
        )
    return Evidence("adapter", f"{env.adapter} (registered, {info.exchange} {info.market})", where)


def _profiles(docs: _Docs) -> Outcome | Evidence:
    from preflight.exchange import ADAPTERS

    env = docs.environment()
    if env is None:
        return _environment(docs)
    runtime = docs.deployment.runtime
    found = []
    for section, profile in (
        ("paper_profiles", runtime.paper_profile_for(docs.entrypoint)),
        ("trading_profiles", runtime.trading_profile_for(docs.entrypoint)),
    ):
        if profile is None:
            continue
        where = docs.at(section, profile.name, "adapter")
        if profile.adapter not in ADAPTERS:
            return Outcome.failed(
                f"execution.{section}.{profile.name} uses adapter {profile.adapter!r} ({where}), "
                f"which is not registered (registered: {', '.join(ADAPTERS)})",
                Evidence("adapter", profile.adapter, where),
            )
        if profile.adapter != env.adapter:
            return Outcome.failed(
                f"execution.{section}.{profile.name} uses adapter {profile.adapter!r} ({where}) "
                f"but environment {env.name} uses {env.adapter!r}",
                Evidence("adapter", profile.adapter, where),
            )
        found.append(f"{section}.{profile.name}")
    if env.mode.value == "paper" and runtime.paper_profile_for(docs.entrypoint) is None:
        return Outcome.failed(
            f"no execution.paper_profiles entry names entrypoint {docs.entrypoint} "
            f"({docs.at('paper_profiles')}); its paper session has no profile"
        )
    return Evidence("profiles", f"{', '.join(found) or '(none)'} use {env.adapter}")


def _keychain_key(docs: _Docs) -> Outcome | Evidence:
    env = docs.environment()
    if env is None:
        return _environment(docs)
    where = docs.at("environments", env.name, "keychain_key")
    sharing = [
        other.name
        for other in docs.deployment.core.environments.values()
        if other.name != env.name and other.keychain_key == env.keychain_key
    ]
    if sharing:
        return Outcome.failed(
            f"environment {env.name} shares keychain key {env.keychain_key!r} ({where}) "
            f"with {', '.join(sharing)}; each environment needs its own API key",
            Evidence("keychain_key", env.keychain_key, where),
        )
    return Evidence("keychain_key", env.keychain_key, where)


def _permission_profile(docs: _Docs) -> Outcome | Evidence:
    env = docs.environment()
    if env is None:
        return _environment(docs)
    where = docs.at("environments", env.name, "permission_profile")
    profiles = docs.deployment.core.permission_profiles
    if env.permission_profile not in profiles:
        return Outcome.failed(
            f"environment {env.name} names permission profile {env.permission_profile!r} ({where}), "
            f"which is not defined (permission_profiles: {', '.join(profiles) or '(none)'})",
            Evidence("permission_profile", env.permission_profile, where),
        )
    return Evidence(
        "permission_profile",
        env.permission_profile,
        docs.at("permission_profiles", env.permission_profile),
    )


def _io_queue(docs: _Docs) -> Outcome | Evidence:
    from preflight.deployment.facts import Fact

    profile = docs.deployment.runtime.paper_profile_for(docs.entrypoint)
    if profile is None:
        return Evidence("io_queue", "no paper profile names this entrypoint; nothing to queue")
    where = docs.at("paper_profiles", profile.name, "io_queue")
    queues = docs.deployment.runtime.io_queue.exchanges
    if profile.io_queue not in queues:
        return Outcome.failed(
            f"execution.paper_profiles.{profile.name} uses io_queue {profile.io_queue!r} ({where}), "
            f"which io_queue.exchanges does not define (defined: {', '.join(queues) or '(none)'}); "
            "it would silently run with the defaults",
            Evidence("io_queue", profile.io_queue, where),
        )
    found = docs.fmt.resolve(docs.ctx, Address("io_queues", profile.io_queue))
    if isinstance(found, Fact) and found.caveat:
        docs.caveats.append(f"io_queue {profile.io_queue}: {found.caveat}")
    return Evidence("io_queue", profile.io_queue, docs.at("io_queues", profile.io_queue))


def _profile_entrypoints(docs: _Docs) -> Outcome | Evidence:
    runtime = docs.deployment.runtime
    named = [("paper_profiles", p.name, p.entrypoint) for p in runtime.paper_profiles.values()]
    named += [("trading_profiles", p.name, p.entrypoint) for p in runtime.trading_profiles.values()]
    for section, name, entrypoint in named:
        if entrypoint not in runtime.entrypoints:
            where = docs.at(section, name, "entrypoint")
            return Outcome.failed(
                f"execution.{section}.{name} names entrypoint {entrypoint!r} ({where}), "
                "which trading.entrypoints does not define",
                Evidence("entrypoint", entrypoint, where),
            )
    return Evidence("profile entrypoints", f"{len(named)} profiles name defined entrypoints")


def _strategy_profile(docs: _Docs) -> Outcome | Evidence:
    from preflight.deployment.facts import Gap

    found = docs.fmt.resolve(docs.ctx, Address("strategy_definitions", docs.entrypoint))
    if isinstance(found, Gap):
        return Outcome(Status.FAIL, found.message, found.evidence, blocked_by=found.blocked_by)
    if not isinstance(found, Fact):
        return Outcome.errored(f"the format resolved the strategy of {docs.entrypoint} to a key, not a value")
    return Evidence("strategy profile", str(found.value), found.location)


_LINKS: Mapping[str, Link] = {
    "environment": _environment,
    "adapter": _adapter,
    "profiles": _profiles,
    "keychain_key": _keychain_key,
    "permission_profile": _permission_profile,
    "io_queue": _io_queue,
    "profile_entrypoints": _profile_entrypoints,
    "strategy_profile": _strategy_profile,
}

KIND: CheckKind[RefsParams] = CheckKind(
    name="config_refs",
    summary="Cross-file reference integrity: entrypoint -> environment -> adapter -> key -> io_queue.",
    params_schema=PARAMS_SCHEMA,
    parse=parse,
    run=run,
)
