"""What a paper session runs: the target, every monitored entrypoint it can serve, and why not the rest."""

from __future__ import annotations

from dataclasses import dataclass

from preflight.deployment.model import (
    Deployment,
    Environment,
    Guardrails,
    IoQueueLimits,
    Mode,
    PaperProfile,
    StrategyProfile,
)
from preflight.errors import UsageError
from preflight.exchange import ADAPTERS, AdapterInfo
from preflight.papertrade.monitoring import MonitoredEntrypoint, monitored_entrypoints
from preflight.textsafe import look_alike_note

# The same bound as runtime.schema.json session.ticks: a week of one-minute ticks. Longer would keep the
# session (and the go-live gate waiting on it) busy for hours.
MAX_TICKS = 10_000


@dataclass(frozen=True)
class SessionOptions:
    """What the operator asked of the session (None: take the paper profile's value)."""

    entrypoint: str
    ticks: int | None = None
    seed: int | None = None
    faults: str | None = None
    exchange_url: str | None = None
    deadline_s: float = 600.0  # the whole session's ticks; DeadlineError past it


@dataclass(frozen=True)
class EntrypointPlan:
    """One entrypoint the session can serve, with everything its run needs from the deployment."""

    entrypoint: str
    environment: Environment
    paper_profile: PaperProfile
    guardrails: Guardrails  # the trading profile's, else the paper profile's
    guardrails_source: str  # "execution.trading_profiles.<name>" or "execution.paper_profiles.<name>"
    strategies: StrategyProfile
    adapter: AdapterInfo
    queue_key: str
    limits: IoQueueLimits
    base_url: str | None  # None: the embedded simulator

    @property
    def symbols(self) -> tuple[str, ...]:
        """Return the environment's symbols, then any other symbol a strategy trades."""
        listed = self.environment.paper_trading.symbols if self.environment.paper_trading else ()
        return tuple(dict.fromkeys((*listed, *(s.symbol for s in self.strategies.strategies))))


@dataclass(frozen=True)
class Unservable:
    """A monitored entrypoint the session cannot run, and why (it will have no series)."""

    entrypoint: str
    reason: str
    owner: str | None = None  # the runbook check that reports the same defect, when one does


class SessionRefused(UsageError):
    """The target entrypoint cannot be paper-traded; ``owner`` is the check reporting the same defect."""

    def __init__(self, message: str, owner: str | None) -> None:
        super().__init__(message)
        self.owner = owner


@dataclass(frozen=True)
class SessionPlan:
    """The whole session: the target first among the runnable ones, and the session parameters."""

    target: str
    monitored: tuple[MonitoredEntrypoint, ...]
    runnable: tuple[EntrypointPlan, ...]
    unservable: tuple[Unservable, ...]
    ticks: int
    seed: int
    interval_seconds: int
    faults: str
    exchange_url: str | None
    warning_seconds: float
    log_directory: str

    @property
    def embedded(self) -> tuple[EntrypointPlan, ...]:
        """Return the runnable entrypoints served by the embedded simulator."""
        return tuple(p for p in self.runnable if p.base_url is None)


def _plan_for(deployment: Deployment, name: str, exchange_url: str | None) -> EntrypointPlan | Unservable:
    entrypoint = deployment.runtime.entrypoints[name]
    environment = deployment.core.environments[entrypoint.environment]
    adapter = ADAPTERS.get(environment.adapter)
    if adapter is None:
        known = ", ".join(sorted(ADAPTERS))
        return Unservable(name, f"environment {environment.name} names adapter {environment.adapter!r}, "
                          f"which is not registered (registered: {known})", "core.refs.adapter")  # fmt: skip
    profile = deployment.runtime.paper_profile_for(name)
    if profile is None:
        return Unservable(
            name,
            "no execution.paper_profiles entry names this entrypoint",
            "execution.paper_profile.entrypoint",
        )
    strategies = deployment.core.profiles.get(entrypoint.profile)
    if strategies is None:
        return Unservable(
            name,
            f"strategy profile {entrypoint.profile!r} is not in config/core.yaml profiles",
            "runtime.refs.strategy_profile",
        )
    trading = deployment.runtime.trading_profile_for(name)
    guardrails, source = (
        (trading.guardrails, f"execution.trading_profiles.{trading.name}")
        if trading is not None
        else (profile.guardrails, f"execution.paper_profiles.{profile.name}")
    )
    if guardrails is None:
        return Unservable(name, f"{source} defines no per-order guardrails for the session to enforce")
    base_url = exchange_url or (None if environment.embedded else environment.endpoint)
    return EntrypointPlan(
        entrypoint=name,
        environment=environment,
        paper_profile=profile,
        guardrails=guardrails,
        guardrails_source=source,
        strategies=strategies,
        adapter=adapter,
        queue_key=profile.io_queue,
        limits=deployment.runtime.io_queue.limits(profile.io_queue),
        base_url=base_url,
    )


def make_plan(deployment: Deployment, options: SessionOptions) -> SessionPlan:
    """Plan the session for ``options.entrypoint``; UsageError when it is unknown or not a paper one."""
    name = options.entrypoint
    entrypoints = deployment.runtime.entrypoints
    if name not in entrypoints:
        known = ", ".join(entrypoints) or "none"
        raise UsageError(f"unknown entrypoint {name!r} (known: {known}){look_alike_note(name, entrypoints)}")
    environment = deployment.environment_of(name)
    if environment is None or environment.mode is not Mode.PAPER:
        papers = ", ".join(deployment.paper_entrypoints()) or "none"
        mode = environment.mode.value if environment else "unknown"
        raise UsageError(
            f"entrypoint {name!r} is not a paper entrypoint (mode {mode}); paper entrypoints: {papers}"
        )
    monitored = monitored_entrypoints(deployment)
    runnable: list[EntrypointPlan] = []
    unservable: list[Unservable] = []
    # The target runs first so its failures surface first; then the others in file order.
    for entry in sorted(monitored, key=lambda m: m.name != name):
        planned = _plan_for(deployment, entry.name, options.exchange_url)
        (runnable if isinstance(planned, EntrypointPlan) else unservable).append(planned)  # type: ignore[arg-type]
    target = next((p for p in runnable if p.entrypoint == name), None)
    if target is None:
        refused = next(u for u in unservable if u.entrypoint == name)
        raise SessionRefused(f"cannot run a paper session for {name!r}: {refused.reason}", refused.owner)
    session = target.paper_profile.session
    ticks = options.ticks if options.ticks is not None else session.ticks
    if not 1 <= ticks <= MAX_TICKS:
        raise UsageError(f"--ticks must be between 1 and {MAX_TICKS}, got {ticks}")
    io_queue = deployment.runtime.io_queue
    return SessionPlan(
        target=name,
        monitored=monitored,
        runnable=tuple(runnable),
        unservable=tuple(unservable),
        ticks=ticks,
        seed=options.seed if options.seed is not None else session.seed,
        interval_seconds=session.interval_seconds,
        faults=options.faults or "",
        exchange_url=options.exchange_url,
        warning_seconds=io_queue.rate_limit_warning_seconds,
        log_directory=io_queue.log_directory,
    )
