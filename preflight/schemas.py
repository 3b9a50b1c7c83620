"""The packaged JSON Schemas (Draft 2020-12) and validation that reports ``file:line:col``."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from preflight.errors import ConfigError, UsageError
from preflight.resources import schemas_dir
from preflight.schemafast import is_large, surely_valid
from preflight.yamlio import YamlDocument, format_path

_SUFFIX = ".schema.json"


def schema_names() -> tuple[str, ...]:
    """Return the names of every packaged schema (``runtime``, ``core``, ``runbook``, ...)."""
    return tuple(sorted(p.name[: -len(_SUFFIX)] for p in schemas_dir().glob(f"*{_SUFFIX}")))


@cache
def load_schema(name: str) -> Mapping[str, Any]:
    """Return the schema ``name``; UsageError naming the known ones if there is none."""
    path = schemas_dir() / f"{name}{_SUFFIX}"
    if not path.is_file():
        raise UsageError(f"unknown schema {name!r}; known: {', '.join(schema_names())}")
    loaded: Mapping[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def schema_text(name: str) -> str:
    """Return the schema ``name`` exactly as packaged (for ``preflight schema NAME``)."""
    load_schema(name)
    return (schemas_dir() / f"{name}{_SUFFIX}").read_text(encoding="utf-8")


_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def is_rfc3339_date_time(value: object) -> bool:
    """Say whether ``value`` is an RFC 3339 date-time with a timezone (non-strings are not our business)."""
    if not isinstance(value, str):
        return True
    if not _RFC3339.match(value):
        return False
    try:
        datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
    except ValueError:
        return False
    return True


def _is_regex(value: object) -> bool:
    """Say whether ``value`` compiles as a Python regex (raises re.error, which jsonschema reports)."""
    if isinstance(value, str):
        re.compile(value)
    return True


@cache
def _validator(schema_json: str) -> Any:
    from jsonschema import Draft202012Validator, FormatChecker

    schema = json.loads(schema_json)
    # No check_schema here: every schema is a packaged constant, checked against the metaschema once in
    # the test suite (tests/test_schema_metaschema.py), not on every run (0.15 s for the 19 of a run).
    # Only the formats we check ourselves: jsonschema's own date-time check depends on an optional
    # package, and a schema must not pass on one machine and fail on another.
    checker = FormatChecker(formats=())
    checker.checks("date-time")(is_rfc3339_date_time)
    checker.checks("regex", raises=re.error)(_is_regex)  # config_value's ``matches`` patterns
    return Draft202012Validator(schema, format_checker=checker)


# id(schema) -> (schema, validator): schemas are long-lived constants, so the serialisation below is
# paid once per object; holding the schema keeps its id from being reused by another object.
_BY_ID: dict[int, tuple[Mapping[str, Any], Any]] = {}


def validator_for(schema: Mapping[str, Any]) -> Any:
    """Return a (cached) Draft 2020-12 validator with format checking for ``schema``."""
    known = _BY_ID.get(id(schema))
    if known is not None and known[0] is schema:
        return known[1]
    validator = _validator(_schema_json(schema))
    _BY_ID[id(schema)] = (schema, validator)
    return validator


# id(schema) -> (schema, its canonical JSON): the key of both validators' caches, serialised once.
_JSON_BY_ID: dict[int, tuple[Mapping[str, Any], str]] = {}


def _schema_json(schema: Mapping[str, Any]) -> str:
    known = _JSON_BY_ID.get(id(schema))
    if known is not None and known[0] is schema:
        return known[1]
    text = json.dumps(schema, sort_keys=True)
    _JSON_BY_ID[id(schema)] = (schema, text)
    return text


def validate_document(
    document: YamlDocument,
    schema: Mapping[str, Any] | str,
    *,
    at: Sequence[str | int] = (),
    instance: object = None,
) -> None:
    """Validate ``document`` (or the node at ``at``) against ``schema``; ConfigError at the bad node."""
    if isinstance(schema, str) and instance is None:
        # several checks validate the same file against the same schema; the document is immutable
        problem = document.memo(("schema", schema, tuple(at)), lambda: _problem(document, schema, at, None))
    else:
        problem = _problem(document, schema, at, instance)
    if problem is not None:
        raise problem


def _problem(
    document: YamlDocument, schema: Mapping[str, Any] | str, at: Sequence[str | int], instance: object
) -> ConfigError | None:
    """Return the located error of validating ``document`` (see validate_document), None when valid."""
    resolved = load_schema(schema) if isinstance(schema, str) else schema
    if instance is None:
        instance = document.lookup(at).value if at else document.to_plain()  # type: ignore[union-attr]
    if is_large(instance) and surely_valid(_schema_json(resolved), instance):
        return None  # a large valid document: the compiled check is an order of magnitude faster
    from jsonschema.exceptions import best_match

    errors = list(validator_for(resolved).iter_errors(instance))
    if not errors:
        return None
    located = located_error(document, best_match(errors), prefix=tuple(at))
    if len(errors) == 1:
        return located
    # Fixing one problem per run would take as many runs as there are problems: say that more follow.
    more = len(errors) - 1
    return ConfigError(
        f"{located.message} ({more} more problem{'s' if more > 1 else ''} after this one)", located.location
    )


def best_error(schema: Mapping[str, Any], instance: object) -> Any:
    """Return jsonschema's best error for ``instance`` (None when it is valid)."""
    from jsonschema.exceptions import best_match

    return best_match(validator_for(schema).iter_errors(instance))


def located_error(document: YamlDocument, error: Any, *, prefix: Sequence[str | int] = ()) -> ConfigError:
    """Map a jsonschema ValidationError to a ConfigError at the offending node's file:line:col."""
    path: tuple[str | int, ...] = (*prefix, *error.absolute_path)
    message = _describe(error)
    location = document.location_of(path)
    if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
        extras = _extra_keys(error.schema, error.instance)
        if extras:
            path = (*path, extras[0])
            location = document.key_location_of(path)
    elif "propertyNames" in error.relative_schema_path and isinstance(error.instance, str):
        # jsonschema reports a bad key name with the parent's path and the name as the instance.
        path = (*path, error.instance)
        location = document.key_location_of(path)
        why = error.schema.get("description") if isinstance(error.schema, Mapping) else None
        message = f"the name {error.instance!r} is not allowed here" + (f" ({why})" if why else "")
    return ConfigError(f"{format_path(path)}: {message}", location)


def _extra_keys(schema: Mapping[str, Any], instance: Mapping[str, Any]) -> list[str]:
    import re

    known = set(schema.get("properties", {}))
    patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
    return [k for k in instance if k not in known and not any(p.search(k) for p in patterns)]


def _describe(error: Any) -> str:
    """Say in one sentence what is wrong, in the operator's words where jsonschema's are obscure."""
    validator = error.validator
    if validator == "additionalProperties" and isinstance(error.instance, Mapping):
        extras = _extra_keys(error.schema, error.instance)
        allowed = ", ".join(sorted(error.schema.get("properties", {})))
        names = ", ".join(repr(e) for e in extras)
        return f"unknown key {names} (a typo?); allowed keys: {allowed}"
    if validator == "required":
        return f"{error.message}; add it"
    if validator == "enum":
        choices = ", ".join(json.dumps(c) for c in error.validator_value)
        return f"{json.dumps(error.instance)} is not one of {choices}"
    if validator == "type":
        expected = error.validator_value
        expected_text = " or ".join(expected) if isinstance(expected, list) else expected
        return f"{_short(error.instance)} is {_a(_json_type(error.instance))}, expected {expected_text}"
    message = error.message if len(error.message) < 300 else error.message[:297] + "..."
    if (
        validator in ("format", "pattern")
        and isinstance(error.schema, Mapping)
        and error.schema.get("description")
    ):
        # a raw regex or format name says little to an operator; the description says what is meant
        return f"{_short(error.instance)} is not valid here: {error.schema['description']}"
    return message


def _a(noun: str) -> str:
    """Return ``noun`` with its indefinite article (an object, a string)."""
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _short(value: object) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."
