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


# -- property: any text of the plain subset reads the same fast as round-trip, or is handed back ------

_WORDS = [
    "0x1F", "0o17", "017", "1_000", "-5", "+3", "0", "1.5", ".5", "-.5", "1e3", "1.0e+3", "6.", "12:30",
    "true", "False", "TRUE", "yes", "no", "on", "off", "y", "null", "Null", "~", "NULL", "", "x", "a b",
    "2024-01-01", ".inf", ".nan", "<<", "=", "'q # not'", '"esc\\n"', "''", '"9"', "é", "k: v",
]  # fmt: skip


def _key(draw: Any) -> str:
    from hypothesis import strategies as st

    return draw(st.sampled_from(["a", "b", "key", "x_y", "'1'", '"q k"', "k-9", "1", "true", "é"]))


def _block(draw: Any, depth: int, indent: int) -> list[str]:
    from hypothesis import strategies as st

    pad = " " * indent
    lines: list[str] = []
    if depth > 0 and draw(st.booleans()):  # a block sequence
        for _ in range(draw(st.integers(1, 3))):
            if depth > 1 and draw(st.booleans()):
                inner = _block(draw, depth - 1, indent + 2)
                lines.append(f"{pad}- {inner[0].lstrip()}")
                lines.extend(inner[1:])
            else:
                lines.append(f"{pad}- {draw(st.sampled_from(_WORDS))}".rstrip())
        return lines
    used: set[str] = set()
    for _ in range(draw(st.integers(1, 4))):
        key = _key(draw)
        if key in used:
            continue
        used.add(key)
        choice = draw(st.integers(0, 5))
        comment = draw(st.sampled_from(["", "", "  # note"]))
        if depth > 1 and choice == 0:
            lines.append(f"{pad}{key}:{comment}")
            lines.extend(_block(draw, depth - 1, indent + draw(st.sampled_from([2, 4]))))
        elif choice == 1:
            items = ", ".join(
                draw(st.lists(st.sampled_from(["1", "a", "true", "~", "{z: 1}", "[]"]), max_size=3))
            )
            lines.append(f"{pad}{key}: [{items}]{comment}")
        elif choice == 2:
            lines.append(f"{pad}{key}: {{m: {draw(st.sampled_from(_WORDS[:12]))}, n: x}}{comment}")
        else:
            lines.append(f"{pad}{key}: {draw(st.sampled_from(_WORDS))}{comment}".rstrip())
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from(["", f"{pad}# a comment line"])))
    return lines


def test_any_plain_text_reads_the_same_fast_or_is_handed_back() -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    fast_reads = [0]

    @settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.data())
    def check(data: st.DataObject) -> None:
        text = "\n".join(_block(data.draw, 3, 0)) + "\n"
        try:
            rt = yamlio._round_trip_tree(text, "x.yaml", [])
        except Exception:  # not YAML at all (or refused): the fast reader must hand it back
            with pytest.raises(yamlfast.Fallback):
                yamlfast.fast_tree(text)
            return
        try:
            fast = yamlfast.fast_tree(text)
        except yamlfast.Fallback:
            return
        fast_reads[0] += 1
        _same(rt, fast)
        if rt is not None and hasattr(rt, "lc"):
            assert (rt.lc.line, rt.lc.col) == (fast.lc.line, fast.lc.col)

    check()
    assert fast_reads[0] > 100, "the fast reader handed back nearly everything: the comparison proved nothing"
