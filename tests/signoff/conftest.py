"""Fixtures of the sign-off tests: the fixed sample report of ``signoff_samples.py`` and a test key."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from preflight.results import RunReport
from preflight.signoff.sign import SigningKey


def _load_samples() -> ModuleType:
    # Sibling helper modules are loaded by path so that no two test folders fight over a module name.
    path = Path(__file__).with_name("signoff_samples.py")
    spec = importlib.util.spec_from_file_location("preflight_tests_signoff_samples", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SAMPLES = _load_samples()


@pytest.fixture
def samples() -> ModuleType:
    """Return the sample module (reports, golden request, fixed key, golden text)."""
    return SAMPLES


@pytest.fixture
def report() -> RunReport:
    """Return the fixed sample report (one item skipped, one waived)."""
    return SAMPLES.sample_report()


@pytest.fixture
def test_key() -> SigningKey:
    """Return the fixed Ed25519 test key."""
    return SAMPLES.test_key()


@pytest.fixture
def signed_text() -> str:
    """Return the signed sign-off of the sample report (what the golden file holds)."""
    return SAMPLES.golden_text()
