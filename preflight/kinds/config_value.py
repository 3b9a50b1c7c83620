"""Kind ``config_value``: assert a value at a YAML path of a deployment file, with file:line evidence.

Operators: eq, ne, in, subset, contains, le, ge, exists, absent, matches, type. Numbers compare as
numbers (``1`` equals ``1.0``) but a string never equals a number and a boolean is never a number, so
``rate_limit_max: "0"`` fails where it stands. ``expected_path`` compares against another value of the
same file instead of a literal (e.g. the trading guardrails equal the paper ones).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from preflight.context import RunContext
from preflight.errors import InputError
from preflight.kinds.base import CheckKind
from preflight.results import Evidence, Outcome
from preflight.yamlio import Located, YamlDocument, format_path, split_path

OPS = ("eq", "ne", "in", "subset", "contains", "le", "ge", "exists", "absent", "matches", "type")
TYPES = ("string", "number", "integer", "boolean", "list", "mapping", "null")
_NO_EXPECTED = ("exists", "absent")

PARAMS_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["file", "path", "op"],
    "properties": {
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
    },
    "allOf": [
        {
            "if": {"properties": {"op": {"enum": list(_NO_EXPECTED)}}},
            "then": {"not": {"anyOf": [{"required": ["expected"]}, {"required": ["expected_path"]}]}},
            "else": {"oneOf": [{"required": ["expected"]}, {"required": ["expected_path"]}]},
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

    file: str
    path: str
    op: str
    expected: object = None
    expected_path: str | None = None


def parse(params: Mapping[str, Any]) -> ValueParams:
    """Build the params value from templated params."""
    return ValueParams(
        file=str(params["file"]),
        path=str(params["path"]),
        op=str(params["op"]),
        expected=params.get("expected"),
        expected_path=params.get("expected_path"),
    )


def run(params: ValueParams, ctx: RunContext) -> Outcome:
    """Load the file (once per run), find the value and assert ``op`` on it."""
    from preflight.deployment.documents import blocked_by, document_for

    try:
        document = document_for(ctx, params.file)
    except InputError as error:
        return blocked_by(error) or Outcome.failed(
            f"{params.file} cannot be used: {error}", Evidence("file", error.message, error.location)
        )
    found = document.lookup(params.path)
    if params.op == "absent":
        if found is None:
            return Outcome.passed(f"{params.path} is absent from {params.file}")
        return Outcome.failed(
            f"{params.path} must be absent but is set at {found.location}", _evidence(params.path, found)
        )
    if found is None:
        return _missing(document, params.path)
    if params.op == "exists":
        return Outcome.passed(f"{params.path} is set ({found.location})", _evidence(params.path, found))
    expected = params.expected
    expected_evidence: tuple[Evidence, ...] = ()
    if params.expected_path is not None:
        other = document.lookup(params.expected_path)
        if other is None:
            return _missing(document, params.expected_path)
        expected, expected_evidence = other.value, (_evidence(params.expected_path, other),)
    try:
        problem = judge(params.op, found.value, expected)
    except re.error as error:
        return Outcome.errored(f"the check's pattern {expected!r} is not a valid regular expression: {error}")
    evidence = (_evidence(params.path, found), *expected_evidence)
    if problem is None:
        return Outcome.passed(
            f"{params.path} = {_show(found.value)} {_wanted(params.op, expected)}", *evidence
        )
    return Outcome.failed(f"{params.path} = {_show(found.value)} at {found.location}: {problem}", *evidence)


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


def _type(value: object) -> str:
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


def _a(noun: str) -> str:
    """Return ``noun`` with its indefinite article (an integer, a string)."""
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def _type_matches(value: object, expected: str) -> bool:
    actual = _type(value)
    return actual == expected or (expected == "number" and actual == "integer")


def _show(value: object) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."


def _wanted(op: str, expected: object) -> str:
    words = {"eq": "as expected", "ne": f"(not {_show(expected)})", "in": f"(one of {_show(expected)})"}
    return words.get(op, f"({op} {_show(expected)})")


def _evidence(path: str, found: Located) -> Evidence:
    return Evidence(path, _show(found.value), found.location)


def _missing(document: YamlDocument, path: str) -> Outcome:
    """Fail a missing path at its deepest existing parent, naming the first missing key."""
    prefix, parent = document.deepest(path)
    segments = split_path(path)
    missing = segments[len(prefix)]
    owner = format_path(prefix)
    return Outcome.failed(
        f"{path} is missing: {owner} ({parent.location}) has no {missing!r}",
        Evidence(owner, _keys(parent.value), parent.location),
    )


def _keys(value: object) -> str:
    if isinstance(value, dict):
        names = [str(k) for k in value]
        shown = ", ".join(names[:20]) + (f", ... ({len(names)} in all)" if len(names) > 20 else "")
        return "keys: " + (shown or "(none)")
    return f"a {_type(value)}: {_show(value)}"


KIND: CheckKind[ValueParams] = CheckKind(
    name="config_value",
    summary="Assert a value at a YAML path (eq, ne, in, subset, contains, le, ge, exists, matches, ...).",
    params_schema=PARAMS_SCHEMA,
    parse=parse,
    run=run,
)
