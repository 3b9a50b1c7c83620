"""Build the typed deployment from a bot_core view, with bot_core's loader semantics (bot_core.md 2-3).

Members of a broken part are left out (the checks reading them say why); sections bot_core would
default are defaulted as bot_core does. The session-only parts bot_core has no equivalent for (order
guardrails in notional terms, preflight-style strategy profiles) stay empty, so the paper session
declines such an entrypoint in one sentence rather than inventing limits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from preflight.deployment.formats.bot_core_facts import (
    BYBIT_URLS,
    IO_QUEUE_DEFAULTS,
    OFFLINE_DOC,
    family,
    universe_symbols,
)
from preflight.deployment.formats.bot_core_view import Blocked, View, strategy_sections_of
from preflight.deployment.model import (
    CoreConfig,
    Deployment,
    Entrypoint,
    Environment,
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
    Thresholds,
    TradingProfile,
)

T = TypeVar("T")
Raw = Mapping[str, Any]


def members(view: View, role: str, path: str, build: Callable[[str, Raw], T]) -> dict[str, T]:
    """Build every readable member of the collection at ``path``; broken or malformed ones are left out."""
    built: dict[str, T] = {}
    for name in view.mapping(role, path):
        try:
            raw = view.mapping(role, f"{path}.{name}")
        except Blocked:
            continue
        built[str(name)] = build(str(name), raw)
    return built


def build(view: View, root: Any) -> Deployment:
    """Return the typed deployment bot_core would run."""
    return Deployment(root=root, runtime=_runtime(view), core=_core(view))


def _runtime(view: View) -> RuntimeConfig:
    entrypoints = members(view, "runtime", "trading.entrypoints", _entrypoint)
    environments = _mapping(view, "core", "environments")

    def adapter_of(raw: Raw) -> str:
        ep = entrypoints.get(str(raw.get("entrypoint", "")))
        env = environments.get(ep.environment) if ep else None
        return str(env.get("exchange", "")) if isinstance(env, dict) else ""

    return RuntimeConfig(
        entrypoints=entrypoints,
        paper_profiles=members(
            view, "runtime", "execution.paper_profiles", lambda n, r: _paper_profile(n, r, adapter_of(r))
        ),
        trading_profiles=members(
            view,
            "runtime",
            "execution.trading_profiles",
            lambda n, r: TradingProfile(n, str(r.get("entrypoint", "")), adapter_of(r), None),
        ),
        io_queue=_safe(lambda: _io_queue(view.mapping("runtime", "io_queue")), _io_queue({})),
        licensing=_safe(lambda: _licensing(view), _licensing_defaults()),
    )


def _safe(read: Callable[[], T], default: T) -> T:
    try:
        return read()
    except Blocked:
        return default


def _mapping(view: View, role: str, path: str) -> Mapping[str, Any]:
    """Return the mapping at ``path``, {} when it is absent or in a broken part."""
    try:
        return view.mapping(role, path)
    except Blocked:
        return {}


def _entrypoint(name: str, raw: Raw) -> Entrypoint:
    return Entrypoint(
        name=name,
        environment=str(raw.get("environment", "")),
        profile=str(raw.get("strategy", "")),
        tags=tuple(str(t) for t in raw.get("tags", ()) or ()),
        description=str(raw.get("description", "")),
        controller=None if raw.get("controller") is None else str(raw["controller"]),
        risk_profile=None if raw.get("risk_profile") is None else str(raw["risk_profile"]),
    )


def _paper_profile(name: str, raw: Raw, adapter: str) -> PaperProfile:
    metrics = raw.get("metrics") or {}
    thresholds = metrics.get("thresholds") or {}
    return PaperProfile(
        name=name,
        entrypoint=str(raw.get("entrypoint", "")),
        adapter=adapter,
        io_queue=str(raw.get("io_queue", "")),
        guardrails=None,
        metrics=MetricsConfig(
            rate_limit=metrics.get("rate_limit", "bot_exchange_rate_limited_total"),
            network_errors=metrics.get("network_errors", "bot_exchange_errors_total"),
            health=metrics.get("health", "bot_exchange_health_status"),
            thresholds=Thresholds(
                rate_limit_max=thresholds.get("rate_limit_max"),
                network_errors_max=thresholds.get("network_errors_max"),
                health_min=thresholds.get("health_min"),
            ),
        ),
        session=SessionConfig(ticks=240, seed=7, interval_seconds=60),
    )


def _io_queue(raw: Raw) -> IoQueueConfig:
    defaults = IoQueueLimits(
        max_concurrency=int(raw.get("max_concurrency", IO_QUEUE_DEFAULTS["max_concurrency"])),
        burst=int(raw.get("burst", IO_QUEUE_DEFAULTS["burst"])),
    )
    exchanges = raw.get("exchanges") or {}
    return IoQueueConfig(
        defaults=defaults,
        rate_limit_warning_seconds=float(raw.get("rate_limit_warning_seconds", 0.75)),
        log_directory=str(raw.get("log_directory", "logs/guardrails")),
        exchanges={
            str(key): IoQueueLimits(
                max_concurrency=int(limits.get("max_concurrency", defaults.max_concurrency)),
                burst=int(limits.get("burst", defaults.burst)),
            )
            for key, limits in exchanges.items()
            if isinstance(limits, dict)
        },
    )


def _licensing_defaults() -> LicensingPolicy:
    return LicensingPolicy(
        license_path="var/licenses/active/license.json",
        fingerprint_path="var/licenses/active/fingerprint.json",
        allowed_profiles=(),
        allowed_issuers=(),
        expiry_warning_days=30,  # bot_core warns 30 days ahead (license.py)
        offline_access_doc=OFFLINE_DOC,
    )


def _licensing(view: View) -> LicensingPolicy:
    """The enforced policy (core ``license``) where it is set, else the declared one (runtime)."""
    declared = view.mapping("runtime", "licensing.license")
    enforced = _mapping(view, "core", "license")
    base = _licensing_defaults()

    def pick(key: str, default: Any) -> Any:
        return enforced.get(key, declared.get(key, default))

    return LicensingPolicy(
        license_path=str(pick("license_path", base.license_path)),
        fingerprint_path=str(pick("fingerprint_path", base.fingerprint_path)),
        allowed_profiles=tuple(str(p) for p in pick("allowed_profiles", ()) or ()),
        allowed_issuers=tuple(str(i) for i in pick("allowed_issuers", ()) or ()),
        expiry_warning_days=base.expiry_warning_days,
        offline_access_doc=base.offline_access_doc,
    )


def _core(view: View) -> CoreConfig:
    named = members(view, "core", "permission_profiles", _permission_profile)
    profiles = dict(named)
    environments = members(
        view, "core", "environments", lambda n, r: _environment(view, n, r, named, profiles)
    )
    return CoreConfig(
        environments=environments,
        permission_profiles=profiles,
        # bot_core's strategy engines are not the session's kinds: each defined name, without strategies
        profiles={
            str(name): StrategyProfile(name=str(name), strategies=())
            for section in strategy_sections_of_safe(view)
            for name in section
        },
        # bot_core has no secrets key in its config: the store is chosen by platform (keyring, or the
        # headless $DUDZIAN_HOME/secrets.age). The trust kinds read it in bot_core's own format; the
        # passphrase sources here are preflight's own.
        secrets=SecretsSettings(
            backend="file",
            path="secrets.age",
            passphrase_env="PREFLIGHT_SECRETS_PASSPHRASE",
            passphrase_file=None,
            env_prefix="PREFLIGHT_SECRET_",
        ),
        trusted_issuers=(),  # bot_core signs licenses with HMAC keys from a keys file, not issuer keys
    )


def strategy_sections_of_safe(view: View) -> list[Mapping[str, Any]]:
    """Return the readable strategy sections of the core file (a broken one is left out)."""
    try:
        return list(strategy_sections_of(view).values())
    except Blocked:
        return []


def _permission_profile(name: str, raw: Raw) -> PermissionProfile:
    return PermissionProfile(
        name=name,
        required=tuple(str(p).lower() for p in raw.get("required_permissions", ()) or ()),
        forbidden=tuple(str(p).lower() for p in raw.get("forbidden_permissions", ()) or ()),
        require_ip_binding=True,
        key_expiry_warning_days=14,
    )


def _environment(
    view: View,
    name: str,
    raw: Raw,
    named: Mapping[str, PermissionProfile],
    profiles: dict[str, PermissionProfile],
) -> Environment:
    exchange = str(raw.get("exchange", ""))
    mode = _mode(raw.get("environment"))
    profile_name = str(raw.get("permission_profile", ""))
    own_required = raw.get("required_permissions") or ()
    own_forbidden = raw.get("forbidden_permissions") or ()
    if own_required or own_forbidden or profile_name not in named:
        # bot_core expands the profile into the environment's lists; explicit non-empty lists win
        base = named.get(profile_name)
        inline = f"environments.{name}"
        profiles[inline] = PermissionProfile(
            name=inline,
            required=tuple(str(p).lower() for p in own_required) or (base.required if base else ()),
            forbidden=tuple(str(p).lower() for p in own_forbidden) or (base.forbidden if base else ()),
            require_ip_binding=True,
            key_expiry_warning_days=14,
        )
        profile_name = inline if (own_required or own_forbidden or not profile_name) else profile_name
    return Environment(
        name=name,
        exchange=family(exchange),
        adapter=exchange,
        mode=mode,
        keychain_key=str(raw.get("keychain_key", "")),
        endpoint=BYBIT_URLS.get(mode.value, "") if family(exchange) == "bybit" else "",
        permission_profile=profile_name,
        paper_trading=_paper_trading(view, raw, exchange),
    )


def _mode(value: object) -> Mode:
    try:
        return Mode(str(value))
    except ValueError:  # the schema rejects it in its part; the model must still be total
        return Mode.LIVE  # never assume the safe mode for an unreadable one


def _paper_trading(view: View, raw: Raw, exchange: str) -> PaperTrading | None:
    settings = (raw.get("adapter_settings") or {}).get("paper_trading")
    if not isinstance(settings, dict):
        return None
    balances = {}
    for coin, amount in (settings.get("initial_balances") or {}).items():
        try:
            balances[str(coin)] = Decimal(str(amount))
        except InvalidOperation:
            continue
    universe = _mapping(view, "core", f"instrument_universes.{raw.get('instrument_universe')}")
    symbols = tuple(universe_symbols(universe, exchange))
    return PaperTrading(initial_balances=balances, symbols=symbols)
