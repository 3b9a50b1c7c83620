"""Position-keeping YAML: every mapping key, value and sequence item keeps its ``file:line:col``.

Loading is defensive: a missing, unreadable, oversized, non-UTF-8, empty or malformed file, a duplicate
key, an alias bomb or absurd nesting each become one :class:`~preflight.errors.ConfigError` carrying the
location and one sentence saying what to do; nothing here hangs or prints a traceback.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

from preflight.errors import ConfigError, Location
from preflight.yamldiag import MAX_BYTES as MAX_BYTES  # re-exported: the documented limit lives here too
from preflight.yamldiag import (
    MAX_DEPTH,
    has_content,
    marked_error,
    open_brackets,
    read_text,
    too_deep,
    unmarked_error,
)
from preflight.yamlfast import Duplicate, Fallback, TooDeep, fast_tree, is_fast_tree

MAX_NODES = 200_000  # plain-conversion budget: aliases may share nodes, expansion may not explode
_MISSING = object()
_T = TypeVar("_T")

PathLike = str | Sequence[str | int]


@dataclass(frozen=True)
class Located:
    """A value found in a document (plain Python: dict, list, str, int, float, bool, None) and where."""

    value: object
    location: Location
    key_location: Location | None = None  # where the mapping key naming it sits, when it has one


@dataclass(frozen=True)
class DuplicateKey:
    """A mapping key written twice in a document read the PyYAML way: the last copy is the one used."""

    path: tuple[str | int, ...]  # the key's own path (the mapping's path plus the key)
    first: Location
    last: Location
    same: bool  # both copies hold the same value


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
        self._memo: dict[object, Any] = {}
        self.duplicates: tuple[DuplicateKey, ...] = ()  # only when read with last_duplicate_wins

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
            empty_or_block = node[key] is None or isinstance(node[key], dict | list)
            if key_loc is not None and empty_or_block and value_loc.line != key_loc.line:
                # a block collection "starts" at its first child and an empty value at the next token;
                # operators expect the line of the key
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

    def memo(self, key: object, compute: Callable[[], _T]) -> _T:
        """Return ``compute()``, computed once per document and ``key`` (the document never changes)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return cast(_T, self._memo[key])

    def to_plain(self) -> object:
        """Return the whole document as plain Python values (cached), for schema validation."""
        if self._plain is _MISSING and is_fast_tree(self.tree):
            self._plain = self.tree  # plain already, checked as it was built (no copy: half the memory)
        if self._plain is _MISSING:
            try:
                self._plain = to_plain(self.tree, self.display)
            except _BadScalar as error:
                # the path itself may hold the bad key: show it escaped
                shown = format_path(error.path).encode("utf-8", "backslashreplace").decode("utf-8")
                raise ConfigError(f"{shown}: {error.problem}", self.location_of(error.path)) from None
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


class _BadScalar(Exception):
    """Internal: an unusable scalar at ``path`` and what is wrong (turned into a located ConfigError)."""

    def __init__(self, path: tuple[str | int, ...], problem: str) -> None:
        super().__init__(problem)
        self.path = path
        self.problem = problem


def _text(value: str, path: tuple[str | int, ...]) -> str:
    # A "\ud800" escape yields a lone surrogate: not a character, so every report writer would crash on it.
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise _BadScalar(
                path, "the text holds a \\uD800-\\uDFFF escape (half a character); write the character itself"
            ) from None
    return value


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
    kind = type(node)
    if kind is str:
        return _text(node, path)
    if kind is int or kind is bool or node is None:
        return node  # the fast reader's scalars are plain already
    if isinstance(node, dict | list):
        if len(path) >= MAX_DEPTH:  # the round-trip reader has no depth limit of its own
            raise too_deep(display)
        if id(node) in active:
            raise ConfigError(
                "an alias refers to the node that contains it (a recursive structure); remove the cycle",
                Location(display),
            )
        active.add(id(node))
        try:
            if isinstance(node, dict):
                return {
                    _text(str(k), (*path, str(k))): _plain(v, budget, active, display, (*path, str(k)))
                    for k, v in node.items()
                }
            return [_plain(v, budget, active, display, (*path, i)) for i, v in enumerate(node)]
        finally:
            active.discard(id(node))
    value = _scalar(node)
    if isinstance(value, float) and not math.isfinite(value):
        # .inf/.nan (or 1e999 overflowing) is never a meaningful limit, balance or threshold
        raise _BadScalar(path, f"the number is {node} (too large or not a number); write a finite value")
    if isinstance(value, str):
        return _text(value, path)
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


def load_yaml(path: Path, display: str | None = None, *, last_duplicate_wins: bool = False) -> YamlDocument:
    """Load ``path`` keeping positions; ConfigError (file:line:col + one sentence) on any problem.

    ``last_duplicate_wins`` reads duplicate keys as PyYAML's ``safe_load`` does (the bot_core format):
    the last copy is kept and every duplicate is listed in ``YamlDocument.duplicates``.
    """
    shown = display or str(path)
    text = read_text(path, shown)
    return parse_yaml(text, shown, path, last_duplicate_wins=last_duplicate_wins)


def parse_yaml(
    text: str, display: str, path: Path | None = None, *, last_duplicate_wins: bool = False
) -> YamlDocument:
    """Parse YAML ``text`` shown as ``display``; see :func:`load_yaml`."""
    if not has_content(text):
        raise ConfigError(
            "the file is empty (or holds only comments); restore its content", Location(display, 1, 1)
        )
    still_open = open_brackets(text, display)
    # Parsing allocates hundreds of thousands of acyclic objects; the cyclic collector would rescan the
    # growing heap again and again (a quarter of the time for a large deployment), for nothing.
    collecting = gc.isenabled()
    gc.disable()
    duplicates: list[Duplicate] | None = [] if last_duplicate_wins else None
    try:
        try:
            tree = fast_tree(text, MAX_NODES + 1, duplicates)
        except TooDeep as deep:
            raise too_deep(display, deep.line + 1, deep.column + 1) from None
        except Fallback:
            # Anything the fast reader cannot reproduce is read strictly: a duplicate key there is an error.
            duplicates = None
            tree = _round_trip_tree(text, display, still_open)
        document = YamlDocument(path or Path(display), display, tree)
        if duplicates:
            document.duplicates = tuple(
                DuplicateKey(
                    (*d.path, d.key), document.location(*d.first), document.location(*d.last), d.same
                )
                for d in duplicates
            )
        document.to_plain()  # fail now (alias bombs, cycles), not in the middle of a check
    finally:
        if collecting:
            gc.enable()
    return document


def _round_trip_tree(text: str, display: str, still_open: list[tuple[str, int]]) -> Any:
    """Parse with ruamel's round-trip loader: slower, but exact for every YAML feature and error."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    try:
        tree = yaml.load(text)
    except MarkedYAMLError as error:
        raise marked_error(error, display, text, still_open) from None
    except YAMLError as error:
        raise unmarked_error(error, display, text) from None
    except RecursionError:
        raise too_deep(display) from None
    return tree
