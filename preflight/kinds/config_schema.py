"""Kind ``config_schema``: a deployment file loads and matches its JSON Schema (errors at file:line:col)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from preflight.context import RunContext
from preflight.errors import InputError
from preflight.kinds.base import CheckKind
from preflight.results import Evidence, Outcome

PARAMS_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["file", "schema"],
    "properties": {
        "file": {
            "type": "string",
            "minLength": 1,
            "description": "File under the root, e.g. config/runtime.yaml.",
        },
        "schema": {
            "type": "string",
            "pattern": "^[a-z_]+$",
            "description": "Packaged schema name, e.g. runtime.",
        },
    },
}


@dataclass(frozen=True)
class SchemaParams:
    """The file and the schema it must match."""

    file: str
    schema: str


def parse(params: Mapping[str, Any]) -> SchemaParams:
    """Build the params value from templated params."""
    return SchemaParams(file=str(params["file"]), schema=str(params["schema"]))


def run(params: SchemaParams, ctx: RunContext) -> Outcome:
    """Load the file (once per run) and validate it; the best schema error fails at its node.

    The root's format picks the schema (a bot_core root validates against bot_core's) and may judge
    the file as a whole instead: every problem of the parts the runbook reads and every duplicate key.
    """
    from preflight.deployment.documents import document_for
    from preflight.deployment.formats import format_of
    from preflight.schemas import validate_document

    try:
        fmt = format_of(ctx)
        reviewed = fmt.review(ctx, params.file, params.schema)
        if reviewed is not None:
            return reviewed
        schema = fmt.schema_for(params.file, params.schema)
        document = document_for(ctx, params.file)
        validate_document(document, schema)
    except InputError as error:
        # the message already holds the problem; the evidence keeps its location structured (JSON/JUnit)
        return Outcome.failed(str(error), Evidence("file", params.file, error.location))
    return Outcome.passed(
        f"{params.file} is well-formed YAML and matches the {schema} schema",
        Evidence("file", params.file, document.root_location()),
    )


KIND: CheckKind[SchemaParams] = CheckKind(
    name="config_schema",
    summary="A deployment file is well-formed YAML without duplicate keys and matches its JSON Schema.",
    params_schema=PARAMS_SCHEMA,
    parse=parse,
    run=run,
)
