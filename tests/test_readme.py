"""README.md opens with the two commands and its check catalogue matches checks/*.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.errors import ConfigError
from preflight.readme import END, START, current_catalogue, replace_catalogue

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_catalogue_is_current() -> None:
    text = README.read_text(encoding="utf-8")
    expected = replace_catalogue(text, current_catalogue())
    assert text == expected, "README check catalogue is stale: run `python -m preflight.readme`"


def test_readme_opens_with_the_demo_and_test_commands() -> None:
    head = README.read_text(encoding="utf-8").split("## ", 1)[0]
    assert "pip install . && preflight demo" in head
    assert "pip install -e '.[test]' && pytest" in head


def test_replace_catalogue_keeps_the_rest_and_needs_markers() -> None:
    text = f"intro\n{START}\nold table\n{END}\noutro\n"
    assert replace_catalogue(text, "new\n") == f"intro\n{START}\nnew\n{END}\noutro\n"
    with pytest.raises(ConfigError, match="markers"):
        replace_catalogue("no markers here", "new\n")
