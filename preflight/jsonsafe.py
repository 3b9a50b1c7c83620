"""The one JSON reader for text preflight did not write itself: bounded nesting, whatever the interpreter.

``json.loads`` recurses once per array/object level, so a hostile document of ``[[[[...`` either raises
RecursionError (a crash where a one-line error is owed) or, when a test tool or library has raised the
recursion limit, overflows the C stack. :func:`loads` refuses nesting deeper than ``max_depth`` before
parsing, with a :class:`json.JSONDecodeError` (a ValueError) at the bracket one level too deep, so every
caller's existing ``except ValueError`` reports it like any other malformed JSON.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 64  # every JSON document preflight reads nests under ten levels

# The only characters that matter to nesting; everything between them is skipped at C speed.
_SPECIAL = re.compile(r'[\[\]{}"\\]')


class JSONTooDeep(json.JSONDecodeError):
    """Arrays/objects nested deeper than the reader's limit."""


def loads(data: str | bytes | bytearray, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON ``data`` as ``json.loads`` does, refusing nesting deeper than ``max_depth``."""
    check_depth(data, max_depth)
    return json.loads(data)


def check_depth(data: str | bytes | bytearray, max_depth: int = MAX_DEPTH) -> None:
    """Raise :class:`JSONTooDeep` at the first bracket nested deeper than ``max_depth``."""
    if isinstance(data, str):
        if data.count("[") + data.count("{") <= max_depth:
            return  # it cannot nest deeper than it has brackets: the common case costs two C scans
        text = data
    else:
        if data.count(b"[") + data.count(b"{") <= max_depth:
            return
        text = bytes(data).decode("utf-8", "replace")  # positions in characters, as json reports them
    depth = 0
    in_string = False
    escaped_until = -1  # a backslash in a string makes the next character plain
    for match in _SPECIAL.finditer(text):
        index = match.start()
        if index < escaped_until:
            continue
        char = text[index]
        if in_string:
            if char == "\\":
                escaped_until = index + 2
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                raise JSONTooDeep(f"arrays/objects nested more than {max_depth} levels deep", text, index)
        elif char in "]}":
            depth -= 1
