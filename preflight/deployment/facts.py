"""Facts: what a runbook asks of a deployment, named once, whatever format and key names state them.

A runbook check addresses a fact (``fact: paper_profile.adapter``), never a key of one dialect. The
first segment names the subject by the runbook variable holding its name (``paper_profile`` ->
``execution.paper_profiles.<value of {paper_profile}>`` in the preflight format); the rest is the
attribute. Each deployment format resolves an :class:`Address` to a :class:`Target` (a key of one of
its files, judged like any YAML value), a :class:`Fact` (a value it derived, with where it comes
from) or a :class:`Gap` (missing, not applicable to this format, or blocked by a broken file part).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from preflight.errors import Location
from preflight.results import Evidence
from preflight.yamlio import YamlDocument, format_path, split_path

# subject kind -> the attributes a runbook may ask of it (dotted; "*" = any one key below)
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "entrypoints": ("", "environment", "strategy_profile", "tags"),
    "environments": (
        "",
        "exchange",
        "adapter",
        "mode",
        "keychain_key",
        "endpoint",
        "paper_account",
        "permission_profile",
    ),
    "paper_profiles": (
        "",
        "adapter",
        "entrypoint",
        "io_queue",
        "guardrails",
        "guardrails.*",
        "thresholds.rate_limit_max",
        "thresholds.network_errors_max",
        "thresholds.health_min",
    ),
    "trading_profiles": ("", "adapter", "entrypoint", "guardrails", "guardrails.*"),
    "io_queues": ("", "max_concurrency", "burst"),
    "licensing": ("offline_access_doc",),
}
# runbook variable naming a subject -> its kind; "licensing" is the deployment's one licensing policy
SUBJECTS: dict[str, str] = {
    "entrypoint": "entrypoints",
    "environment": "environments",
    "live_environment": "environments",
    "paper_profile": "paper_profiles",
    "trading_profile": "trading_profiles",
    "io_queue": "io_queues",
    "licensing": "licensing",
}
GUARDRAIL_KEYS = (
    "max_order_notional",
    "max_position_notional",
    "max_open_orders",
    "max_orders_per_minute",
    "max_drawdown_pct",
)


def fact_names() -> tuple[str, ...]:
    """Return every fact a runbook may name (``paper_profile.adapter``, ...), for the params schemas."""
    names: list[str] = []
    for subject, kind in SUBJECTS.items():
        for attribute in ATTRIBUTES[kind]:
            if attribute.endswith("*"):
                names.extend(f"{subject}.{attribute[:-1]}{key}" for key in GUARDRAIL_KEYS)
            elif subject == "licensing":
                names.append(f"licensing.{attribute}")
            else:
                names.append(f"{subject}.{attribute}" if attribute else subject)
    return tuple(names)


@dataclass(frozen=True)
class Address:
    """A resolved fact address: the subject's kind and name, and the attribute asked (``""``: itself)."""

    kind: str  # entrypoints | environments | paper_profiles | trading_profiles | io_queues | licensing
    name: str = ""  # "" addresses the whole collection
    attribute: str = ""
    variable: str | None = None  # the runbook variable that named the subject, for hints

    def at(self, attribute: str) -> Address:
        """Return the same subject's ``attribute``."""
        return Address(self.kind, self.name, attribute, self.variable)

    def __str__(self) -> str:
        return ".".join(part for part in (self.kind, self.name, self.attribute) if part)


def resolve(fact: str, variables: dict[str, str]) -> Address:
    """Turn a runbook fact name into an address, the subject's name read from its variable."""
    subject, _, attribute = fact.partition(".")
    kind = SUBJECTS[subject]
    if kind == "licensing":
        return Address(kind, "", attribute)
    return Address(kind, variables.get(subject, ""), attribute, subject)


@dataclass(frozen=True)
class Target:
    """The fact sits at ``path`` of ``file`` as is: judge that value like any YAML value."""

    file: str
    path: str


@dataclass(frozen=True)
class Fact:
    """A value a format derived or read, where it is written, and how it was reached."""

    value: object
    location: Location
    path: str  # the key path in its file as the operator writes it (trading.entrypoints.x.strategy)
    via: tuple[Evidence, ...] = ()  # the steps of a derivation (profile -> environment -> exchange)
    caveat: str | None = None  # true, but not enforced by the bot: the check warns instead of passing


class GapKind(StrEnum):
    """Why a format has no value for a fact."""

    MISSING = "missing"  # the deployment does not state it: a failure
    NOT_APPLICABLE = "not_applicable"  # the format has no such concept: a skip that says so
    BLOCKED = "blocked"  # the part of the file holding it is broken: reported once by another check


@dataclass(frozen=True)
class Gap:
    """No value: the sentence saying why, the evidence, and the check holding the root cause."""

    kind: GapKind
    message: str
    evidence: tuple[Evidence, ...] = ()
    blocked_by: str | None = None


Resolution = Target | Fact | Gap


def missing_at(document: YamlDocument, path: str) -> Gap:
    """Return the gap of a missing ``path``: at its deepest existing parent, naming the first missing key."""
    prefix, parent = document.deepest(path)
    segments = split_path(path)
    missing = segments[len(prefix)]
    owner = format_path(prefix)
    return Gap(
        GapKind.MISSING,
        f"{path} is missing: {owner} ({parent.location}) has no {missing!r}",
        (Evidence(owner, keys_of(parent.value), parent.location),),
    )


def keys_of(value: object) -> str:
    """Describe a mapping by its keys (at most 20), anything else by its type and value."""
    if isinstance(value, dict):
        names = [str(k) for k in value]
        shown = ", ".join(names[:20]) + (f", ... ({len(names)} in all)" if len(names) > 20 else "")
        return "keys: " + (shown or "(none)")
    return f"a {type_name(value)}: {show(value)}"


def type_name(value: object) -> str:
    """Name a plain YAML value's type the way operators read it (string, integer, list, mapping, ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    return "mapping"


def show(value: object) -> str:
    """Render a value as compact JSON, cut at 120 characters."""
    import json

    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."
