"""The ``bot_core`` format: the deployment of the Dudzian bot (``bot_core``), read as its loader reads it.

Detected by runtime.yaml's ``core: {path: ...}``. Its YAML is read the PyYAML way (the last copy of a
duplicate key wins; every duplicate is reported by the file's schema check), only the parts the
runbook reads are validated (schemas ``bot_core_runtime`` / ``bot_core_core``), and a broken part
blocks only the checks that read it. Facts map to bot_core's own keys: see ``bot_core_facts``.
"""

from __future__ import annotations

from pathlib import Path

from preflight.context import RunContext
from preflight.deployment.documents import CORE_FILE, RUNTIME_FILE, blocked_outcome
from preflight.deployment.facts import Address, Gap, GapKind, Resolution
from preflight.deployment.formats import FormatName, runtime_names_core
from preflight.deployment.formats.bot_core_facts import RESOLVERS, strategy_definition
from preflight.deployment.formats.bot_core_view import (
    CORE_SCHEMA,
    RUNTIME_SCHEMA,
    Blocked,
    View,
    is_strategy_section,
    strategy_sections_of,
    view_for,
)
from preflight.deployment.model import Deployment
from preflight.errors import Location
from preflight.results import Evidence, Outcome, Status

_PROFILE_KEYS = {"adapter": "environment", "guardrails": "entrypoint"}
_ENV_KEYS = {"adapter": "exchange", "mode": "environment", "endpoint": "environment"}


class BotCoreFormat:
    """The bot_core dialect."""

    name = FormatName.BOT_CORE
    last_duplicate_wins = True

    def claims(self, root: Path) -> str | None:
        """Claim a root whose runtime.yaml names its core file (``core.path``)."""
        if runtime_names_core(root / RUNTIME_FILE):
            return "format bot_core (core.path in config/runtime.yaml)"
        return None

    def schema_for(self, relpath: str, default: str) -> str:
        """Return bot_core's schema of the runtime and core files."""
        return {"runtime": RUNTIME_SCHEMA, "core": CORE_SCHEMA}.get(default, default)

    def load(self, ctx: RunContext) -> Deployment:
        """Build the typed deployment bot_core would run."""
        from preflight.deployment.formats.bot_core_model import build

        return build(view_for(ctx), ctx.root)

    def resolve(self, ctx: RunContext, address: Address) -> Resolution:
        """Resolve a fact the way bot_core reads it; a broken part gives a blocked gap."""
        view = view_for(ctx)
        try:
            if address.kind == "strategy_definitions":
                return strategy_definition(view, address.name)
            return RESOLVERS[address.kind](view, address)
        except Blocked as blocked:
            location = blocked.error.location or Location(view.core_file)
            outcome = blocked_outcome(blocked.check, location, blocked.error.message)
            return Gap(GapKind.BLOCKED, outcome.message, outcome.evidence, blocked.check)

    def where(self, ctx: RunContext, address: Address) -> Location:
        """Return where the fact's bot_core key (or its deepest existing parent) is written."""
        view = view_for(ctx)
        role, path = _key(view, address)
        return view.where(role, path)

    def path_of(self, ctx: RunContext, address: Address) -> str:
        """Return the bot_core key path of the fact."""
        return _key(view_for(ctx), address)[1]

    def review(self, ctx: RunContext, relpath: str, schema: str) -> Outcome | None:
        """Judge a whole file: every problem of a read part, every duplicate key, what is left unread."""
        view = view_for(ctx)
        role = (
            "runtime"
            if relpath == RUNTIME_FILE
            else "core"
            if relpath in (CORE_FILE, view.core_file)
            else None
        )
        if role is None:
            return None
        return _review(view, role, self.schema_for(relpath, schema))


def _key(view: View, address: Address) -> tuple[str, str]:
    """Return (role, key path) of an address in bot_core's files."""
    name, attribute = address.name, address.attribute
    if address.kind == "entrypoints":
        key = {"strategy_profile": "strategy"}.get(attribute, attribute)
        return "runtime", _join("trading.entrypoints", name, key)
    if address.kind == "environments":
        key = {"adapter": "exchange", "mode": "environment", "endpoint": "environment"}.get(
            attribute, attribute
        )
        key = "adapter_settings.paper_trading" if attribute == "paper_account" else key
        return "core", _join("environments", name, key)
    if address.kind in ("paper_profiles", "trading_profiles"):
        key = _PROFILE_KEYS.get(attribute.split(".")[0], attribute)
        if address.kind == "trading_profiles" and key == "environment":
            key = "entrypoint"  # trading profiles name no environment: the entrypoint leads to it
        key = f"metrics.{attribute}" if attribute.startswith("thresholds.") else key
        return "runtime", _join(f"execution.{address.kind}", name, key)
    if address.kind == "io_queues":
        return "runtime", _join("io_queue.exchanges", name, attribute)
    if address.kind == "permission_profiles":
        if name.startswith("environments."):
            return "core", f"{name}.required_permissions"
        return "core", _join("permission_profiles", name, "")
    if address.kind == "strategy_profiles":
        section = next((s for s, m in strategy_sections_of(view).items() if name in m), "strategies")
        return "core", _join(section, name, "")
    return "runtime", "licensing"


def _join(*parts: str) -> str:
    return ".".join(part for part in parts if part)


def _review(view: View, role: str, schema: str) -> Outcome:
    document = view.doc(role)
    evidence: list[Evidence] = []
    sentences: list[str] = []
    problems = view.problem_list(role)
    for _part, error in problems:
        sentences.append(str(error))
        evidence.append(Evidence("problem", error.message, error.location))
    lost = 0
    for duplicate in document.duplicates:
        key = ".".join(map(str, duplicate.path))
        used = f"bot_core uses the last copy (line {duplicate.last.line})"
        effect = "the copies are identical" if duplicate.same else "the settings of the first copy are lost"
        lost += 0 if duplicate.same else 1
        lines = f"lines {duplicate.first.line} and {duplicate.last.line}"
        sentences.append(f"{key} is written twice ({lines}): {used}; {effect}")
        evidence.append(Evidence("duplicate key", f"{key} (first copy)", duplicate.first))
        evidence.append(Evidence("duplicate key", f"{key} (copy bot_core uses)", duplicate.last))
    unread = _unread_sections(view, role, schema)
    tail = f"; {len(unread)} other section(s) accepted unchecked ({', '.join(unread[:8])})" if unread else ""
    if not sentences:
        return Outcome.passed(
            f"{document.display} is well-formed YAML and the parts the runbook reads match the {schema} "
            f"schema{tail}",
            Evidence("file", document.display, document.root_location()),
        )
    status = Status.FAIL if problems or lost else Status.WARN
    duplicates = len(document.duplicates)
    counts = ", ".join(
        text
        for text in (
            f"{len(problems)} problem(s) in the parts the runbook reads" if problems else "",
            f"{duplicates} duplicate key(s), checked with the copy bot_core uses" if duplicates else "",
        )
        if text
    )
    return Outcome(status, f"{document.display}: {counts}: " + "; ".join(sentences), tuple(evidence))


def _unread_sections(view: View, role: str, schema: str) -> list[str]:
    from preflight.schemas import load_schema

    known = set(load_schema(schema).get("properties", {}))
    top = view.doc(role).to_plain()
    names = [str(k) for k in top] if isinstance(top, dict) else []
    return [n for n in names if n not in known and not (role == "core" and is_strategy_section(n))]


FORMAT = BotCoreFormat()
