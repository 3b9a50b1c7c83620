"""Shared pytest configuration: the ``--soak`` option that enables the long fault soak."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--soak``: run the tests marked ``soak`` and the many-seed soak matrix."""
    parser.addoption(
        "--soak", action="store_true", default=False, help="run the long fault soak (many seeds)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the tests marked ``soak`` unless ``--soak`` was given."""
    if config.getoption("--soak"):
        return
    skip = pytest.mark.skip(reason="long fault soak: run with --soak")
    for item in items:
        if item.get_closest_marker("soak") is not None:
            item.add_marker(skip)
