"""The runbook's facts in a bot_core deployment: bot_core.md section 2, row by row, with real locations.

Most facts are one key of bot_core's files under its own name (``strategy``, ``environment``,
``exchange``); some are derived the way bot_core derives them (the adapter of a paper profile is the
``exchange`` of its entrypoint's environment; the guardrails are the entrypoint's risk profile; the
endpoint follows the environment's mode). A derived fact names every step it took.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from preflight.deployment.facts import Address, Fact, Gap, GapKind, Resolution, missing_at
from preflight.deployment.formats.bot_core_view import View, strategy_sections_of
from preflight.results import Evidence

NOT_ENFORCED = (
    "declared but not enforced by this bot: bot_core's loader never reads io_queue, so it runs "
    "without these limits"
)
OFFLINE_DOC = "docs/licensing/offline_licensing.md"
# ccxt's Bybit hosts: the sandbox serves paper and testnet, production serves live
BYBIT_URLS = {
    "paper": "https://api-testnet.bybit.com",
    "testnet": "https://api-testnet.bybit.com",
    "live": "https://api.bybit.com",
}
IO_QUEUE_DEFAULTS = {"max_concurrency": 8, "burst": 16}  # bot_core's model defaults (models.py)


def family(exchange_key: str) -> str:
    """Return the exchange family of an adapter key: the registry's, else bot_core's ``split("_")[0]``."""
    from preflight.exchange import ADAPTERS

    info = ADAPTERS.get(exchange_key)
    return info.exchange if info is not None else exchange_key.split("_")[0]


def direct(view: View, role: str, path: str) -> Fact | Gap:
    """Return the value of one key as a fact, or the gap of its absence."""
    found = view.get(role, path)
    if found is None:
        return missing_at(view.doc(role), path)
    return Fact(found.value, found.location, path)


def _entrypoint(view: View, address: Address) -> Resolution:
    base = f"trading.entrypoints.{address.name}"
    key = {"strategy_profile": "strategy"}.get(address.attribute, address.attribute)
    return direct(view, "runtime", f"{base}.{key}" if key else base)


# fact -> the bot_core key holding it (the adapter key is ``exchange``, the mode is ``environment``)
_ENV_KEYS = {
    "adapter": "exchange",
    "exchange": "exchange",
    "mode": "environment",
    "endpoint": "environment",
    "keychain_key": "keychain_key",
    "permission_profile": "permission_profile",
}


def _environment(view: View, address: Address) -> Resolution:
    base = f"environments.{address.name}"
    if not address.attribute:
        return direct(view, "core", base)
    key = _ENV_KEYS.get(address.attribute)
    if key is not None:
        found = direct(view, "core", f"{base}.{key}")
        if isinstance(found, Gap) or address.attribute not in ("exchange", "endpoint"):
            return found
        if address.attribute == "exchange":
            value = family(str(found.value))
            return Fact(
                value, found.location, found.path, (Evidence("family of", f"{found.value} -> {value}"),)
            )
        return _endpoint(view, address, found)
    return _paper_account(view, address)


def _endpoint(view: View, address: Address, mode: Fact) -> Resolution:
    exchange = view.get("core", f"environments.{address.name}.exchange")
    key = str(exchange.value) if exchange is not None else ""
    url = BYBIT_URLS.get(str(mode.value)) if family(key) == "bybit" else None
    if url is None:
        return Gap(
            GapKind.NOT_APPLICABLE,
            f"bot_core has no endpoint key: the exchange library picks the URL of {key or 'the exchange'} "
            f"from environment: {mode.value} ({mode.location}); preflight knows those URLs for Bybit only",
        )
    why = f"bot_core has no endpoint key: ccxt's URL for environment: {mode.value}"
    return Fact(url, mode.location, mode.path, (Evidence("endpoint", why, mode.location),))


def _paper_account(view: View, address: Address) -> Resolution:
    base = f"environments.{address.name}"
    account = direct(view, "core", f"{base}.adapter_settings.paper_trading")
    if isinstance(account, Gap):
        return account
    exchange = view.get("core", f"{base}.exchange")
    key = str(exchange.value) if exchange is not None else ""
    bound = direct(view, "core", f"{base}.instrument_universe")
    if isinstance(bound, Gap):
        return bound
    universe = view.get("core", f"instrument_universes.{bound.value}")
    if universe is None:
        return Gap(
            GapKind.MISSING,
            f"{base}.instrument_universe names {bound.value!r} ({bound.location}), which "
            f"instrument_universes does not define ({view.where('core', 'instrument_universes')})",
            (Evidence("instrument_universe", str(bound.value), bound.location),),
        )
    symbols = universe_symbols(universe.value, key)
    if not symbols:
        return Gap(
            GapKind.MISSING,
            f"environment {address.name} trades {key!r} but its instrument_universe {bound.value!r} "
            f"({universe.location}) lists no instrument with an exchanges.{key} symbol: bot_core's validator "
            f"rejects the environment and its market builder raises; add {key} symbols to the instruments",
            (Evidence("instrument_universe", str(bound.value), bound.location),),
        )
    value = {**account.value, "symbols": symbols} if isinstance(account.value, dict) else account.value
    via = (Evidence("symbols", ", ".join(symbols), universe.location),)
    return Fact(value, account.location, account.path, via)


def universe_symbols(universe: object, exchange: str) -> list[str]:
    """Return the symbols an instrument universe binds to ``exchange`` (bot_core's market builder)."""
    instruments = universe.get("instruments") if isinstance(universe, dict) else None
    return [
        str(spec["exchanges"][exchange])
        for spec in (instruments.values() if isinstance(instruments, dict) else ())
        if isinstance(spec, dict)
        and isinstance(spec.get("exchanges"), dict)
        and exchange in spec["exchanges"]
    ]


def _profile_entrypoint_env(view: View, section: str, name: str) -> tuple[Evidence, ...] | Gap:
    """Return the steps profile -> entrypoint -> environment, or the gap where the chain breaks."""
    entry = direct(view, "runtime", f"execution.{section}.{name}.entrypoint")
    if isinstance(entry, Gap):
        return entry
    env = direct(view, "runtime", f"trading.entrypoints.{entry.value}.environment")
    if isinstance(env, Gap):
        return env
    return (
        Evidence("entrypoint", str(entry.value), entry.location),
        Evidence("environment", str(env.value), env.location),
    )


def _profile(section: str) -> Callable[[View, Address], Resolution]:
    def resolve(view: View, address: Address) -> Resolution:
        base = f"execution.{section}.{address.name}"
        attribute = address.attribute
        if attribute in ("", "entrypoint", "io_queue"):
            return direct(view, "runtime", f"{base}.{attribute}" if attribute else base)
        if attribute.startswith("thresholds."):
            return direct(view, "runtime", f"{base}.metrics.{attribute}")
        chain = _profile_entrypoint_env(view, section, address.name)
        if isinstance(chain, Gap):
            return chain
        environment = chain[1].value
        if attribute == "adapter":
            found = direct(view, "core", f"environments.{environment}.exchange")
            return found if isinstance(found, Gap) else Fact(found.value, found.location, found.path, chain)
        risk = _risk_profile(view, chain)
        if isinstance(risk, Gap) or attribute == "guardrails":
            if section == "trading_profiles" and isinstance(risk, Fact):
                names = view.get("runtime", f"{base}.guardrails")
                if names is not None:
                    listed = names.value if isinstance(names.value, list) else []
                    named = Evidence("guardrails", ", ".join(map(str, listed)), names.location)
                    return Fact(risk.value, risk.location, risk.path, (*risk.via, named))
            return risk
        fractions = risk.value if isinstance(risk.value, dict) else {}
        limits = ", ".join(f"{k} {v}" for k, v in fractions.items() if not isinstance(v, dict | list))
        return Gap(
            GapKind.NOT_APPLICABLE,
            f"bot_core has no {attribute.split('.', 1)[1]}: its guardrails are the risk profile at "
            f"{risk.path} ({risk.location}), fractions of equity ({limits})",
            risk.via,
        )

    return resolve


def _risk_profile(view: View, chain: tuple[Evidence, ...]) -> Fact | Gap:
    """Return the risk profile bot_core applies: the entrypoint's ``risk_profile``, else its environment's."""
    entrypoint, environment = chain[0].value, chain[1].value
    own = view.get("runtime", f"trading.entrypoints.{entrypoint}.risk_profile")
    named = own if own is not None else view.get("core", f"environments.{environment}.risk_profile")
    if named is None:
        return missing_at(view.core, f"environments.{environment}.risk_profile")
    step = Evidence("risk_profile", str(named.value), named.location)
    found = direct(view, "core", f"risk_profiles.{named.value}")
    if isinstance(found, Gap):
        return found
    return Fact(found.value, found.location, found.path, (*chain, step))


def _io_queue(view: View, address: Address) -> Resolution:
    base = f"io_queue.exchanges.{address.name}"
    if not address.attribute:
        found = direct(view, "runtime", base)
        return (
            found
            if isinstance(found, Gap)
            else Fact(found.value, found.location, found.path, caveat=NOT_ENFORCED)
        )
    own = view.get("runtime", f"{base}.{address.attribute}")
    if own is not None:
        return Fact(own.value, own.location, f"{base}.{address.attribute}", caveat=NOT_ENFORCED)
    top = view.get("runtime", f"io_queue.{address.attribute}")
    if top is not None:
        why = Evidence(
            "fallback", f"{base} has no {address.attribute}: the top-level value applies", top.location
        )
        return Fact(top.value, top.location, f"io_queue.{address.attribute}", (why,), NOT_ENFORCED)
    section = view.get("runtime", "io_queue")
    if section is None:
        return missing_at(view.runtime, f"{base}.{address.attribute}")
    default = IO_QUEUE_DEFAULTS[address.attribute]
    why = Evidence(
        "default", f"neither {base} nor io_queue sets it: bot_core's model default", section.location
    )
    return Fact(default, section.location, "io_queue", (why,), NOT_ENFORCED)


def _licensing(view: View, address: Address) -> Resolution:
    flag = view.get("runtime", "licensing.offline_activation_required")
    where = flag.location if flag is not None else view.where("runtime", "licensing")
    why = f"no key names the document: bot_core documents offline activation in {OFFLINE_DOC}"
    return Fact(
        OFFLINE_DOC, where, "licensing.offline_activation_required", (Evidence("bot_core", why, where),)
    )


def strategy_definition(view: View, entrypoint: str) -> Fact | Gap:
    """Resolve an entrypoint's strategy and controller; an undefined one is the fallback bot_core hides."""
    base = f"trading.entrypoints.{entrypoint}"
    env_name = view.get("runtime", f"{base}.environment")
    env = f"environments.{env_name.value if env_name else ''}"
    controllers = view.mapping("core", "runtime.controllers")
    problems: list[str] = []
    evidence: list[Evidence] = []
    found_at = None
    for key, default_key, where_defined in (
        ("strategy", "default_strategy", strategy_sections_of(view)),
        (
            "controller",
            "default_controller",
            {"runtime.controllers": controllers},
        ),
    ):
        named = view.get("runtime", f"{base}.{key}")
        if named is None:
            continue
        section = next((s for s, members in where_defined.items() if named.value in members), None)
        if section is not None:
            located = view.where("core", f"{section}.{named.value}")
            found_at = found_at or Fact(named.value, located, f"{section}.{named.value}")
            evidence.append(Evidence(key, f"{named.value} ({section})", located))
            continue
        fallback = view.get("core", f"{env}.{default_key}")
        instead = (
            f"bot_core silently runs {env}.{default_key} {fallback.value!r} ({fallback.location}) instead"
            if fallback is not None
            else f"bot_core finds no {env}.{default_key} to fall back to either"
        )
        sections = ", ".join(where_defined) or "(no section)"
        problems.append(
            f"entrypoint {entrypoint} names {key} {named.value!r} ({named.location}), which {view.core_file} "
            f"does not define (looked in {sections}); {instead}"
        )
        evidence.append(Evidence(key, str(named.value), named.location))
    if problems:
        return Gap(GapKind.MISSING, "; ".join(problems), tuple(evidence))
    if found_at is None:
        return missing_at(view.runtime, f"{base}.strategy")
    return Fact(found_at.value, found_at.location, found_at.path, tuple(evidence))


RESOLVERS: Mapping[str, Callable[[View, Address], Resolution]] = {
    "entrypoints": _entrypoint,
    "environments": _environment,
    "paper_profiles": _profile("paper_profiles"),
    "trading_profiles": _profile("trading_profiles"),
    "io_queues": _io_queue,
    "licensing": _licensing,
}
