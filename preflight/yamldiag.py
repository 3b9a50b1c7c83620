"""Safe reading of YAML input and the one-sentence, located diagnostics of what is wrong with it.

Split from :mod:`preflight.yamlio` so that the document model stays small: this module decides what an
operator reads when a file is missing, unreadable, hostile or malformed.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path
from typing import Any

from preflight.errors import ConfigError, Location

MAX_BYTES = 5 * 1024 * 1024  # no deployment or runbook file comes near this; bigger is hostile or a mistake
MAX_FLOW_DEPTH = 64  # ruamel recurses per bracket; refusing deep nesting up front keeps hostile input cheap
# Collections (block or flow) nested in one another: deployments nest under ten levels. The limit is
# explicit so that the verdict on a deep file never depends on the interpreter's recursion limit
# (test tools raise it), and the message is the same whichever reader met the file.
MAX_DEPTH = 100


def too_deep(display: str, line: int | None = None, column: int | None = None) -> ConfigError:
    """The one error for a document nested deeper than MAX_DEPTH (1-based line/column when known)."""
    return ConfigError(
        f"the document is nested too deeply to read (more than {MAX_DEPTH} levels); flatten it",
        Location(display, line, column),
    )


def read_text(path: Path, shown: str) -> str:
    """Read a regular file of at most MAX_BYTES as UTF-8; ConfigError with one sentence otherwise."""
    where = Location(shown)
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise ConfigError("is a directory, not a file; point at the YAML file inside it", where)
        if not stat.S_ISREG(info.st_mode):
            # a FIFO or device would block or never end; only regular files are configuration
            raise ConfigError(
                "is not a regular file (a pipe, socket or device); replace it with the file", where
            )
        size = info.st_size
        if size > MAX_BYTES:
            raise ConfigError(
                f"is {size} bytes, over the {MAX_BYTES // (1024 * 1024)} MiB limit for a configuration "
                "file; check that the right file is named",
                where,
            )
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError("file not found; create it or pass the right --root", where) from None
    except PermissionError:
        raise ConfigError(
            "cannot be read (permission denied); make it readable by this user", where
        ) from None
    except OSError as error:
        raise ConfigError(f"cannot be read ({error.strerror or error}); check the file", where) from None
    if len(data) > MAX_BYTES:
        raise ConfigError(
            f"is over the {MAX_BYTES // (1024 * 1024)} MiB limit for a configuration file", where
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        col = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise ConfigError(
            f"is not UTF-8 text (byte 0x{data[error.start]:02x} cannot be decoded); save it as UTF-8",
            Location(shown, line, col),
        ) from None


def open_brackets(text: str, display: str) -> list[tuple[str, int]]:
    """Return the flow brackets left open at the end, refusing nesting deeper than MAX_FLOW_DEPTH.

    A rough linear scan (quotes and comments skipped): outside brackets only a value's first character
    can open a quote or a flow collection, so ``a: x[`` or ``it's`` do not count.
    """
    stack: list[tuple[str, int]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not stack and "[" not in line and "{" not in line:
            continue  # nothing can open here and nothing is open: quotes and comments end with the line
        quote = ""
        last = ""  # the last non-blank character before the current one on this line
        for column, char in enumerate(line, start=1):
            starts_value = bool(stack) or last in ("", ":", "-", "?")
            if quote:
                quote = "" if char == quote else quote
            elif char in "'\"" and starts_value:
                quote = char
            elif char == "#" and (column == 1 or line[column - 2] in " \t"):
                break
            elif char in "[{" and starts_value:
                stack.append((char, number))
                if len(stack) > MAX_FLOW_DEPTH:
                    raise ConfigError(
                        f"brackets are nested more than {MAX_FLOW_DEPTH} levels deep; flatten the structure",
                        Location(display, number, column),
                    )
            elif char in "]}" and stack:
                stack.pop()
            if not char.isspace():
                last = char
    return stack


def has_content(text: str) -> bool:
    """Say whether ``text`` holds more than blank lines, comments and document markers."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and stripped not in ("---", "..."):
            return True
    return False


_BRACKETS = {"flow sequence": ("[", "]"), "flow mapping": ("{", "}")}


def marked_error(error: Any, display: str, text: str, open_brackets: list[tuple[str, int]]) -> ConfigError:
    """Turn a ruamel MarkedYAMLError into one located sentence."""
    mark = error.problem_mark or error.context_mark
    location = Location(display, mark.line + 1, mark.column + 1) if mark else Location(display)
    problem = _sentence(error.problem or "")
    context = _sentence(error.context or "")
    context_mark = error.context_mark
    if "duplicate key" in problem:
        key = re.search(r'duplicate key "(.*?)"', problem)
        name = key.group(1) if key else ""
        first = _first_key_line(text, name, context_mark, mark) if context_mark and mark else None
        where = f" (first at line {first})" if first else ""
        return ConfigError(f"duplicate key '{name}'{where}; keep only one of them", location)
    for what, (opening, closing) in _BRACKETS.items():
        if what in context and context_mark is not None:
            return ConfigError(
                f"unclosed bracket: {problem} - close the '{opening}' opened at line "
                f"{context_mark.line + 1} with '{closing}'",
                location,
            )
    if "<stream end>" in problem and open_brackets:
        opening, line = open_brackets[-1]
        closing = "]" if opening == "[" else "}"
        return ConfigError(
            f"unclosed bracket: the file ends before the '{opening}' opened at line {line} is closed "
            f"- close it with '{closing}'",
            location,
        )
    if "found character '\\t'" in problem or "found character '\t'" in problem:
        return ConfigError("a tab character is used for indentation; indent with spaces", location)
    detail = f"{context}: {problem}" if context and problem else problem or context or "malformed YAML"
    return ConfigError(f"not valid YAML: {detail}; fix the syntax at this position", location)


def unmarked_error(error: Any, display: str, text: str) -> ConfigError:
    """Turn a YAMLError without marks (e.g. a forbidden control character) into one located sentence."""
    position = getattr(error, "position", None)
    character = getattr(error, "character", None)
    if isinstance(position, int) and 0 <= position <= len(text):
        line = text.count("\n", 0, position) + 1
        col = position - (text.rfind("\n", 0, position) + 1) + 1
        location = Location(display, line, col)
    else:
        location = Location(display)
    code = ord(character) if isinstance(character, str) and character else character
    if isinstance(code, int):
        return ConfigError(
            f"contains the control character #x{code:04x}, which YAML does not allow; "
            "remove it (was the file saved as binary or in another encoding?)",
            location,
        )
    return ConfigError(f"not valid YAML: {_sentence(str(error))}; fix the file", location)


def _first_key_line(text: str, key: str, mapping_mark: Any, duplicate_mark: Any) -> int | None:
    """Find the line of the first ``key:`` of the mapping (ruamel only marks where the mapping starts)."""
    lines = text.splitlines()
    column = duplicate_mark.column
    for index in range(mapping_mark.line, min(duplicate_mark.line, len(lines))):
        line = lines[index]
        before, rest = line[:column], line[column:]
        if before.strip(" -") == "" and re.match(rf"""["']?{re.escape(key)}["']?\s*:""", rest):
            return index + 1
    return None


def _sentence(text: str) -> str:
    return " ".join(text.split()).rstrip(".")
