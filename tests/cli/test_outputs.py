"""Pairing of ``--format``/``-o`` and the colour decision (NO_COLOR, TTY)."""

from __future__ import annotations

import io

import pytest

from preflight.cli.outputs import OutputRequest, color_enabled, pair_outputs, terminal_width
from preflight.errors import UsageError


class FakeTty(io.StringIO):
    """A text stream that claims to be a terminal."""

    def isatty(self) -> bool:
        return True


def test_pairs_follow_the_order_and_a_trailing_format_goes_to_stdout() -> None:
    assert pair_outputs(["json", "junit"], ["r.json"]) == (
        OutputRequest("json", "r.json"),
        OutputRequest("junit", "-"),
    )
    with pytest.raises(UsageError, match="both write to stdout"):
        pair_outputs(["json", "junit", "markdown"], ["r.json", "-"])


def test_a_bare_terminal_format_is_the_display_itself() -> None:
    assert pair_outputs(["terminal", "json"], []) == (OutputRequest("json", "-"),)
    assert pair_outputs(["json", "terminal"], ["r.json"]) == (OutputRequest("json", "r.json"),)
    assert pair_outputs(["terminal"], ["t.txt"]) == (OutputRequest("terminal", "t.txt"),)


def test_more_outputs_than_formats_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="has no --format"):
        pair_outputs(["json"], ["a.json", "b.json"])


@pytest.mark.parametrize(
    ("env", "tty", "expected"),
    [({}, True, True), ({"NO_COLOR": "1"}, True, False), ({"TERM": "dumb"}, True, False), ({}, False, False)],
)
def test_colour_only_on_a_terminal_without_no_color(env: dict[str, str], tty: bool, expected: bool) -> None:
    stream = FakeTty() if tty else io.StringIO()
    assert color_enabled(stream, env) is expected


def test_plain_width_off_a_terminal() -> None:
    assert terminal_width(io.StringIO()) == 100
