"""Load a deployment root: validate runtime.yaml and core.yaml against their schemas, then build the model.

Validation happens at the edge with positions (a violation is a ConfigError at ``file:line:col``);
the builders below only ever see schema-valid data, so they index without defensive checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from preflight.context import RunContext, RunOptions
from preflight.deployment.model import (
    CoreConfig,
    Deployment,
    Entrypoint,
    Environment,
    Guardrails,
    IoQueueConfig,
    IoQueueLimits,
    LicensingPolicy,
    MetricsConfig,
    Mode,
    PaperProfile,
    PaperTrading,
    PermissionProfile,
    RuntimeConfig,
    SecretsSettings,
    SessionConfig,
    StrategyProfile,
    StrategySpec,
    Thresholds,
    TradingProfile,
    TrustedIssuer,
)
from preflight.errors import UsageError
from preflight.schemas import validate_document
from preflight.yamlio import YamlDocument

Raw = Mapping[str, Any]


def load_deployment(root: Path, deployment_format: str | None = None) -> Deployment:
    """Load and validate ``root``'s config; UsageError if the root is missing, ConfigError on bad files.

    The format is detected from the files unless ``deployment_format`` forces one.
    """
    if not root.is_dir():
        raise UsageError(f"deployment root {root} does not exist or is not a directory; pass --root")
    options = RunOptions(root=root, entrypoint="", deployment_format=deployment_format)
    return deployment_for(RunContext(options, {}))


def deployment_for(ctx: RunContext) -> Deployment:
    """Return the run's deployment, built once by the root's format; its files are recorded as inputs."""
    from preflight.deployment.formats import format_of

    return ctx.memo("deployment", lambda: format_of(ctx).load(ctx))


def build_deployment(root: Path, runtime_doc: YamlDocument, core_doc: YamlDocument) -> Deployment:
    """Validate both documents against their schemas and convert them to the frozen model."""
    validate_document(runtime_doc, "runtime")
    validate_document(core_doc, "core")
    # The schemas require objects at the top, so the casts only tell mypy what validation proved.
    runtime = cast(Raw, runtime_doc.to_plain())
    core = cast(Raw, core_doc.to_plain())
    return Deployment(root=root, runtime=build_runtime(runtime), core=build_core(core))


def build_runtime(raw: Raw) -> RuntimeConfig:
    """Convert schema-valid runtime.yaml data."""
    execution = raw["execution"]
    io_queue = raw["io_queue"]
    licensing = raw["licensing"]
    return RuntimeConfig(
        entrypoints={
            name: Entrypoint(
                name=name,
                environment=ep["environment"],
                profile=ep["profile"],
                tags=tuple(ep["tags"]),
                description=ep.get("description", ""),
            )
            for name, ep in raw["trading"]["entrypoints"].items()
        },
        paper_profiles={name: _paper_profile(name, p) for name, p in execution["paper_profiles"].items()},
        trading_profiles={
            name: TradingProfile(
                name=name,
                entrypoint=p["entrypoint"],
                adapter=p["adapter"],
                guardrails=_guardrails(p["guardrails"]),
            )
            for name, p in execution["trading_profiles"].items()
        },
        io_queue=IoQueueConfig(
            defaults=_limits(io_queue["defaults"]),
            rate_limit_warning_seconds=float(io_queue["rate_limit_warning_seconds"]),
            log_directory=io_queue["log_directory"],
            exchanges={key: _limits(value) for key, value in io_queue["exchanges"].items()},
        ),
        licensing=LicensingPolicy(
            license_path=licensing["license_path"],
            fingerprint_path=licensing["fingerprint_path"],
            allowed_profiles=tuple(licensing["allowed_profiles"]),
            allowed_issuers=tuple(licensing["allowed_issuers"]),
            expiry_warning_days=int(licensing["expiry_warning_days"]),
            offline_access_doc=licensing["offline_access_doc"],
        ),
    )


def _paper_profile(name: str, raw: Raw) -> PaperProfile:
    metrics = raw["metrics"]
    thresholds = metrics["thresholds"]
    session = raw.get("session", {})
    return PaperProfile(
        name=name,
        entrypoint=raw["entrypoint"],
        adapter=raw["adapter"],
        io_queue=raw["io_queue"],
        guardrails=_guardrails(raw["guardrails"]),
        metrics=MetricsConfig(
            rate_limit=metrics.get("rate_limit", "bot_exchange_rate_limited_total"),
            network_errors=metrics.get("network_errors", "bot_exchange_errors_total"),
            health=metrics.get("health", "bot_exchange_health_status"),
            thresholds=Thresholds(
                rate_limit_max=thresholds["rate_limit_max"],
                network_errors_max=thresholds["network_errors_max"],
                health_min=thresholds["health_min"],
            ),
        ),
        session=SessionConfig(
            ticks=int(session.get("ticks", 240)),
            seed=int(session.get("seed", 7)),
            interval_seconds=int(session.get("interval_seconds", 60)),
        ),
    )


def _guardrails(raw: Raw) -> Guardrails:
    return Guardrails(
        max_order_notional=float(raw["max_order_notional"]),
        max_position_notional=float(raw["max_position_notional"]),
        max_open_orders=int(raw["max_open_orders"]),
        max_orders_per_minute=int(raw["max_orders_per_minute"]),
        max_drawdown_pct=float(raw["max_drawdown_pct"]),
    )


def _limits(raw: Raw) -> IoQueueLimits:
    return IoQueueLimits(max_concurrency=int(raw["max_concurrency"]), burst=int(raw["burst"]))


def build_core(raw: Raw) -> CoreConfig:
    """Convert schema-valid core.yaml data."""
    secrets = raw["secrets"]
    return CoreConfig(
        environments={name: _environment(name, env) for name, env in raw["environments"].items()},
        permission_profiles={
            name: PermissionProfile(
                name=name,
                required=tuple(p["required"]),
                forbidden=tuple(p["forbidden"]),
                require_ip_binding=bool(p.get("require_ip_binding", True)),
                key_expiry_warning_days=int(p.get("key_expiry_warning_days", 14)),
            )
            for name, p in raw["permission_profiles"].items()
        },
        profiles={
            name: StrategyProfile(
                name=name,
                strategies=tuple(
                    StrategySpec(
                        name=s["name"],
                        kind=s["kind"],
                        weight=float(s["weight"]),
                        symbol=s["symbol"],
                        params={k: float(v) for k, v in s.get("params", {}).items()},
                    )
                    for s in p["strategies"]
                ),
            )
            for name, p in raw["profiles"].items()
        },
        secrets=SecretsSettings(
            backend=secrets["backend"],
            path=secrets.get("path", "var/secrets/keychain.enc"),
            passphrase_env=secrets.get("passphrase_env", "PREFLIGHT_SECRETS_PASSPHRASE"),
            passphrase_file=secrets.get("passphrase_file"),
            env_prefix=secrets.get("env_prefix", "PREFLIGHT_SECRET_"),
        ),
        trusted_issuers=tuple(
            TrustedIssuer(key_id=i["key_id"], issuer=i["issuer"], public_key=i["public_key"])
            for i in raw["licensing"]["trusted_issuers"]
        ),
    )


def _environment(name: str, raw: Raw) -> Environment:
    paper = raw.get("paper_trading")
    uid = raw.get("account_uid")
    return Environment(
        name=name,
        exchange=raw["exchange"],
        adapter=raw["adapter"],
        mode=Mode(raw["mode"]),
        keychain_key=raw["keychain_key"],
        endpoint=raw["endpoint"],
        permission_profile=raw["permission_profile"],
        account_uid=None if uid is None else str(uid),
        paper_trading=None
        if paper is None
        else PaperTrading(
            # str() first: a binary float such as 0.05 must become Decimal("0.05"), not its expansion
            initial_balances={coin: Decimal(str(v)) for coin, v in paper["initial_balances"].items()},
            symbols=tuple(paper["symbols"]),
        ),
    )
