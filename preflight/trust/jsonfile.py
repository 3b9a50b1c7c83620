"""Load a JSON trust file (license, fingerprint), validate it against its schema, point at file:line."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from preflight.errors import InputError, Location
from preflight.resources import schemas_dir


@cache
def load_schema(name: str) -> dict[str, Any]:
    """Return the packaged JSON Schema ``schemas/<name>.schema.json``."""
    data: dict[str, Any] = json.loads((schemas_dir() / f"{name}.schema.json").read_text("utf-8"))
    return data


def _position(text: str, path: list[str | int]) -> tuple[int | None, int | None]:
    """Find the 1-based line/column of the JSON ``path`` in ``text`` (ruamel keeps positions)."""
    from ruamel.yaml import YAML

    try:
        node: Any = YAML(typ="rt").load(text)
    except Exception:  # position lookup is best effort; the message still names the JSON path
        return None, None
    line: int | None = None
    col: int | None = None
    for part in path:
        try:
            if isinstance(part, str):
                line, col = node.lc.key(part)
            else:
                line, col = node.lc.item(part)
            node = node[part]
        except (AttributeError, KeyError, IndexError, TypeError):
            break
    return (line + 1 if line is not None else None), (col + 1 if col is not None else None)


def load_json_file(
    path: Path, schema: str, error: type[InputError], what_to_do: str, display: str | None = None
) -> dict[str, Any]:
    """Read ``path`` as a JSON object valid under ``schema``; else raise ``error`` at ``display``:line."""
    import jsonschema

    where = display or str(path)

    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise error(f"file not found; {what_to_do}", Location(where)) from None
    except (OSError, UnicodeDecodeError) as problem:
        raise error(
            f"cannot read the file ({type(problem).__name__}); {what_to_do}", Location(where)
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as problem:
        raise error(
            f"not valid JSON ({problem.msg}); {what_to_do}",
            Location(where, problem.lineno, problem.colno),
        ) from None
    validator = jsonschema.Draft202012Validator(load_schema(schema))
    best = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if best is not None:
        json_path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in best.absolute_path)
        line, col = _position(text, list(best.absolute_path))
        raise error(f"{json_path}: {best.message}; {what_to_do}", Location(where, line, col))
    if not isinstance(data, dict):  # the schemas require an object; this keeps mypy and readers honest
        raise error(f"expected a JSON object; {what_to_do}", Location(where))
    return data
