"""The compiled pre-check only ever says "valid" where jsonschema agrees; errors come from jsonschema."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from preflight import schemafast
from preflight.errors import ConfigError
from preflight.schemas import load_schema, schema_names, validate_document
from preflight.yamlio import parse_yaml

pytest.importorskip("fastjsonschema")


@pytest.mark.parametrize("name", schema_names())
def test_every_packaged_schema_may_use_the_compiled_check(name: str) -> None:
    # a schema a colleague extends with a 2020-12-only keyword silently loses only the speed
    assert schemafast._same_meaning(load_schema(name)), name


@pytest.mark.parametrize(
    "schema",
    [
        {"unevaluatedProperties": False},
        {"dependentRequired": {"a": ["b"]}},
        {"prefixItems": [{"type": "string"}]},
        {"$ref": "#/$defs/x", "minLength": 1, "$defs": {"x": {}}},
        {"properties": {"a": {"format": "email"}}},
        {"items": {"$dynamicRef": "#meta"}},
    ],
)
def test_keywords_that_differ_from_draft_7_keep_jsonschema(schema: dict[str, object]) -> None:
    assert not schemafast._same_meaning(schema)
    assert schemafast._compiled(json.dumps(schema, sort_keys=True)) is None


def _big_runtime(entries: int, bad: int | None = None) -> str:
    lines = ["trading:", "  entrypoints:"]
    for n in range(entries):
        lines += [f"    ep{n}:", "      environment: env", f"      strategy: s{n}", "      tags: [a, b]"]
        if n == bad:
            lines.append("      surprise: 1")
    return "\n".join(lines) + "\n"


SCHEMA = {
    "type": "object",
    "properties": {
        "trading": {
            "type": "object",
            "properties": {
                "entrypoints": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["environment"],
                        "properties": {
                            "environment": {"type": "string", "minLength": 1},
                            "strategy": {"type": "string"},
                            "tags": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                }
            },
        }
    },
}


def test_a_large_valid_document_passes_and_a_large_invalid_one_fails_with_jsonschemas_error() -> None:
    valid = parse_yaml(_big_runtime(2000), "config/big.yaml")
    assert schemafast.is_large(valid.to_plain())
    assert schemafast.surely_valid(json.dumps(SCHEMA, sort_keys=True), valid.to_plain())
    validate_document(valid, SCHEMA)
    invalid = parse_yaml(_big_runtime(2000, bad=1234), "config/big.yaml")
    with pytest.raises(ConfigError) as caught:
        validate_document(invalid, SCHEMA)
    assert "trading.entrypoints.ep1234.surprise: unknown key 'surprise' (a typo?)" in str(caught.value)
    assert (
        caught.value.location.line == _big_runtime(2000, bad=1234).splitlines().index("      surprise: 1") + 1
    )
    assert not Draft202012Validator(SCHEMA).is_valid(invalid.to_plain())


def test_small_documents_never_pay_for_compiling() -> None:
    assert not schemafast.is_large({"a": [1, 2, 3]})
