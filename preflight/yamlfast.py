"""A fast reader for the plain YAML deployments are written in, keeping ruamel-style positions.

PyYAML's C parser (libyaml, through PyYAML's public loader classes) reads the text into events with
0-based marks; a YAML 1.2 resolver (PyYAML's public resolver extension point, loaded with the 1.2 core
rules ruamel uses) types the plain scalars; :func:`fast_tree` turns the events into dicts and lists
whose ``lc`` answers like ruamel's. Whatever it cannot reproduce exactly raises :class:`Fallback`, and
:mod:`preflight.yamlio` then reads the text with ruamel's round-trip loader: its values, positions and
every error message stay exactly as before.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from preflight.yamldiag import MAX_DEPTH

# Handed back to the round-trip loader: an error, an alias, a tag or key type beyond
# str/int/float/bool/null, a directive, several documents, a non-finite number.
_CORE = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ = f"{_CORE}str", f"{_CORE}map", f"{_CORE}seq"
_INT, _FLOAT, _BOOL, _NULL = (f"{_CORE}{name}" for name in ("int", "float", "bool", "null"))
_SCALARS = frozenset({_INT, _FLOAT, _BOOL, _NULL})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_PLAIN_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")  # int() reads these exactly as ruamel does
_PLAIN_FLOAT = re.compile(r"[-+]?[0-9]+\.[0-9]+")  # likewise float()

# YAML 1.2 implicit typing, as ruamel's resolver applies it for version 1.2 (ruamel is the reference:
# the fast reader must type every plain scalar exactly as the round-trip loader does).
_RESOLVERS_12: tuple[tuple[str, str, str], ...] = (
    (_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    (
        _FLOAT,
        r"""^(?:
         [-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        "-+0123456789.",
    ),
    (
        _INT,
        r"""^(?:[-+]?0b[0-1_]+
        |[-+]?0o?[0-7_]+
        |[-+]?[0-9_]+
        |[-+]?0x[0-9a-fA-F_]+)$""",
        "-+0123456789",
    ),
    (f"{_CORE}merge", r"^(?:<<)$", "<"),
    (_NULL, r"^(?: ~ |null|Null|NULL | )$", "~nN\0"),  # \0 stands for the empty first character
    (
        f"{_CORE}timestamp",
        r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
        (?:[Tt]|[ \t]+)[0-9][0-9]?
        :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
        (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""",
        "0123456789",
    ),
    (f"{_CORE}value", r"^(?:=)$", "="),
)


class TooDeep(Exception):
    """Collections nested deeper than MAX_DEPTH; carries the 0-based mark of the first one too many."""

    def __init__(self, line: int, column: int) -> None:
        super().__init__(line, column)
        self.line, self.column = line, column


class Fallback(Exception):
    """Internal: the fast reader met something only the round-trip loader reproduces exactly."""


class _Positions:
    """The 0-based positions of a fast node, answering like ruamel's ``.lc``.

    Each item's key and value positions are packed into one int (lines and columns in 23 and 20 bits:
    files are at most 5 MB): a tuple of four ints per item cost a 5,000-entrypoint deployment 25 MB.
    """

    __slots__ = ("_items", "col", "line")

    def __init__(self, line: int, col: int) -> None:
        self.line = line
        self.col = col
        self._items: dict[Any, int] = {}

    def key(self, key: Any) -> tuple[int, int]:
        """Return where mapping key ``key`` starts."""
        pos = self._items[key] >> _HALF
        return pos >> _COL_BITS, pos & _COL_MASK

    def value(self, key: Any) -> tuple[int, int]:
        """Return where the value of mapping key ``key`` starts."""
        pos = self._items[key] & _HALF_MASK
        return pos >> _COL_BITS, pos & _COL_MASK

    def item(self, index: int) -> tuple[int, int]:
        """Return where sequence item ``index`` starts."""
        return self.key(index)


_COL_BITS = 20
_COL_MASK = (1 << _COL_BITS) - 1
_HALF = 23 + _COL_BITS
_HALF_MASK = (1 << _HALF) - 1


def _pack(key_mark: Any, value_mark: Any) -> int:
    """Pack two marks' (line, column) into one int; Fallback past the bit widths (a hostile file)."""
    if key_mark.column > _COL_MASK or value_mark.column > _COL_MASK or value_mark.line >= 1 << 23:
        raise Fallback
    key = (key_mark.line << _COL_BITS) | key_mark.column
    return (key << _HALF) | (value_mark.line << _COL_BITS) | value_mark.column


class _FastMap(dict[str, Any]):
    """A mapping of the fast reader, with ruamel-style positions in ``lc``."""

    __slots__ = ("lc",)  # no per-instance __dict__: a large deployment has tens of thousands of these
    lc: _Positions


class _FastSeq(list[Any]):
    """A sequence of the fast reader, with ruamel-style positions in ``lc``."""

    __slots__ = ("lc",)
    lc: _Positions


@cache
def _parser_class() -> Any:
    """Return PyYAML's C parser (pure-Python parser without libyaml) combined with the 1.2 resolver."""
    import yaml
    from yaml.resolver import BaseResolver

    class Resolver12(BaseResolver):
        """YAML 1.2 core typing of plain scalars (PyYAML's own resolver follows YAML 1.1)."""

    for tag, pattern, first in _RESOLVERS_12:
        starts = [("" if char == "\0" else char) for char in first]
        Resolver12.add_implicit_resolver(tag, re.compile(pattern, re.X), starts)

    if getattr(yaml, "__with_libyaml__", False):
        from yaml.cyaml import CParser

        class CParser12(CParser, Resolver12):
            def __init__(self, stream: str) -> None:
                CParser.__init__(self, stream)
                Resolver12.__init__(self)

        return CParser12

    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class PureParser12(Reader, Scanner, Parser, Resolver12):
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Resolver12.__init__(self)

    return PureParser12


def is_fast_tree(tree: object) -> bool:
    """Say whether ``tree`` came from :func:`fast_tree`: plain already (checked as it was built)."""
    return type(tree) is _FastMap or type(tree) is _FastSeq


@dataclass(frozen=True)
class Duplicate:
    """A mapping key written twice: where (0-based lines and columns of both copies); the last one wins."""

    path: tuple[str | int, ...]  # the mapping holding the key
    key: str
    first: tuple[int, int]
    last: tuple[int, int]
    same: bool  # both copies hold the same value (nothing is lost, but the file still says it twice)


def fast_tree(text: str, max_nodes: int | None = None, duplicates: list[Duplicate] | None = None) -> Any:
    """Read ``text`` with PyYAML's C parser and build the positioned tree; Fallback when unsure.

    The tree is plain: every string is whole UTF-8 and, with ``max_nodes``, it holds at most that many
    values - else Fallback, and the round-trip path reports the problem in its own words.
    With ``duplicates`` (a list to fill), a duplicate mapping key is not a Fallback: the last copy wins,
    as PyYAML's ``safe_load`` does, and each one is recorded with the lines of both copies.
    """
    if text.startswith("%") or "\n%" in text:
        raise Fallback  # a %YAML directive may change how scalars resolve
    try:
        parser = _parser_class()(text)
    except Exception:  # PyYAML not importable, or refusing the input outright
        raise Fallback from None
    try:
        return _Builder(text, parser, max_nodes, duplicates).build()
    except TooDeep:
        raise  # definitive: the caller reports it, located, as the round-trip path would
    except Exception:  # Fallback itself, a parse error, a scalar ruamel's constructor refuses
        raise Fallback from None
    finally:
        dispose = getattr(parser, "dispose", None)
        if dispose is not None:
            dispose()


class _Frame:
    """One open collection while its events are read."""

    __slots__ = ("container", "flow", "key", "key_mark", "path", "positions")

    def __init__(
        self, container: Any, positions: _Positions, flow: bool, path: tuple[str | int, ...] = ()
    ) -> None:
        self.container = container
        self.path = path
        self.positions = positions
        self.flow = flow
        self.key: Any = _NO_KEY
        self.key_mark: Any = None


_NO_KEY = object()


class _Builder:
    """Turn parser events into the positioned tree, refusing what the round-trip loader does differently."""

    def __init__(
        self, text: str, parser: Any, max_nodes: int | None = None, duplicates: list[Duplicate] | None = None
    ) -> None:
        import yaml

        self.max_nodes = max_nodes
        self.duplicates = duplicates
        # (mapping path, key, first copy's key mark, last copy's key mark, first value, mapping)
        self._repeated: list[
            tuple[tuple[str | int, ...], str, tuple[int, int], tuple[int, int], Any, Any]
        ] = []
        self.text = text
        self.parser = parser
        self.events = yaml.events
        self._lines: list[str] | None = None
        # A plain empty mapping value: ruamel places it where the next token starts, libyaml right after
        # the colon, so its position is filled in from the next event.
        self._pending: tuple[_Positions, str, Any] | None = None

    def build(self) -> Any:
        """Return the plain-typed, positioned value of the single document (None when there is none)."""
        ev = self.events
        get_event, resolve = self.parser.get_event, self.parser.resolve
        scalar_event, map_start, seq_start = ev.ScalarEvent, ev.MappingStartEvent, ev.SequenceStartEvent
        collection_end = (ev.MappingEndEvent, ev.SequenceEndEvent)
        from yaml.nodes import MappingNode, ScalarNode, SequenceNode

        stack: list[_Frame] = []
        root: Any = None
        documents = 0
        budget = self.max_nodes if self.max_nodes is not None else -1
        resolved: dict[str, str] = {}  # plain scalar text -> its implicit tag (depends on the text only)
        while True:
            event = get_event()
            kind = type(event)
            if self._pending is not None:
                self._place_pending(event.start_mark)
            if kind is scalar_event:
                if event.anchor is not None:
                    raise Fallback  # aliases: the round-trip loader's sharing and budget messages apply
                value, tag = event.value, event.tag
                if tag is None or tag == "!":
                    implicit = event.implicit
                    if implicit[0]:
                        tag = resolved.get(value)
                        if tag is None:
                            tag = resolved[value] = resolve(ScalarNode, value, implicit)
                    else:
                        tag = resolve(ScalarNode, value, implicit)
                if not value.isascii():
                    value.encode("utf-8")  # a lone surrogate raises: the round-trip path names it
                budget -= 1
                if budget == 0:
                    raise Fallback  # too many values: the round-trip path's budget message
                if not stack:
                    root = self._scalar(tag, value)
                else:
                    self._attach(stack[-1], tag, value, event.start_mark, not event.style)
            elif kind is map_start or kind is seq_start:
                if event.anchor is not None:
                    raise Fallback
                is_map = kind is map_start
                tag = event.tag
                if tag is None or tag == "!":
                    tag = resolve(MappingNode if is_map else SequenceNode, None, event.implicit)
                if tag != (_MAP if is_map else _SEQ):
                    raise Fallback  # an application tag on a collection
                budget -= 1
                if budget == 0:
                    raise Fallback
                mark = event.start_mark
                if len(stack) >= MAX_DEPTH:
                    raise TooDeep(mark.line, mark.column)
                container: Any = _FastMap() if is_map else _FastSeq()
                container.lc = positions = _Positions(mark.line, mark.column)
                path: tuple[str | int, ...] = ()
                if not stack:
                    root = container
                else:
                    parent = stack[-1]
                    if self.duplicates is not None:  # paths are only needed to name duplicates
                        inner = len(parent.container) if type(parent.container) is _FastSeq else parent.key
                        path = (*parent.path, inner)
                    self._attach(parent, tag, container, mark, False)
                stack.append(_Frame(container, positions, bool(event.flow_style), path))
            elif kind in collection_end:
                stack.pop()
            elif kind is ev.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise Fallback  # several documents: the round-trip loader's message
            elif kind is ev.StreamEndEvent:
                self._record_duplicates()
                return root
            elif kind is ev.AliasEvent:
                raise Fallback

    def _scalar(self, tag: str, value: str) -> Any:
        """Return the plain value of a scalar of resolved ``tag``."""
        if tag == _STR:
            return value
        if tag == _NULL:
            return None
        if tag == _BOOL and value in _BOOLS:
            return _BOOLS[value]
        if tag == _INT and _PLAIN_INT.fullmatch(value):
            return int(value)
        if tag == _FLOAT and _PLAIN_FLOAT.fullmatch(value):
            return float(value)
        if tag not in _SCALARS:
            raise Fallback  # timestamps, binary, sets, application tags
        constructed = _ruamel_scalar(tag, value)  # 0x1F, 1_000, .5, 1e3 ...: ruamel's own reading
        if isinstance(constructed, float) and not math.isfinite(constructed):
            raise Fallback
        return constructed

    def _attach(self, frame: _Frame, tag: str, value: Any, mark: Any, plain: bool) -> None:
        """Add ``value`` (a scalar's text, or a new collection) to the open collection ``frame``."""
        container = frame.container
        is_scalar = isinstance(value, str)
        if type(container) is _FastSeq:
            frame.positions._items[len(container)] = _pack(mark, mark)
            container.append(self._scalar(tag, value) if is_scalar else value)
            return
        if frame.key is _NO_KEY:  # this node is a key
            if not is_scalar or tag != _STR:
                raise Fallback  # merge keys, non-string keys, collections as keys
            if value in container:
                if self.duplicates is None:
                    raise Fallback  # duplicate key: the round-trip loader names both lines
                first = frame.positions.key(value)
                # the later copy overwrites in place (dict order kept), as PyYAML's constructor does
                self._repeated.append(
                    (frame.path, value, first, (mark.line, mark.column), container[value], container)
                )
            frame.key, frame.key_mark = value, mark
            return
        key, key_mark = frame.key, frame.key_mark
        container[key] = self._scalar(tag, value) if is_scalar else value
        frame.key = _NO_KEY
        if plain and value == "":
            if frame.flow:
                raise Fallback  # an empty value in a flow mapping: placed differently again
            self._pending = (frame.positions, key, key_mark)
            return
        frame.positions._items[key] = _pack(key_mark, mark)

    def _record_duplicates(self) -> None:
        """Report every repeated key once the tree is whole (the later copy's value is complete)."""
        if self.duplicates is None:
            return
        for path, key, first, last, old, container in self._repeated:
            self.duplicates.append(Duplicate(path, key, first, last, old == container[key]))

    def _place_pending(self, next_mark: Any) -> None:
        """Place the pending empty value where the next token starts, as the round-trip loader does."""
        assert self._pending is not None
        positions, key, key_mark = self._pending
        self._pending = None
        if self._lines is None:
            self._lines = self.text.splitlines()
        # A comment after the colon (or before the next token) moves ruamel's mark: leave it to ruamel.
        lines = self._lines
        before = lines[next_mark.line][: next_mark.column] if next_mark.line < len(lines) else ""
        if "#" in before or any("#" in line for line in lines[key_mark.line : next_mark.line]):
            raise Fallback
        positions._items[key] = _pack(key_mark, next_mark)


def _ruamel_scalar(tag: str, value: str) -> Any:
    """Construct an int/float/bool/null scalar exactly as ruamel's safe constructor does."""
    constructor, constructors = _ruamel_constructor()
    from ruamel.yaml.nodes import ScalarNode

    return constructors[tag](constructor, ScalarNode(tag, value))


@cache
def _ruamel_constructor() -> tuple[Any, Any]:
    from ruamel.yaml import YAML

    constructor = YAML(typ="safe", pure=True).constructor
    return constructor, constructor.yaml_constructors
