"""A fast reader for the plain YAML deployments are written in, keeping ruamel-style positions.

ruamel's round-trip scanner spends about half of a parse gathering comments, which preflight never
uses. Here the safe composer builds the nodes and :func:`fast_tree` turns them into dicts and lists
whose ``lc`` answers like ruamel's. Whatever it cannot reproduce exactly raises :class:`Fallback`, and
:mod:`preflight.yamlio` then reads the text with the round-trip loader as before.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any

# The fast reader: ruamel's safe composer skips the round-trip scanner's comment gathering (about half
# of the parse). It handles the plain subset deployments are written in; anything else - an error,
# an anchor, a tag or key type beyond str/int/float/bool/null, a directive, a non-finite number - is
# re-read by the round-trip loader, so values, positions and every message stay exactly as before.
_CORE = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ = f"{_CORE}str", f"{_CORE}map", f"{_CORE}seq"
_SCALARS = frozenset(f"{_CORE}{name}" for name in ("int", "float", "bool", "null"))


class Fallback(Exception):
    """Internal: the fast reader met something only the round-trip loader reproduces exactly."""


class _Positions:
    """The 0-based positions of a fast node, answering like ruamel's ``.lc``."""

    __slots__ = ("_items", "col", "line")

    def __init__(self, line: int, col: int) -> None:
        self.line = line
        self.col = col
        self._items: dict[Any, tuple[int, int, int, int]] = {}

    def key(self, key: Any) -> tuple[int, int]:
        """Return where mapping key ``key`` starts."""
        pos = self._items[key]
        return pos[0], pos[1]

    def value(self, key: Any) -> tuple[int, int]:
        """Return where the value of mapping key ``key`` starts."""
        pos = self._items[key]
        return pos[2], pos[3]

    def item(self, index: int) -> tuple[int, int]:
        """Return where sequence item ``index`` starts."""
        pos = self._items[index]
        return pos[0], pos[1]


class _FastMap(dict[str, Any]):
    """A mapping of the fast reader, with ruamel-style positions in ``lc``."""

    lc: _Positions


class _FastSeq(list[Any]):
    """A sequence of the fast reader, with ruamel-style positions in ``lc``."""

    lc: _Positions


def fast_tree(text: str, duplicates: list[Duplicate] | None = None) -> Any:
    """Compose ``text`` with the safe composer and build the positioned tree; Fallback when unsure.

    With ``duplicates`` (a list to fill), a duplicate mapping key is not a Fallback: the last copy wins,
    as PyYAML's ``safe_load`` does, and each one is recorded with the lines of both copies.
    """
    from ruamel.yaml import YAML

    if text.startswith("%") or "\n%" in text:
        raise Fallback  # a %YAML directive may change how scalars resolve
    yaml = YAML(typ="safe", pure=True)
    try:
        yaml.Reader, yaml.Scanner, yaml.Parser, yaml.Composer = _stages()
        node = yaml.compose(text)
    except Exception:  # any failure is reported in the round-trip loader's wording
        raise Fallback from None
    try:
        builder = _FastBuilder(text, yaml.constructor, duplicates)
        return None if node is None else builder.build(node, ())
    except Exception:  # Fallback itself, too deep a tree, a scalar the safe constructor refuses
        raise Fallback from None


class _Mark:
    """Where a token starts or ends (0-based), all the fast reader needs of ruamel's marks."""

    __slots__ = ("column", "index", "line")

    def __init__(self, line: int, column: int, index: int) -> None:
        self.line = line
        self.column = column
        self.index = index


@cache
def _stages() -> tuple[Any, Any, Any, Any]:
    """Return ruamel's reader, scanner, parser and composer, wired to each other directly.

    ruamel reaches each stage through a property that asks the loader again on every token; these
    subclasses hold the objects themselves, make marks without the error-snippet payload and skip the
    simple-key bookkeeping when no key is pending: together a third off the compose. Should a ruamel
    release rename what they rely on, the failure is a Fallback to the round-trip loader, and
    tests/test_yamlfast.py compares both readers.
    """
    from ruamel.yaml.composer import Composer
    from ruamel.yaml.parser import Parser
    from ruamel.yaml.reader import Reader
    from ruamel.yaml.scanner import Scanner

    class LightReader(Reader):
        def get_mark(self) -> _Mark:
            # ruamel's marks carry the buffer for error snippets; errors are the round-trip loader's job
            return _Mark(self.line, self.column, self.index)

    class DirectScanner(Scanner):
        reader = None

        def __init__(self, loader: Any = None) -> None:
            self.reader = loader.reader
            super().__init__(loader)

        # The two below are asked before every token; same logic as ruamel's, minus the calls made
        # when no simple key is pending (most of the time) and the per-choice loop.
        def need_more_tokens(self) -> bool:
            if self.done:
                return False
            if not self.tokens:
                return True
            if not self.possible_simple_keys:
                return False
            self.stale_possible_simple_keys()
            return bool(self.next_possible_simple_key() == self.tokens_taken)

        def check_token(self, *choices: Any) -> bool:
            while self.need_more_tokens():
                self.fetch_more_tokens()
            if self.tokens:
                return not choices or isinstance(self.tokens[0], choices)
            return False

    class DirectParser(Parser):
        scanner = None
        resolver = None

        def __init__(self, loader: Any) -> None:
            self.scanner, self.resolver = loader.scanner, loader.resolver
            super().__init__(loader)

    class DirectComposer(Composer):
        parser = None
        resolver = None

        def __init__(self, loader: Any = None) -> None:
            self.parser, self.resolver = loader.parser, loader.resolver
            super().__init__(loader)

    return LightReader, DirectScanner, DirectParser, DirectComposer


@dataclass(frozen=True)
class Duplicate:
    """A mapping key written twice: where (0-based lines and columns of both copies); the last one wins."""

    path: tuple[str | int, ...]  # the mapping holding the key
    key: str
    first: tuple[int, int]
    last: tuple[int, int]
    same: bool  # both copies hold the same value (nothing is lost, but the file still says it twice)


class _FastBuilder:
    """Turn composed nodes into the positioned tree, refusing what the round-trip loader does differently."""

    def __init__(self, text: str, constructor: Any, duplicates: list[Duplicate] | None = None) -> None:
        self.text = text
        self.constructor = constructor
        self.constructors = constructor.yaml_constructors
        self.duplicates = duplicates
        self._lines: list[str] | None = None

    def build(self, node: Any, path: tuple[str | int, ...]) -> Any:
        """Return the plain-typed, positioned value of ``node``."""
        if node.anchor is not None:
            raise Fallback  # aliases: the round-trip loader's sharing and budget messages apply
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag in _SCALARS:
            value = self.constructors[tag](self.constructor, node)
            if isinstance(value, float) and not math.isfinite(value):
                raise Fallback
            return value
        mark = node.start_mark
        if tag == _MAP:
            mapping = _FastMap()
            mapping.lc = positions = _Positions(mark.line, mark.column)
            for key_node, value_node in node.value:
                if key_node.tag != _STR or key_node.anchor is not None:
                    raise Fallback  # merge keys, non-string keys
                key = key_node.value
                key_mark, value_mark = key_node.start_mark, value_node.start_mark
                value = self.build(value_node, (*path, key))
                if key in mapping:
                    if self.duplicates is None:
                        raise Fallback  # duplicate key: the round-trip loader names both lines
                    first = positions._items[key]
                    self.duplicates.append(
                        Duplicate(
                            path,
                            key,
                            (first[0], first[1]),
                            (key_mark.line, key_mark.column),
                            mapping[key] == value,
                        )
                    )
                mapping[key] = value
                if value_mark.line != key_mark.line and value_node.value == "":
                    self._check_empty(key_mark.line)
                positions._items[key] = (key_mark.line, key_mark.column, value_mark.line, value_mark.column)
            return mapping
        if tag == _SEQ:
            sequence = _FastSeq()
            sequence.lc = positions = _Positions(mark.line, mark.column)
            for index, item in enumerate(node.value):
                sequence.append(self.build(item, (*path, index)))
                item_mark = item.start_mark
                positions._items[index] = (item_mark.line, item_mark.column, item_mark.line, item_mark.column)
            return sequence
        raise Fallback

    def _check_empty(self, line: int) -> None:
        """Refuse ``key: # comment`` with no value: the round-trip loader places that value differently."""
        if self._lines is None:
            self._lines = self.text.splitlines()
        if line < len(self._lines) and "#" in self._lines[line]:
            raise Fallback
