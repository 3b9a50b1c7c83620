"""Fixtures of the reporter tests: the fixed sample report of ``reporter_samples.py`` and its outputs."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from preflight.baseline import BaselineDiff
from preflight.results import RunReport


def _load_samples() -> ModuleType:
    # Tests run with --import-mode=importlib, so sibling modules are loaded by path, not imported by name.
    path = Path(__file__).with_name("reporter_samples.py")
    spec = importlib.util.spec_from_file_location("preflight_tests_reporter_samples", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SAMPLES = _load_samples()


@pytest.fixture
def make_report() -> Callable[..., RunReport]:
    """Return the sample-report builder (keyword ``fail_on``)."""
    builder: Callable[..., RunReport] = SAMPLES.sample_report
    return builder


@pytest.fixture
def baseline_diff() -> BaselineDiff:
    """Return the sample baseline diff."""
    diff: BaselineDiff = SAMPLES.sample_baseline()
    return diff


@pytest.fixture
def golden_dir() -> Path:
    """Return the folder of golden files."""
    folder: Path = SAMPLES.GOLDEN_DIR
    return folder


@pytest.fixture(scope="session")
def golden_outputs() -> dict[str, str]:
    """Return golden file name -> freshly rendered text."""
    outputs: dict[str, str] = SAMPLES.golden_outputs()
    return outputs
