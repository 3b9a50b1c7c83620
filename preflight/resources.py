"""Locate the packaged data folders (checks/, schemas/, config/) in a checkout or an installed wheel."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """Return the folder holding the packaged ``name`` data (checks, schemas or config)."""
    installed = _PACKAGE_DIR / "_data" / name
    if installed.is_dir():
        return installed
    checkout = _PACKAGE_DIR.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"packaged data folder {name!r} not found beside {_PACKAGE_DIR}")


def checks_dir() -> Path:
    """Return the folder of declarative runbooks."""
    return data_dir("checks")


def schemas_dir() -> Path:
    """Return the folder of JSON Schemas."""
    return data_dir("schemas")


def sample_config_dir() -> Path:
    """Return the sample deployment's config folder (the embedded default)."""
    return data_dir("config")
