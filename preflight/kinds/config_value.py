"""Kind ``config_value``: assert a value at a YAML path of a deployment file, with file:line evidence.

Operators: eq, ne, in, subset, contains, le, ge, exists, absent, matches, type. Numbers compare as
numbers (``1`` equals ``1.0``) but a string never equals a number and a boolean is never a number, so
``rate_limit_max: "0"`` fails where it stands. ``expected_path`` compares against another value of the
same file instead of a literal (e.g. the trading guardrails equal the paper ones).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from preflight.context import RunContext
from preflight.deployment.facts import Fact, Gap, GapKind, fact_names, missing_at, show, type_name
from preflight.errors import InputError
from preflight.kinds.base import CheckKind
from preflight.results import Evidence, Outcome, Status
from preflight.yamlio import YamlDocument

OPS = ("eq", "ne", "in", "subset", "contains", "le", "ge", "exists", "absent", "matches", "type")
TYPES = ("string", "number", "integer", "boolean", "list", "mapping", "null")
_NO_EXPECTED = ("exists", "absent")
_EXPECTED = ("expected", "expected_path", "expected_fact", "expected_var")

PARAMS_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["op"],
    "oneOf": [
        {"required": ["file", "path"], "not": {"required": ["fact"]}},
        {"required": ["fact"], "not": {"anyOf": [{"required": ["file"]}, {"required": ["path"]}]}},
    ],
    "properties": {
        "fact": {
            "enum": list(fact_names()),
            "description": "A fact of the deployment (e.g. paper_profile.adapter), in any format.",
        },
        "file": {
            "type": "string",
            "minLength": 1,
            "description": "File under the root, e.g. config/runtime.yaml.",
        },
        "path": {
            "type": "string",
            "minLength": 1,
            "description": "Dotted path, e.g. trading.entrypoints.{entrypoint}.tags.",
        },
        "op": {"enum": list(OPS), "description": "The assertion."},
        "expected": {"description": "The literal to compare with (templated)."},
        "expected_path": {
            "type": "string",
            "minLength": 1,
            "description": "Compare with the value at this path instead.",
        },
        "expected_fact": {
            "enum": list(fact_names()),
            "description": "Compare with this fact of the deployment instead.",
        },
        "expected_var": {
            "type": "string",
            "pattern": "^[a-z_]+$",
            "description": "Compare with the runbook variable of this name (--var NAME=VALUE sets it).",
        },
    },
    "allOf": [
        {
            "if": {"properties": {"op": {"enum": list(_NO_EXPECTED)}}},
            "then": {"not": {"anyOf": [{"required": [key]} for key in _EXPECTED]}},
            "else": {"oneOf": [{"required": [key]} for key in _EXPECTED]},
        },
        {
            "if": {"properties": {"op": {"const": "type"}}, "required": ["op"]},
            "then": {"properties": {"expected": {"enum": list(TYPES)}}},
        },
        {
            "if": {"properties": {"op": {"enum": ["in", "subset"]}}, "required": ["op"]},
            "then": {"properties": {"expected": {"type": "array"}}},
        },
        {
            "if": {"properties": {"op": {"enum": ["le", "ge"]}}, "required": ["op"]},
            "then": {"properties": {"expected": {"type": "number"}}},
        },
        {
            "if": {"properties": {"op": {"const": "matches"}}, "required": ["op"]},
            "then": {"properties": {"expected": {"type": "string", "format": "regex"}}},
        },
    ],
}


@dataclass(frozen=True)
class ValueParams:
    """Where to look and what to assert."""

    file: str | None
    path: str | None
    op: str
    expected: object = None
    expected_path: str | None = None
    fact: str | None = None
    expected_fact: str | None = None
    expected_var: str | None = None


def parse(params: Mapping[str, Any]) -> ValueParams:
    """Build the params value from templated params."""
    return ValueParams(
        file=None if params.get("file") is None else str(params["file"]),
        path=None if params.get("path") is None else str(params["path"]),
        op=str(params["op"]),
        expected=params.get("expected"),
        expected_path=params.get("expected_path"),
        fact=params.get("fact"),
        expected_fact=params.get("expected_fact"),
        expected_var=params.get("expected_var"),
    )


def run(params: ValueParams, ctx: RunContext) -> Outcome:
    """Find the value (a key of a file, or a fact of the deployment) and assert ``op`` on it."""
    seen = _find(ctx, params.fact, params.file, params.path, params.op == "absent")
    if isinstance(seen, Outcome):
        return seen
    if params.op == "absent":
        if seen is None:
            return Outcome.passed(
                f"{params.path or params.fact} is absent from {params.file or 'the deployment'}"
            )
        return Outcome.failed(
            f"{seen.path} must be absent but is set at {seen.location}", _evidence(seen.path, seen)
        )
    assert seen is not None  # _find only returns None for ``absent``
    if params.op == "exists":
        return _caveat(
            Outcome.passed(f"{seen.path} is set ({seen.location})", _evidence(seen.path, seen), *seen.via),
            seen,
        )
    expected = params.expected
    expected_evidence: tuple[Evidence, ...] = ()
    if params.expected_var is not None:
        expected = ctx.variables.get(params.expected_var)
        if expected is None:
            return Outcome.errored(
                f"the check compares with runbook variable {params.expected_var!r}, which is unset"
            )
    if params.expected_path is not None or params.expected_fact is not None:
        other = _find(ctx, params.expected_fact, params.file, params.expected_path, False)
        if isinstance(other, Outcome):
            return other
        assert other is not None
        expected, expected_evidence = other.value, (_evidence(other.path, other), *other.via)
    try:
        problem = judge(params.op, seen.value, expected)
    except re.error as error:
        return Outcome.errored(f"the check's pattern {expected!r} is not a valid regular expression: {error}")
    evidence = (_evidence(seen.path, seen), *seen.via, *expected_evidence)
    if problem is None:
        outcome = Outcome.passed(
            f"{seen.path} = {_show(seen.value)} {_wanted(params.op, expected)}", *evidence
        )
        return _caveat(outcome, seen)
    if params.expected_var not in (None, "entrypoint") and isinstance(seen.value, str) and params.op == "eq":
        problem += (
            f" (the runbook's {params.expected_var}; if {seen.value!r} is this deployment's name for it, "
            f"run with --var {params.expected_var}={seen.value})"
        )
    failed = Outcome.failed(f"{seen.path} = {_show(seen.value)} at {seen.location}: {problem}", *evidence)
    return _caveat(failed, seen)


def _find(ctx: RunContext, fact: str | None, file: str | None, path: str | None, absent_ok: bool) -> Any:
    """Return the value seen (a Fact), None when absent and that is fine, or the Outcome ending the check."""
    from preflight.deployment.documents import blocked_by, document_for
    from preflight.deployment.facts import Target, resolve
    from preflight.deployment.formats import format_of

    address = None
    try:
        if fact is not None:
            address = resolve(fact, ctx.variables)
            found = format_of(ctx).resolve(ctx, address)
            if isinstance(found, Target):
                file, path = found.file, found.path
            elif isinstance(found, Gap):
                if found.kind is GapKind.MISSING and absent_ok:
                    return None
                return _gap(ctx, found, address)
            else:
                return found
        assert file is not None and path is not None  # the params schema requires file+path or fact
        document = document_for(ctx, file)
    except InputError as error:
        return blocked_by(error) or Outcome.failed(
            f"{file or 'the configuration'} cannot be used: {error}",
            Evidence("file", error.message, error.location),
        )
    located = document.lookup(path)
    if located is None:
        if absent_ok:
            return None
        return _missing(document, path) if fact is None else _gap(ctx, missing_at(document, path), address)
    return Fact(located.value, located.location, path)


def _gap(ctx: RunContext, gap: Gap, address: Any) -> Outcome:
    if gap.kind is GapKind.NOT_APPLICABLE:
        return Outcome.skipped(gap.message, *gap.evidence)
    if gap.kind is GapKind.BLOCKED:
        return Outcome(Status.FAIL, gap.message, gap.evidence, blocked_by=gap.blocked_by)
    from preflight.deployment.variables import hint_for

    hint = hint_for(ctx, address)
    return Outcome.failed(gap.message + (f"; {hint}" if hint else ""), *gap.evidence)


def _caveat(outcome: Outcome, seen: Fact) -> Outcome:
    """Downgrade a pass to a warning (and say it on a failure) when the fact is not enforced by the bot."""
    if seen.caveat is None:
        return outcome
    status = Status.WARN if outcome.status is Status.PASS else outcome.status
    return Outcome(status, f"{outcome.message}; {seen.caveat}", outcome.evidence, outcome.blocked_by)


def judge(op: str, value: object, expected: object) -> str | None:
    """Return why ``value`` fails ``op expected``, or None when it holds."""
    if op in ("eq", "ne"):
        equal = _equal(value, expected)
        if op == "eq" and not equal:
            if _is_number(expected) and not _is_number(value):
                return f"is {_a(_type(value))}, expected the number {_show(expected)}"
            return f"expected {_show(expected)}"
        if op == "ne" and equal:
            return f"must not be {_show(expected)}"
        return None
    if op == "in":
        items = expected if isinstance(expected, list) else [expected]
        return None if any(_equal(value, e) for e in items) else f"expected one of {_show(items)}"
    if op == "subset":
        if not isinstance(value, list):
            return f"is {_a(_type(value))}, expected a list"
        allowed = expected if isinstance(expected, list) else [expected]
        extra = [v for v in value if not any(_equal(v, a) for a in allowed)]
        return f"{_show(extra)} not allowed; allowed: {_show(allowed)}" if extra else None
    if op == "contains":
        return _contains(value, expected)
    if op in ("le", "ge"):
        if not _is_number(value):
            return f"is {_a(_type(value))}, expected a number"
        if not _is_number(expected):
            return f"the check expects a number to compare with, not {_show(expected)}"
        ok = value <= expected if op == "le" else value >= expected  # type: ignore[operator]
        return None if ok else f"expected {'<=' if op == 'le' else '>='} {_show(expected)}"
    if op == "matches":
        if not isinstance(value, str):
            return f"is {_a(_type(value))}, expected a string matching {expected}"
        return None if re.fullmatch(str(expected), value) else f"does not match {expected}"
    if op == "type":
        if _type_matches(value, str(expected)):
            return None
        return f"is {_a(_type(value))}, expected {_a(str(expected))}"
    return f"unknown operator {op!r}"


def _contains(value: object, expected: object) -> str | None:
    wanted = expected if isinstance(expected, list) else [expected]
    if isinstance(expected, list) and not isinstance(value, list | dict):
        # "desktop paper bybit" contains the words but is not the list of tags the runbook asks for
        return f"is {_a(_type(value))}, expected a list containing {_show(expected)}"
    if isinstance(value, str):
        missing = [w for w in wanted if str(w) not in value]
    elif isinstance(value, list):
        missing = [w for w in wanted if not any(_equal(v, w) for v in value)]
    elif isinstance(value, dict):
        missing = [w for w in wanted if str(w) not in value]
    else:
        return f"is {_a(_type(value))}, expected a list, mapping or string"
    return f"missing {_show(missing)}" if missing else None


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _equal(value: object, expected: object) -> bool:
    if _is_number(value) and _is_number(expected):
        return value == expected
    if isinstance(value, bool) or isinstance(expected, bool):
        return type(value) is type(expected) and value == expected
    if _is_number(value) != _is_number(expected):
        return False
    if isinstance(value, list) and isinstance(expected, list):
        return len(value) == len(expected) and all(_equal(v, e) for v, e in zip(value, expected, strict=True))
    if isinstance(value, dict) and isinstance(expected, dict):
        return value.keys() == expected.keys() and all(_equal(value[k], expected[k]) for k in value)
    return value == expected


_type = type_name


def _a(noun: str) -> str:
    """Return ``noun`` with its indefinite article (an integer, a string)."""
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def _type_matches(value: object, expected: str) -> bool:
    actual = _type(value)
    return actual == expected or (expected == "number" and actual == "integer")


_show = show


def _wanted(op: str, expected: object) -> str:
    words = {"eq": "as expected", "ne": f"(not {_show(expected)})", "in": f"(one of {_show(expected)})"}
    return words.get(op, f"({op} {_show(expected)})")


def _evidence(path: str, found: Fact) -> Evidence:
    return Evidence(path, _show(found.value), found.location)


def _missing(document: YamlDocument, path: str) -> Outcome:
    """Fail a missing path at its deepest existing parent, naming the first missing key."""
    gap = missing_at(document, path)
    return Outcome.failed(gap.message, *gap.evidence)


KIND: CheckKind[ValueParams] = CheckKind(
    name="config_value",
    summary="Assert a value at a YAML path (eq, ne, in, subset, contains, le, ge, exists, matches, ...).",
    params_schema=PARAMS_SCHEMA,
    parse=parse,
    run=run,
)
