"""The runbook's variables as inputs: the seed's names by default, the operator's via ``--var``/``--vars``.

Some variables can be read off the deployment itself (the entrypoint's environment, the paper and
trading profiles naming the entrypoint, ...). :func:`derived` says what the deployment holds, so a
check that finds no subject under the runbook's name can say which ``--var`` would point it at the
deployment's own one, and the report can show whether each value agrees with the deployment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from preflight.context import RunContext
from preflight.errors import InputError, Location, UsageError

# what each derivable variable is, in the operator's words
_DERIVED_FROM = {
    "environment": "the environment of entrypoint {ep}",
    "paper_profile": "the paper profile naming entrypoint {ep}",
    "trading_profile": "the trading profile naming entrypoint {ep}",
    "strategy_profile": "the strategy profile of entrypoint {ep}",
    "io_queue": "the io_queue of the paper profile naming entrypoint {ep}",
    "adapter": "the adapter of entrypoint {ep}'s environment",
    "paper_key": "the keychain key of entrypoint {ep}'s environment",
}


@dataclass(frozen=True)
class Derived:
    """A variable's value as the deployment states it, and where."""

    name: str
    value: str
    what: str
    location: Location | None


def apply_overrides(defaults: Mapping[str, str], overrides: Mapping[str, str]) -> dict[str, str]:
    """Return the runbook's variables with ``overrides`` applied; UsageError naming the known ones."""
    unknown = sorted(set(overrides) - set(defaults))
    if unknown:
        known = ", ".join(sorted(defaults)) or "(none)"
        raise UsageError(f"unknown runbook variable {', '.join(map(repr, unknown))}; known: {known}")
    empty = sorted(name for name, value in overrides.items() if not value.strip())
    if empty:
        raise UsageError(f"runbook variable {empty[0]!r} needs a value (--var {empty[0]}=VALUE)")
    return {**defaults, **overrides}


def parse_var(text: str) -> tuple[str, str]:
    """Split one ``--var NAME=VALUE``; UsageError when there is no ``=``."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise UsageError(f"--var {text!r}: write NAME=VALUE, e.g. --var environment=desk_a_paper")
    return name.strip(), value.strip()


def read_vars_file(path: Path) -> dict[str, str]:
    """Read ``--vars FILE``: one flat YAML mapping of variable name -> string; UsageError otherwise."""
    from preflight.errors import ConfigError
    from preflight.yamlio import load_yaml

    try:
        document = load_yaml(path, display=str(path))
    except ConfigError as error:
        raise UsageError(f"--vars {error}") from None
    raw = document.to_plain()
    if not isinstance(raw, dict):
        raise UsageError(f"--vars {path}: expected a mapping of variable name to value, e.g. environment: x")
    values = {}
    for name, value in raw.items():
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            where = document.location_of((str(name),))
            raise UsageError(f"--vars {where}: {name} must be a string value, not {type(value).__name__}")
        values[str(name)] = str(value)
    return values


def collect(var_args: list[str], vars_file: Path | None) -> dict[str, str]:
    """Merge ``--vars FILE`` and the ``--var`` flags (a flag wins over the file)."""
    values = read_vars_file(vars_file) if vars_file is not None else {}
    for text in var_args:
        name, value = parse_var(text)
        values[name] = value
    return values


def derived(ctx: RunContext) -> dict[str, Derived]:
    """Return what the deployment states for each derivable variable ({} when it cannot be read)."""
    from preflight.deployment import deployment_for
    from preflight.deployment.facts import Address
    from preflight.deployment.formats import format_of

    def compute() -> dict[str, Derived]:
        try:
            deployment = deployment_for(ctx)
        except InputError:
            return {}
        ep = deployment.runtime.entrypoints.get(ctx.options.entrypoint)
        if ep is None:
            return {}
        env = deployment.environment_of(ep.name)
        paper = deployment.runtime.paper_profile_for(ep.name)
        trading = deployment.runtime.trading_profile_for(ep.name)
        values = {
            "environment": (ep.environment, Address("entrypoints", ep.name, "environment")),
            "strategy_profile": (ep.profile, Address("entrypoints", ep.name, "strategy_profile")),
            "paper_profile": (
                paper.name if paper else None,
                Address("paper_profiles", paper.name if paper else ""),
            ),
            "trading_profile": (
                trading.name if trading else None,
                Address("trading_profiles", trading.name if trading else ""),
            ),
            "io_queue": (
                paper.io_queue if paper else None,
                Address("paper_profiles", paper.name if paper else "", "io_queue"),
            ),
            "adapter": (env.adapter if env else None, Address("environments", ep.environment, "adapter")),
            "paper_key": (
                env.keychain_key if env else None,
                Address("environments", ep.environment, "keychain_key"),
            ),
        }
        fmt = format_of(ctx)
        found = {}
        for name, (value, address) in values.items():
            if value:
                try:
                    where: Location | None = fmt.where(ctx, address)
                except InputError:
                    where = None
                found[name] = Derived(name, value, _DERIVED_FROM[name].format(ep=ep.name), where)
        return found

    return ctx.memo("variables.derived", compute)


def hint_for(ctx: RunContext, address: object) -> str | None:
    """Say which ``--var`` points a check at the deployment's own subject, when its name differs."""
    variable = getattr(address, "variable", None)
    if variable is None:
        return None
    own = derived(ctx).get(variable)
    if own is None or own.value == ctx.variables.get(variable):
        return None
    where = f" ({own.location})" if own.location else ""
    return f"{own.what} is {own.value!r}{where}: run with --var {variable}={own.value}"


def agreement(ctx: RunContext) -> tuple[str, ...]:
    """Return one line per derivable variable whose value differs from what the deployment states.

    Only from a deployment the run's checks already read: a note never adds an input of its own.
    """
    if not ctx.memoised("deployment"):
        return ()
    lines = []
    for name, own in derived(ctx).items():
        value = ctx.variables.get(name)
        if value is not None and value != own.value:
            lines.append(
                f"variable {name}={value}, but {own.what} is {own.value!r}: --var {name}={own.value}?"
            )
    return tuple(lines)
