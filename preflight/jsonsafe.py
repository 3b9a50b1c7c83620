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
from itertools import accumulate
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
    if _deepest(text) > max_depth:
        raise JSONTooDeep(
            f"arrays/objects nested more than {max_depth} levels deep", text, _first_too_deep(text, max_depth)
        )


_ESCAPE = re.compile(r"\\.", re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _deepest(text: str) -> int:
    """Return the deepest nesting in ``text``, at C speed: escapes dropped, then every other ``"``-split
    piece is outside the strings; of those only the brackets count."""
    outside = "".join(_ESCAPE.sub("", text).split('"')[::2])
    brackets = _NOT_BRACKET.sub("", outside)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def _first_too_deep(text: str, max_depth: int) -> int:
    """Return the index of the first bracket nested deeper than ``max_depth`` (the error's position)."""
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
                return index
        elif char in "]}":
            depth -= 1
    return 0
