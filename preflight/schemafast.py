"""A compiled pre-check for large documents: fastjsonschema says "valid" fast; jsonschema explains errors.

jsonschema walks a 5,000-entrypoint runtime.yaml at about 3 ms per entrypoint (its per-keyword
bookkeeping), more than everything else a static run does. fastjsonschema compiles a schema to Python
once (70-200 ms, so only documents above :data:`LARGE_NODES` values take this path) and checks an
instance an order of magnitude faster. It is trusted only to say *valid*, and only for schemas written
in keywords whose draft-7 meaning (what it implements) equals their Draft 2020-12 meaning: anything else,
and every instance it calls invalid, goes to jsonschema, so every message and location stay exactly as
before; the package not being installed only costs the speed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

LARGE_NODES = 5_000
_DRAFT7 = "http://json-schema.org/draft-07/schema#"
# Keywords with the same meaning in draft 7 and 2020-12 (plus annotations, which validate nothing).
_SAME_MEANING = frozenset(
    {
        "type", "properties", "patternProperties", "additionalProperties", "required", "minLength",
        "maxLength", "items", "pattern", "enum", "const", "minimum", "maximum", "exclusiveMinimum",
        "exclusiveMaximum", "uniqueItems", "minItems", "maxItems", "minProperties", "maxProperties",
        "oneOf", "anyOf", "allOf", "not", "if", "then", "else", "propertyNames", "format", "$ref",
        "$defs", "$id", "$schema", "description", "title", "default", "examples", "$comment",
    }
)  # fmt: skip
_ANNOTATIONS = frozenset({"description", "title", "default", "examples", "$comment"})
_SUBSCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs"})
_FORMATS = frozenset({"date-time", "regex"})  # the formats schemas.py checks itself


def is_large(instance: object, limit: int = LARGE_NODES) -> bool:
    """Say whether ``instance`` holds at least ``limit`` values (stops counting there)."""
    count = 0
    stack = [instance]
    while stack:
        node = stack.pop()
        count += 1
        if count >= limit:
            return True
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def _same_meaning(schema: object) -> bool:
    """Say whether every keyword of ``schema`` (recursively) means the same in draft 7 and 2020-12."""
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, Mapping):
        return False
    if not set(schema) <= _SAME_MEANING:
        return False
    if "$ref" in schema and set(schema) - _ANNOTATIONS - {"$ref"}:
        return False  # draft 7 ignores a $ref's siblings; 2020-12 applies them
    if "format" in schema and schema["format"] not in _FORMATS:
        return False  # fastjsonschema checks formats jsonschema here does not
    for key, value in schema.items():
        if key in _SUBSCHEMA_MAPS:
            if not all(_same_meaning(sub) for sub in value.values()):
                return False
        elif key in ("items", "additionalProperties", "not", "if", "then", "else", "propertyNames"):
            if not _same_meaning(value):
                return False
        elif key in ("oneOf", "anyOf", "allOf") and not all(_same_meaning(sub) for sub in value):
            return False
    return True


@cache
def _compiled(schema_json: str) -> Callable[[object], object] | None:
    """Return the compiled check of a schema, or None when it may not be trusted (or is unavailable)."""
    schema = json.loads(schema_json)
    if not _same_meaning(schema):
        return None
    try:
        import fastjsonschema
    except ImportError:
        return None
    from preflight.schemas import is_rfc3339_date_time

    def is_regex(value: object) -> bool:
        try:
            re.compile(str(value))
        except re.error:
            return False
        return True

    draft7 = {**schema, "$schema": _DRAFT7}
    try:
        check: Callable[[object], object] = fastjsonschema.compile(
            draft7, formats={"date-time": is_rfc3339_date_time, "regex": is_regex}
        )
    except Exception:  # a schema it cannot compile: jsonschema does the whole job
        return None
    return check


def surely_valid(schema_json: str, instance: Any) -> bool:
    """Say True only when the compiled check accepts ``instance`` (False: ask jsonschema)."""
    check = _compiled(schema_json)
    if check is None:
        return False
    try:
        check(instance)
    except Exception:  # invalid, or anything unexpected: jsonschema decides and explains
        return False
    return True
