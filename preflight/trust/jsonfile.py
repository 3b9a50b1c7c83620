"""Load a JSON trust file (license, fingerprint), validate it against its schema, point at file:line."""

from __future__ import annotations

import json
import stat
from functools import cache
from pathlib import Path
from typing import Any

from preflight import jsonsafe
from preflight.errors import InputError, Location
from preflight.resources import schemas_dir

MAX_BYTES = 1024 * 1024  # a license or fingerprint is a few kB; more is a wrong or hostile file
MAX_DEPTH = 32  # the schemas nest 3 levels; json.loads recurses per level, so cap it before parsing


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


def _lone_surrogate_at(value: object, path: list[str | int]) -> list[str | int] | None:
    """Return the path of the first string (value or key) holding a lone surrogate, None if there is none."""
    if isinstance(value, str):
        return None if value.isascii() or _encodable(value) else path
    if isinstance(value, dict):
        for key, item in value.items():
            found = [*path, key] if not _encodable(key) else _lone_surrogate_at(item, [*path, key])
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _lone_surrogate_at(item, [*path, index])
            if found is not None:
                return found
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _read_bytes(path: Path, where: str, error: type[InputError], what_to_do: str) -> bytes:
    """Return the bytes of a regular file of at most MAX_BYTES; ``error`` in one sentence otherwise."""
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise error(f"is a directory, not a file; {what_to_do}", Location(where))
        if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block or never end
            raise error(f"is not a regular file (a pipe, socket or device); {what_to_do}", Location(where))
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise error(f"file not found; {what_to_do}", Location(where)) from None
    except OSError as problem:
        raise error(
            f"cannot be read ({problem.strerror or type(problem).__name__}); {what_to_do}", Location(where)
        ) from None
    if len(data) > MAX_BYTES:
        raise error(f"is over the {MAX_BYTES // 1024} KiB limit for this file; {what_to_do}", Location(where))
    if not data.strip():
        raise error(f"is empty; {what_to_do}", Location(where))
    return data


def _decode(data: bytes, where: str, error: type[InputError], what_to_do: str) -> str:
    """Decode UTF-8 (a leading BOM is tolerated); ``error`` at the first bad byte's line otherwise."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        line = data.count(b"\n", 0, problem.start) + 1
        col = problem.start - (data.rfind(b"\n", 0, problem.start) + 1) + 1
        raise error(
            f"is not UTF-8 text (byte 0x{data[problem.start]:02x} cannot be decoded); {what_to_do}",
            Location(where, line, col),
        ) from None


def _check_depth(text: str, where: str, error: type[InputError], what_to_do: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH before json.loads recurses into it."""
    try:
        jsonsafe.check_depth(text, MAX_DEPTH)
    except jsonsafe.JSONTooDeep as problem:
        raise error(
            f"arrays/objects are nested more than {MAX_DEPTH} levels deep; {what_to_do}",
            Location(where, problem.lineno, problem.colno),
        ) from None


def load_json_file(
    path: Path, schema: str, error: type[InputError], what_to_do: str, display: str | None = None
) -> dict[str, Any]:
    """Read ``path`` as a JSON object valid under ``schema``; else raise ``error`` at ``display``:line."""
    import jsonschema

    where = display or str(path)
    text = _decode(_read_bytes(path, where, error, what_to_do), where, error, what_to_do)
    _check_depth(text, where, error, what_to_do)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as problem:
        raise error(
            f"not valid JSON ({problem.msg}); {what_to_do}",
            Location(where, problem.lineno, problem.colno),
        ) from None
    except RecursionError:  # the depth scan should prevent this; never let it escape as a crash
        raise error(f"nested too deeply to read; {what_to_do}", Location(where)) from None
    bad = _lone_surrogate_at(data, [])
    if bad is not None:  # a lone "\\ud800" escape: canonical JSON, reports and terminals cannot encode it
        line, col = _position(text, bad)
        json_path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in bad)
        shown = json_path.encode("utf-8", "backslashreplace").decode("utf-8")
        raise error(
            f"{shown}: holds a \\uD800-\\uDFFF escape (half a character); {what_to_do}",
            Location(where, line, col),
        )
    validator = jsonschema.Draft202012Validator(load_schema(schema))
    best = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if best is not None:
        json_path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in best.absolute_path)
        line, col = _position(text, list(best.absolute_path))
        raise error(f"{json_path}: {best.message}; {what_to_do}", Location(where, line, col))
    if not isinstance(data, dict):  # the schemas require an object; this keeps mypy and readers honest
        raise error(f"expected a JSON object; {what_to_do}", Location(where))
    return data
