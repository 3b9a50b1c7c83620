"""The packaged schemas: valid Draft 2020-12, a description on every property, errors mapped to lines."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from preflight.errors import ConfigError, UsageError
from preflight.resources import sample_config_dir
from preflight.schemas import load_schema, schema_names, schema_text, validate_document, validator_for
from preflight.yamlio import load_yaml, parse_yaml

MINE = ("runtime", "core", "runbook", "waivers")


def _properties(node: object, path: str = "$") -> Iterator[tuple[str, Mapping[str, Any]]]:
    if isinstance(node, Mapping):
        for name, sub in node.get("properties", {}).items():
            yield f"{path}.{name}", sub
        for key, value in node.items():
            yield from _properties(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _properties(value, f"{path}[{index}]")


@pytest.mark.parametrize("name", MINE)
def test_schema_is_valid_and_every_property_is_described(name: str) -> None:
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    validator_for(schema)
    assert name in schema_names()
    undocumented = [path for path, sub in _properties(schema) if not sub.get("description")]
    assert undocumented == []
    assert schema_text(name).lstrip().startswith("{")


@pytest.mark.parametrize("name", ["runtime", "core"])
def test_the_sample_config_matches_its_schema(name: str) -> None:
    validate_document(load_yaml(sample_config_dir() / f"{name}.yaml", display=f"config/{name}.yaml"), name)


def test_unknown_schema_is_a_usage_error_naming_the_known_ones() -> None:
    with pytest.raises(UsageError, match=r"known: .*runtime"):
        load_schema("runtim")


SAFETY = [
    ("runtime", ("properties", "io_queue")),
    ("runtime", ("properties", "licensing")),
    ("runtime", ("$defs", "guardrails")),
    ("runtime", ("$defs", "metrics", "properties", "thresholds")),
    ("runtime", ("$defs", "io_queue_limits")),
    ("runtime", ("$defs", "paper_profile")),
    ("runtime", ("$defs", "trading_profile")),
    ("core", ("$defs", "environment")),
    ("core", ("$defs", "permission_profile")),
    ("core", ("properties", "licensing")),
]


@pytest.mark.parametrize(("name", "path"), SAFETY, ids=[f"{n}:{p[-1]}" for n, p in SAFETY])
def test_safety_settings_refuse_unknown_keys(name: str, path: tuple[str, ...]) -> None:
    node: Any = load_schema(name)
    for key in path:
        node = node[key]
    assert node["additionalProperties"] is False


def test_error_points_at_the_offending_node_with_its_json_path() -> None:
    document = parse_yaml("a:\n  b:\n    - 1\n    - two\n", "x.yaml")
    schema = {
        "type": "object",
        "properties": {
            "a": {"type": "object", "properties": {"b": {"type": "array", "items": {"type": "integer"}}}}
        },
    }
    with pytest.raises(ConfigError) as caught:
        validate_document(document, schema)
    assert str(caught.value) == 'x.yaml:4:7: a.b.1: "two" is a string, expected integer'


def test_further_problems_are_counted_after_the_reported_one() -> None:
    document = parse_yaml("a: one\nb: two\nc: 3\n", "x.yaml")
    schema = {"type": "object", "properties": {k: {"type": "integer"} for k in "abc"}}
    with pytest.raises(ConfigError) as caught:
        validate_document(document, schema)
    assert caught.value.location is not None and caught.value.location.line in (1, 2)
    assert str(caught.value).endswith("expected integer (1 more problem after this one)")
