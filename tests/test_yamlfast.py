"""The fast YAML reader gives the round-trip loader's values and positions, or hands the text back."""

from __future__ import annotations

from typing import Any

import pytest

from preflight import yamlfast, yamlio

SAME = [
    "a: 1\nb:\n  c: [1, 2]\n  d: {x: y}\n",
    "a: 0x1F\nb: 1_000\nc: 1.5\nd: .5\ne: true\nf: ~\ng:\nh: 'q # not a comment'\n",
    "top:\n- a\n-\n- b: 1\n  c: # comment on a block value\n    d: 2\n",
    'a: |\n  literal\n  text\nb: >\n  folded\nc: "esc\\n"\n',
    "# leading comment\n\nx:\n  a: 1  # trailing\n\n  # between\n  b:\ny: 12:30\n",
    "- 1\n- [a, {b: c}]\n- - nested\n  - seq\n",
]

HANDED_BACK = [
    "a: 1\na: 2\n",  # duplicate key: the round-trip loader names both lines
    "a: &x 1\nb: *x\n",  # aliases: sharing and the expansion budget
    "<<: {a: 1}\nb: 2\n",  # merge key
    "1: one\n",  # a key that is not a string
    "a: !custom x\n",  # an application tag
    "a: 2024-01-01\n",  # a timestamp
    "a: .inf\n",  # a non-finite number
    "%YAML 1.1\n---\na: yes\n",  # a directive changes how scalars resolve
    "a: # comment, no value\nb: 1\n",  # the round-trip loader places this empty value on the key's line
    "a: [1, 2\n",  # malformed: the round-trip loader's message
]


def _same(rt: Any, fast: Any, path: tuple[object, ...] = ()) -> None:
    """Assert ``fast`` has ``rt``'s keys, plain values and every key, value and item position."""
    rt_lc: Any = getattr(rt, "lc", None)  # read before isinstance narrows ``rt`` to a plain dict
    if isinstance(rt, dict):
        assert isinstance(fast, yamlfast._FastMap) and list(rt) == list(fast), path
        for key in rt:
            assert tuple(rt_lc.key(key)) == fast.lc.key(key), (*path, key)
            assert tuple(rt_lc.value(key)) == fast.lc.value(key), (*path, key)
            _same(rt[key], fast[key], (*path, key))
    elif isinstance(rt, list):
        assert isinstance(fast, yamlfast._FastSeq) and len(rt) == len(fast), path
        for index, item in enumerate(rt):
            assert tuple(rt_lc.item(index)) == fast.lc.item(index), (*path, index)
            _same(item, fast[index], (*path, index))
    else:
        plain = yamlio.to_plain(rt)
        assert type(plain) is type(fast) and plain == fast, path


@pytest.mark.parametrize("text", SAME)
def test_fast_tree_matches_the_round_trip_loader(text: str) -> None:
    rt = yamlio._round_trip_tree(text, "x.yaml", [])
    fast = yamlfast.fast_tree(text)
    _same(rt, fast)
    assert (rt.lc.line, rt.lc.col) == (fast.lc.line, fast.lc.col)


@pytest.mark.parametrize("text", HANDED_BACK)
def test_what_the_fast_reader_cannot_reproduce_is_handed_back(text: str) -> None:
    with pytest.raises(yamlfast.Fallback):
        yamlfast.fast_tree(text)


def test_a_document_read_fast_locates_like_before() -> None:
    document = yamlio.parse_yaml("a:\n  b: 1\n  c:\n    - x\n", "config/x.yaml")
    assert type(document.tree).__module__ == "preflight.yamlfast"  # read fast, not round-trip
    assert str(document.location_of("a.c.0")) == "config/x.yaml:4:7"
    assert str(document.key_location_of("a.b")) == "config/x.yaml:2:3"
    found = document.lookup("a.c")
    assert found is not None and found.value == ["x"]
