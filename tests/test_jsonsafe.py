"""The one JSON reader for foreign text: nesting bounded whatever the interpreter's recursion limit."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from preflight import jsonsafe
from preflight.errors import InputError
from preflight.evidence.botreport import read_bot_report
from preflight.exchange.bybit.requester import _json_object

HOSTILE = "[" * 200_000  # json.loads dies of RecursionError on this (or worse, with a raised limit)


@pytest.fixture(params=[None, 1_000_000], ids=["default-limit", "raised-limit"])
def recursion_limit(request: pytest.FixtureRequest) -> Iterator[None]:
    """Run under the default recursion limit and under one a test tool has raised."""
    before = sys.getrecursionlimit()
    if request.param is not None:
        sys.setrecursionlimit(request.param)
    try:
        yield
    finally:
        sys.setrecursionlimit(before)


def test_deep_nesting_is_a_located_decode_error(recursion_limit: None) -> None:
    with pytest.raises(json.JSONDecodeError, match="nested more than 64 levels") as refused:
        jsonsafe.loads('{"a":\n ' + HOSTILE)
    assert (refused.value.lineno, refused.value.colno) == (2, 2 + 63)


def test_the_limit_is_exact_and_brackets_in_strings_do_not_nest() -> None:
    assert jsonsafe.loads("[" * 64 + "]" * 64, max_depth=64) is not None
    with pytest.raises(jsonsafe.JSONTooDeep):
        jsonsafe.loads("[" * 65 + "]" * 65, max_depth=64)
    quoted = json.dumps({"s": "[" * 500 + '\\"{{{' + "\\"})
    assert jsonsafe.loads(quoted, max_depth=1) == json.loads(quoted)
    assert jsonsafe.loads(quoted.encode(), max_depth=1) == json.loads(quoted)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet=st.sampled_from(list('ab[]{}"\\\n é'))),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_reads_every_document_within_the_limit_exactly_as_json_loads(value: object) -> None:
    text = json.dumps(value, ensure_ascii=False)
    assert jsonsafe.loads(text) == json.loads(text)
    assert jsonsafe.loads(text.encode()) == json.loads(text)


def test_a_hostile_exchange_response_is_not_json_to_the_adapter(recursion_limit: None) -> None:
    assert _json_object(HOSTILE.encode()) is None  # treated like any body that is not JSON


def test_a_hostile_bot_report_is_one_located_line(tmp_path: Path, recursion_limit: None) -> None:
    report = tmp_path / "report.json"
    report.write_text(HOSTILE, encoding="utf-8")
    with pytest.raises(InputError, match=r"report\.json:1: not JSON \(arrays/objects nested"):
        read_bot_report(report)


def _depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES, st.integers(min_value=0, max_value=6))
def test_refuses_exactly_the_documents_deeper_than_the_limit(value: object, limit: int) -> None:
    text = json.dumps(value, ensure_ascii=False)
    if _depth(value) > limit:
        with pytest.raises(jsonsafe.JSONTooDeep):
            jsonsafe.check_depth(text, limit)
    else:
        jsonsafe.check_depth(text, limit)
