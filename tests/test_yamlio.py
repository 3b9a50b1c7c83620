"""Position-keeping YAML: lookups with file:line:col, and one clear located sentence for every bad input."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from preflight.errors import ConfigError, Location
from preflight.yamldiag import MAX_DEPTH
from preflight.yamlio import MAX_BYTES, YamlDocument, load_yaml, parse_yaml, split_path

SAMPLE = """\
# a comment
trading:
  entrypoints:
    bot:
      environment: paper
      tags: [desktop, paper]
      items:
        - first
        - second: 2
execution:
  thresholds: {rate_limit_max: 0, health_min: 1.0}
flag: true
when: 2026-12-31T23:59:59Z
"""


@pytest.fixture
def doc() -> YamlDocument:
    return parse_yaml(SAMPLE, "config/runtime.yaml")


def test_lookup_returns_plain_value_and_its_location(doc: YamlDocument) -> None:
    found = doc.lookup("trading.entrypoints.bot.environment")
    assert found.value == "paper" and type(found.value) is str
    assert found.location == Location("config/runtime.yaml", 5, 20)
    assert found.key_location == Location("config/runtime.yaml", 5, 7)


def test_lookup_of_flow_sequence_items_and_flow_mapping_values(doc: YamlDocument) -> None:
    assert doc.lookup("trading.entrypoints.bot.tags").value == ["desktop", "paper"]
    assert doc.lookup("trading.entrypoints.bot.tags.1").location == Location("config/runtime.yaml", 6, 23)
    health = doc.lookup("execution.thresholds.health_min")
    assert health.value == 1.0 and type(health.value) is float
    assert health.location.line == 11


def test_block_sequence_items_and_block_mappings_point_at_their_line(doc: YamlDocument) -> None:
    assert doc.lookup("trading.entrypoints.bot.items.1.second").value == 2
    assert doc.lookup("trading.entrypoints.bot.items.0").location.line == 8
    # a block mapping is reported at its key's line, not at its first child
    assert doc.lookup("trading.entrypoints.bot").location.line == 4


def test_scalars_become_plain_python(doc: YamlDocument) -> None:
    plain = doc.to_plain()
    assert plain["flag"] is True
    assert plain["when"] == "2026-12-31T23:59:59+00:00"
    assert type(plain["execution"]["thresholds"]["rate_limit_max"]) is int


def test_missing_path_gives_none_and_deepest_parent(doc: YamlDocument) -> None:
    assert doc.lookup("trading.entrypoints.other.environment") is None
    prefix, parent = doc.deepest("trading.entrypoints.other.environment")
    assert prefix == ("trading", "entrypoints")
    assert parent.location.line == 3
    assert doc.lookup("trading.entrypoints.bot.tags.9") is None


def test_split_path_turns_digits_into_indices() -> None:
    assert split_path("a.0.b") == ("a", 0, "b")
    assert split_path(("a", "b.c")) == ("a", "b.c")


def test_duplicate_key_is_an_error_at_the_second_occurrence() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_yaml("env:\n  mode: paper\n  key: k\n  mode: live\n", "config/core.yaml")
    assert caught.value.location == Location("config/core.yaml", 4, 3)
    assert "duplicate key 'mode' (first at line 2)" in caught.value.message


def test_unclosed_bracket_names_the_line_it_was_opened() -> None:
    text = "a: 1\nb: 2\nc: 3\nd: 4\ntags: [desktop, paper\nnext: 1\n"
    with pytest.raises(ConfigError) as caught:
        parse_yaml(text, "config/runtime.yaml")
    assert "unclosed bracket" in caught.value.message
    assert "close the '[' opened at line 5" in caught.value.message
    assert str(caught.value).startswith("config/runtime.yaml:6:")


def test_other_syntax_errors_are_one_located_sentence() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_yaml("a: b: c\n", "x.yaml")
    assert caught.value.location is not None and caught.value.location.line == 1
    assert "\n" not in str(caught.value)


def test_tab_indentation_says_so() -> None:
    with pytest.raises(ConfigError, match="tab character"):
        parse_yaml("a:\n\tb: 1\n", "x.yaml")


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n"])
def test_empty_documents_are_rejected(text: str) -> None:
    with pytest.raises(ConfigError, match="empty"):
        parse_yaml(text, "x.yaml")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found") as caught:
        load_yaml(tmp_path / "nope.yaml", display="config/nope.yaml")
    assert caught.value.location == Location("config/nope.yaml")


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is a directory"):
        load_yaml(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files regardless of permissions")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text("a: 1\n")
    path.chmod(0)
    with pytest.raises(ConfigError, match="permission denied"):
        load_yaml(path)


def test_non_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("a: 1\nname: Zaż\n".encode("latin-1", errors="replace").replace(b"?", b"\xbf"))
    with pytest.raises(ConfigError, match="not UTF-8") as caught:
        load_yaml(path, display="x.yaml")
    assert caught.value.location is not None and caught.value.location.line == 2


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\n")
    assert load_yaml(path).to_plain() == {"a": 1}


def test_oversized_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)
    with pytest.raises(ConfigError, match="MiB limit"):
        load_yaml(path)


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    started = time.perf_counter()
    with pytest.raises(ConfigError, match="alias"):
        parse_yaml("\n".join(lines) + "\n", "bomb.yaml")
    assert time.perf_counter() - started < 5


def test_small_aliases_still_work() -> None:
    doc = parse_yaml("base: &g {max: 1}\npaper: *g\nlive: *g\n", "x.yaml")
    assert doc.to_plain() == {"base": {"max": 1}, "paper": {"max": 1}, "live": {"max": 1}}


@pytest.mark.parametrize("text", ["a: " + "[" * 100_000, "a: " + "{b: " * 5_000 + "1" + "}" * 5_000])
def test_absurd_nesting_is_refused_quickly(text: str) -> None:
    started = time.perf_counter()
    with pytest.raises(ConfigError, match="nested"):
        parse_yaml(text, "deep.yaml")
    assert time.perf_counter() - started < 1


def _block_nesting(levels: int, anchor: bool = False) -> str:
    """``levels`` mappings nested in one another (the innermost holds ``v: 1``)."""
    head = "top: &t 1\n" if anchor else ""  # an anchor sends the text to the round-trip reader
    return head + "".join(" " * i + f"k{i}:\n" for i in range(levels - 1)) + " " * (levels - 1) + "v: 1\n"


@pytest.mark.parametrize("anchor", [False, True], ids=["fast-reader", "round-trip-reader"])
@pytest.mark.parametrize("recursion_limit", [None, 50_000], ids=["default-limit", "raised-limit"])
def test_deep_block_nesting_is_refused_whatever_the_recursion_limit(
    anchor: bool, recursion_limit: int | None
) -> None:
    # The verdict must not depend on sys.getrecursionlimit(): hypothesis and other tools raise it, and
    # CI once read a 1,500-level file as valid because an earlier test had left the limit raised.
    text = _block_nesting(1500, anchor)
    before = sys.getrecursionlimit()
    try:
        if recursion_limit is not None:
            sys.setrecursionlimit(recursion_limit)
        refused = f"nested too deeply to read \\(more than {MAX_DEPTH} levels\\)"
        with pytest.raises(ConfigError, match=refused):
            parse_yaml(text, "deep.yaml")
    finally:
        sys.setrecursionlimit(before)


@pytest.mark.parametrize("anchor", [False, True], ids=["fast-reader", "round-trip-reader"])
def test_nesting_up_to_the_limit_is_read_and_one_more_level_is_refused(anchor: bool) -> None:
    doc = parse_yaml(_block_nesting(MAX_DEPTH, anchor), "ok.yaml")
    assert doc.to_plain() is not None
    with pytest.raises(ConfigError, match="nested too deeply") as refused:
        parse_yaml(_block_nesting(MAX_DEPTH + 1, anchor), "deep.yaml")
    assert refused.value.location is not None and refused.value.location.file == "deep.yaml"


def test_brackets_inside_quoted_or_plain_scalars_do_not_count_as_nesting() -> None:
    doc = parse_yaml("a: '" + "[" * 100 + "'\nb: x" + "{" * 100 + "\n", "x.yaml")
    assert doc.lookup("a").value == "[" * 100


YAMLISH = st.text(alphabet=st.sampled_from(list("ab:-[]{},'\"#&*!|>?% \n\t01.eE~\x00é")), max_size=80)


@settings(max_examples=300, deadline=None)
@given(YAMLISH)
def test_any_text_loads_or_fails_with_a_located_config_error(text: str) -> None:
    try:
        document = parse_yaml(text, "fuzz.yaml")
    except ConfigError as error:
        assert error.location is not None and error.location.file == "fuzz.yaml"
        assert "\n" not in str(error)
        return
    document.to_plain()
    document.lookup("a.b.0")
    document.deepest("a.b.c")


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('a:\n  b: "x\\ud800"\n', ("a.b", 2)),  # the fast reader's plain strings
        ('a:\n  - "\\udfff" # c\n', ("a.0", 2)),
        ('"k\\ud800": 1\n', ("k\\ud800", 1)),  # a key, shown escaped
        ('a: !!str "\\ud800"\n', ("a", 1)),  # a tag: the round-trip reader
    ],
)
def test_lone_surrogate_escape_is_a_located_error_not_a_crash_later(
    text: str, where: tuple[str, int]
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_yaml(text, "t.yaml")
    assert caught.value.location is not None
    assert caught.value.location.line == where[1]
    assert "half a character" in caught.value.message
    assert caught.value.message.startswith(where[0])
    str(caught.value).encode("utf-8")  # the error itself can be printed


def test_non_ascii_text_is_kept() -> None:
    assert parse_yaml('a: "zażółć \\u00e9 😀"\n', "t.yaml").to_plain() == {"a": "zażółć é 😀"}
