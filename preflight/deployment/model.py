"""The typed deployment: runtime.yaml and core.yaml as frozen dataclasses (SPEC.md section 5).

Built by :mod:`preflight.deployment.load` after schema validation; nothing past the loader sees raw
YAML. Thresholds keep whatever scalar the file holds, so the metrics summary can report an invalid one
honestly (``invalid_thresholds``) while a static check fails it at its file:line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

Threshold = float | int | str | bool | None


class Mode(StrEnum):
    """Paper, live or testnet: an explicit field of the environment, never read from a name.

    Testnet (bot_core's third mode: the exchange's sandbox with real orders on test funds) is neither
    paper nor live: no check treats it as either.
    """

    PAPER = "paper"
    LIVE = "live"
    TESTNET = "testnet"


@dataclass(frozen=True)
class Entrypoint:
    """``trading.entrypoints.<name>``."""

    name: str
    environment: str
    profile: str  # the strategy profile (bot_core: ``strategy``)
    tags: tuple[str, ...]
    description: str = ""
    controller: str | None = None  # bot_core only: the runtime controller
    risk_profile: str | None = None  # bot_core only: the risk profile (else the environment's)


@dataclass(frozen=True)
class Guardrails:
    """Per-order and per-session limits every order passes before it reaches the adapter."""

    max_order_notional: float
    max_position_notional: float
    max_open_orders: int
    max_orders_per_minute: int
    max_drawdown_pct: float


@dataclass(frozen=True)
class Thresholds:
    """``metrics.thresholds``: kept as found; see the module docstring."""

    rate_limit_max: Threshold
    network_errors_max: Threshold
    health_min: Threshold


@dataclass(frozen=True)
class MetricsConfig:
    """Which metric names the paper profile monitors, and their thresholds."""

    rate_limit: str
    network_errors: str
    health: str
    thresholds: Thresholds


@dataclass(frozen=True)
class SessionConfig:
    """The default paper session: how many ticks of simulated time, the seed, the tick length."""

    ticks: int
    seed: int
    interval_seconds: int


@dataclass(frozen=True)
class PaperProfile:
    """``execution.paper_profiles.<name>``."""

    name: str
    entrypoint: str
    adapter: str
    io_queue: str
    guardrails: Guardrails | None  # None: the format has no per-order limits (bot_core: risk fractions)
    metrics: MetricsConfig
    session: SessionConfig


@dataclass(frozen=True)
class TradingProfile:
    """``execution.trading_profiles.<name>``."""

    name: str
    entrypoint: str
    adapter: str
    guardrails: Guardrails | None  # see PaperProfile.guardrails


@dataclass(frozen=True)
class IoQueueLimits:
    """``max_concurrency`` = requests in flight; ``burst`` = requests pending (queued + in flight)."""

    max_concurrency: int
    burst: int


@dataclass(frozen=True)
class IoQueueConfig:
    """``io_queue``: defaults, per-queue limits, when a wait is a throttle event, where logs go."""

    defaults: IoQueueLimits
    rate_limit_warning_seconds: float
    log_directory: str
    exchanges: Mapping[str, IoQueueLimits]

    def limits(self, queue: str) -> IoQueueLimits:
        """Return the limits of ``queue``, falling back to the defaults."""
        return self.exchanges.get(queue, self.defaults)


@dataclass(frozen=True)
class LicensingPolicy:
    """``licensing`` in runtime.yaml: where the license lives and what it may say."""

    license_path: str
    fingerprint_path: str
    allowed_profiles: tuple[str, ...]
    allowed_issuers: tuple[str, ...]
    expiry_warning_days: int
    offline_access_doc: str


@dataclass(frozen=True)
class RuntimeConfig:
    """The whole of config/runtime.yaml."""

    entrypoints: Mapping[str, Entrypoint]
    paper_profiles: Mapping[str, PaperProfile]
    trading_profiles: Mapping[str, TradingProfile]
    io_queue: IoQueueConfig
    licensing: LicensingPolicy

    def paper_profile_for(self, entrypoint: str) -> PaperProfile | None:
        """Return the paper profile naming ``entrypoint``, if any."""
        return next((p for p in self.paper_profiles.values() if p.entrypoint == entrypoint), None)

    def trading_profile_for(self, entrypoint: str) -> TradingProfile | None:
        """Return the trading profile naming ``entrypoint``, if any."""
        return next((p for p in self.trading_profiles.values() if p.entrypoint == entrypoint), None)


@dataclass(frozen=True)
class PaperTrading:
    """``paper_trading`` of a paper environment: the simulated account's start."""

    initial_balances: Mapping[str, Decimal]
    symbols: tuple[str, ...]


@dataclass(frozen=True)
class Environment:
    """``environments.<name>`` in core.yaml."""

    name: str
    exchange: str
    adapter: str
    mode: Mode
    keychain_key: str
    endpoint: str  # "embedded" or a base URL
    permission_profile: str
    account_uid: str | None = None
    paper_trading: PaperTrading | None = None

    @property
    def embedded(self) -> bool:
        """Say whether this environment is served by the embedded simulator."""
        return self.endpoint == "embedded"


@dataclass(frozen=True)
class PermissionProfile:
    """What an API key must and must not be allowed to do (``Group.Permission`` names: ``Spot.SpotTrade``)."""

    name: str
    required: tuple[str, ...]
    forbidden: tuple[str, ...]
    require_ip_binding: bool
    key_expiry_warning_days: int


@dataclass(frozen=True)
class StrategySpec:
    """One strategy of a strategy profile."""

    name: str
    kind: str  # trend | mean_reversion | grid
    weight: float
    symbol: str
    params: Mapping[str, float]


@dataclass(frozen=True)
class StrategyProfile:
    """``profiles.<name>``: several weighted strategies."""

    name: str
    strategies: tuple[StrategySpec, ...]


@dataclass(frozen=True)
class SecretsSettings:
    """``secrets``: which backend holds the keychain and how to open it."""

    backend: str  # file | env
    path: str
    passphrase_env: str
    passphrase_file: str | None
    env_prefix: str


@dataclass(frozen=True)
class TrustedIssuer:
    """A license issuer key the deployment trusts (Ed25519, raw public key base64-encoded)."""

    key_id: str
    issuer: str
    public_key: str


@dataclass(frozen=True)
class CoreConfig:
    """The whole of config/core.yaml."""

    environments: Mapping[str, Environment]
    permission_profiles: Mapping[str, PermissionProfile]
    profiles: Mapping[str, StrategyProfile]
    secrets: SecretsSettings
    trusted_issuers: tuple[TrustedIssuer, ...]


@dataclass(frozen=True)
class Deployment:
    """A loaded deployment root."""

    root: Path
    runtime: RuntimeConfig
    core: CoreConfig

    def environment_of(self, entrypoint: str) -> Environment | None:
        """Return the environment an entrypoint points to, if both exist."""
        ep = self.runtime.entrypoints.get(entrypoint)
        return self.core.environments.get(ep.environment) if ep else None

    def paper_entrypoints(self) -> tuple[str, ...]:
        """Return every entrypoint whose environment has ``mode: paper`` (the monitored ones)."""
        return tuple(
            name
            for name, ep in self.runtime.entrypoints.items()
            if (env := self.core.environments.get(ep.environment)) is not None and env.mode is Mode.PAPER
        )
