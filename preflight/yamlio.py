"""Position-keeping YAML: every mapping key, value and sequence item keeps its ``file:line:col``.

Loading is defensive: a missing, unreadable, oversized, non-UTF-8, empty or malformed file, a duplicate
key, an alias bomb or absurd nesting each become one :class:`~preflight.errors.ConfigError` carrying the
location and one sentence saying what to do; nothing here hangs or prints a traceback.
"""

from __future__ import annotations

import math
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from preflight.errors import ConfigError, Location

MAX_BYTES = 5 * 1024 * 1024  # no deployment or runbook file comes near this; bigger is hostile or a mistake
MAX_NODES = 200_000  # plain-conversion budget: aliases may share nodes, expansion may not explode
MAX_FLOW_DEPTH = 64  # ruamel recurses per bracket; refusing deep nesting up front keeps hostile input cheap
_MISSING = object()

PathLike = str | Sequence[str | int]


@dataclass(frozen=True)
class Located:
    """A value found in a document (plain Python: dict, list, str, int, float, bool, None) and where."""

    value: object
    location: Location
    key_location: Location | None = None  # where the mapping key naming it sits, when it has one


def split_path(path: PathLike) -> tuple[str | int, ...]:
    """Split ``a.b.0.c`` into segments; a sequence of segments is returned as a tuple unchanged."""
    if not isinstance(path, str):
        return tuple(path)
    if not path:
        return ()
    return tuple(int(part) if part.isdigit() else part for part in path.split("."))


def format_path(segments: Sequence[str | int]) -> str:
    """Join segments back into the dotted form operators write (``$`` for the document root)."""
    return ".".join(str(s) for s in segments) if segments else "$"


class YamlDocument:
    """A loaded YAML file: the round-trip tree plus positions, looked up by dotted path."""

    def __init__(self, path: Path, display: str, tree: Any) -> None:
        self.path = path
        self.display = display  # the name used in locations, e.g. ``config/runtime.yaml``
        self.tree = tree
        self._plain: object = _MISSING

    def __repr__(self) -> str:
        return f"YamlDocument({self.display!r})"

    def location(self, line0: int | None, col0: int | None) -> Location:
        """Return a Location from ruamel's 0-based line and column."""
        if line0 is None:
            return Location(self.display)
        return Location(self.display, line0 + 1, None if col0 is None else col0 + 1)

    def root_location(self) -> Location:
        """Return where the top-level node starts."""
        lc = getattr(self.tree, "lc", None)
        return self.location(lc.line, lc.col) if lc is not None else Location(self.display, 1, 1)

    def _walk(self, segments: Sequence[str | int]) -> Iterator[tuple[int, Any, Location, Location | None]]:
        """Yield (depth, node, value location, key location) along ``segments`` while they exist."""
        node: Any = self.tree
        loc = self.root_location()
        yield 0, node, loc, None
        for depth, segment in enumerate(segments, start=1):
            child, loc, key_loc = self._child(node, segment)
            if child is _MISSING:
                return
            node = child
            yield depth, node, loc, key_loc

    def _child(self, node: Any, segment: str | int) -> tuple[Any, Location, Location | None]:
        """Return one step down from ``node`` (``_MISSING`` if there is none) with its positions."""
        if isinstance(node, dict):
            key = _find_key(node, segment)
            if key is _MISSING:
                return _MISSING, Location(self.display), None
            lc = getattr(node, "lc", None)
            if lc is None:
                return node[key], Location(self.display), None
            key_pos = _safe_pos(lc.key, key)
            value_pos = _safe_pos(lc.value, key) or key_pos
            key_loc = self.location(*key_pos) if key_pos else None
            value_loc = self.location(*value_pos) if value_pos else Location(self.display)
            if key_loc is not None and isinstance(node[key], dict | list) and value_loc.line != key_loc.line:
                # a block collection "starts" at its first child; operators expect the line of its key
                value_loc = key_loc
            return node[key], value_loc, key_loc
        if isinstance(node, list):
            index = segment if isinstance(segment, int) else int(segment) if str(segment).isdigit() else -1
            if not 0 <= index < len(node):
                return _MISSING, Location(self.display), None
            lc = getattr(node, "lc", None)
            pos = _safe_pos(lc.item, index) if lc is not None else None
            return node[index], self.location(*pos) if pos else Location(self.display), None
        return _MISSING, Location(self.display), None

    def _position(self, segments: Sequence[str | int]) -> tuple[int, Location, Location | None]:
        """Return how deep ``segments`` exist and the location (and key location) reached."""
        depth, loc, key_loc = 0, self.root_location(), None
        for depth, _node, loc, key_loc in self._walk(segments):  # noqa: B007 - the last one wins
            pass
        return depth, loc, key_loc

    def _plain_at(self, segments: Sequence[str | int]) -> object:
        """Return the plain value at existing ``segments`` from the cached plain document."""
        node: Any = self.to_plain()
        for segment in segments:
            node = node[int(segment)] if isinstance(node, list) else node[str(segment)]
        return node

    def lookup(self, path: PathLike) -> Located | None:
        """Return the value at ``path`` (``trading.entrypoints.x.tags``) and its location, or None."""
        segments = split_path(path)
        depth, loc, key_loc = self._position(segments)
        if depth != len(segments):
            return None
        return Located(self._plain_at(segments), loc, key_loc)

    def deepest(self, path: PathLike) -> tuple[tuple[str | int, ...], Located]:
        """Return the longest existing prefix of ``path`` and the value there (the root at worst)."""
        segments = split_path(path)
        depth, loc, key_loc = self._position(segments)
        return segments[:depth], Located(self._plain_at(segments[:depth]), loc, key_loc)

    def location_of(self, path: PathLike) -> Location:
        """Return the location of ``path`` or, when it is missing, of its deepest existing parent."""
        return self._position(split_path(path))[1]

    def key_location_of(self, path: PathLike) -> Location:
        """Return where the key naming ``path`` sits (the value's location when it has no key)."""
        _depth, loc, key_loc = self._position(split_path(path))
        return key_loc or loc

    def to_plain(self) -> object:
        """Return the whole document as plain Python values (cached), for schema validation."""
        if self._plain is _MISSING:
            try:
                self._plain = to_plain(self.tree, self.display)
            except _NonFinite as error:
                raise ConfigError(
                    f"{format_path(error.path)}: the number is {error.text} (too large or not a number); "
                    "write a finite value",
                    self.location_of(error.path),
                ) from None
        return self._plain


def _safe_pos(getter: Any, key: Any) -> tuple[int, int] | None:
    try:
        pos = getter(key)
    except (KeyError, IndexError, TypeError):
        return None
    return (pos[0], pos[1]) if pos else None


def _find_key(mapping: dict[Any, Any], segment: str | int) -> Any:
    """Return the mapping key matching ``segment`` (YAML keys may be ints or bools), or ``_MISSING``."""
    if segment in mapping:
        return segment
    text = str(segment)
    for key in mapping:
        if str(key) == text:
            return key
    return _MISSING


class _NonFinite(Exception):
    """Internal: a float that is inf or nan, at ``path`` (turned into a located ConfigError)."""

    def __init__(self, path: tuple[str | int, ...], text: str) -> None:
        super().__init__(text)
        self.path = path
        self.text = text


def to_plain(node: Any, display: str = "<yaml>") -> object:
    """Convert a round-trip tree to plain dict/list/scalars, refusing cycles and alias explosions."""
    budget = [MAX_NODES]
    return _plain(node, budget, set(), display, ())


def _plain(
    node: Any, budget: list[int], active: set[int], display: str, path: tuple[str | int, ...]
) -> object:
    budget[0] -= 1
    if budget[0] < 0:
        raise ConfigError(
            f"the document expands to more than {MAX_NODES} values (alias expansion?); "
            "write the configuration out without nested aliases",
            Location(display),
        )
    if isinstance(node, dict | list):
        if id(node) in active:
            raise ConfigError(
                "an alias refers to the node that contains it (a recursive structure); remove the cycle",
                Location(display),
            )
        active.add(id(node))
        try:
            if isinstance(node, dict):
                return {str(k): _plain(v, budget, active, display, (*path, str(k))) for k, v in node.items()}
            return [_plain(v, budget, active, display, (*path, i)) for i, v in enumerate(node)]
        finally:
            active.discard(id(node))
    value = _scalar(node)
    if isinstance(value, float) and not math.isfinite(value):
        # .inf/.nan (or 1e999 overflowing) is never a meaningful limit, balance or threshold
        raise _NonFinite(path, str(node))
    return value


def _scalar(node: Any) -> object:
    # ruamel's round-trip scalars subclass int/float/str; plain types keep schema validation honest.
    from ruamel.yaml.scalarbool import ScalarBoolean

    if node is None or isinstance(node, bool):
        return node
    if isinstance(node, ScalarBoolean):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    if isinstance(node, datetime):
        return datetime(*node.timetuple()[:6], node.microsecond, tzinfo=node.tzinfo).isoformat()
    if isinstance(node, date):
        return node.isoformat()
    return str(node)


def load_yaml(path: Path, display: str | None = None) -> YamlDocument:
    """Load ``path`` keeping positions; ConfigError (file:line:col + one sentence) on any problem."""
    shown = display or str(path)
    text = _read_text(path, shown)
    return parse_yaml(text, shown, path)


def parse_yaml(text: str, display: str, path: Path | None = None) -> YamlDocument:
    """Parse YAML ``text`` shown as ``display``; see :func:`load_yaml`."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    if not _has_content(text):
        raise ConfigError(
            "the file is empty (or holds only comments); restore its content", Location(display, 1, 1)
        )
    open_brackets = _open_brackets(text, display)
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    try:
        tree = yaml.load(text)
    except MarkedYAMLError as error:
        raise _marked_error(error, display, text, open_brackets) from None
    except YAMLError as error:
        raise _unmarked_error(error, display, text) from None
    except RecursionError:
        raise ConfigError(
            "the document is nested too deeply to read; flatten it", Location(display)
        ) from None
    document = YamlDocument(path or Path(display), display, tree)
    document.to_plain()  # fail now (alias bombs, cycles), not in the middle of a check
    return document


def _read_text(path: Path, shown: str) -> str:
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


def _open_brackets(text: str, display: str) -> list[tuple[str, int]]:
    """Return the flow brackets left open at the end, refusing nesting deeper than MAX_FLOW_DEPTH.

    A rough linear scan (quotes and comments skipped): outside brackets only a value's first character
    can open a quote or a flow collection, so ``a: x[`` or ``it's`` do not count.
    """
    stack: list[tuple[str, int]] = []
    for number, line in enumerate(text.splitlines(), start=1):
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


def _has_content(text: str) -> bool:
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and stripped not in ("---", "..."):
            return True
    return False


_BRACKETS = {"flow sequence": ("[", "]"), "flow mapping": ("{", "}")}


def _marked_error(error: Any, display: str, text: str, open_brackets: list[tuple[str, int]]) -> ConfigError:
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


def _unmarked_error(error: Any, display: str, text: str) -> ConfigError:
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
