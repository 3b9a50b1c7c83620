"""Every schema preflight validates with is a valid Draft 2020-12 schema: checked here, once, not per run."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from preflight.kinds import KINDS
from preflight.schemas import load_schema, schema_names


@pytest.mark.parametrize("name", schema_names())
def test_every_packaged_schema_passes_the_metaschema(name: str) -> None:
    Draft202012Validator.check_schema(load_schema(name))


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_params_schema_passes_the_metaschema(kind: str) -> None:
    Draft202012Validator.check_schema(KINDS[kind].params_schema)


def test_a_broken_schema_is_caught_by_this_check() -> None:
    from jsonschema.exceptions import SchemaError

    with pytest.raises(SchemaError):
        Draft202012Validator.check_schema({"type": "no-such-type"})
