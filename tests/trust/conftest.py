"""Fixtures for the trust tests: a demo deployment provisioned once, copied per test; injected factors."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from preflight.results import CheckResult
from preflight.trust.fingerprint import FACTORS_ENV

HELPERS_MODULE = "preflight_tests_trust_helpers"


def _load_helpers() -> None:
    # Tests run with --import-mode=importlib: register the sibling helpers module under a unique name.
    if HELPERS_MODULE in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(
        HELPERS_MODULE, Path(__file__).with_name("trust_helpers.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[HELPERS_MODULE] = module
    spec.loader.exec_module(module)


_load_helpers()
from preflight_tests_trust_helpers import FACTORS  # noqa: E402

GROUPS = ("secrets.", "license.", "fingerprint.", "keys.")


@pytest.fixture(scope="session")
def factors_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A JSON file of fingerprint factors, the 'machine' every test runs on."""
    path = tmp_path_factory.mktemp("factors") / "factors.json"
    path.write_text(json.dumps(FACTORS))
    return path


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory, factors_file: Path) -> Path:
    """Provision one demo deployment for the session (bound to the injected factors)."""
    from preflight.demo import prepare_demo

    with mock.patch.dict(os.environ, {FACTORS_ENV: str(factors_file)}):
        os.environ.pop("PREFLIGHT_SECRETS_PASSPHRASE", None)  # the demo then writes its passphrase file
        return prepare_demo(tmp_path_factory.mktemp("demo") / "root")


@pytest.fixture
def demo_root(demo_template: Path, tmp_path: Path) -> Path:
    """A private copy of the demo deployment for one test to edit."""
    root = tmp_path / "root"
    shutil.copytree(demo_template, root)
    return root


@pytest.fixture
def machine_env(factors_file: Path) -> dict[str, str]:
    """The environment a run sees: only the injected fingerprint factors."""
    return {FACTORS_ENV: str(factors_file)}


RunTrust = Callable[..., dict[str, CheckResult]]


@pytest.fixture
def run_trust(machine_env: dict[str, str]) -> RunTrust:
    """Run the trust groups of the Bybit runbook through the engine; return results by check id."""
    from preflight.catalog import load_runbook
    from preflight.context import RunOptions
    from preflight.engine import Selection, run_checks

    def run(root: Path, *, env: dict[str, str] | None = None, **options: Any) -> dict[str, CheckResult]:
        run_options = RunOptions(
            root=root, entrypoint="bybit_desktop_paper", env={**machine_env, **(env or {})}, **options
        )
        report = run_checks(load_runbook("bybit_go_live"), run_options, selection=Selection(only=GROUPS))
        return {r.check_id: r for r in report.results}

    return run


@pytest.fixture
def env_without_passphrase() -> Iterator[None]:
    """Hide any passphrase variable of the developer's shell from the test."""
    with mock.patch.dict(os.environ, {}, clear=False):
        os.environ.pop("PREFLIGHT_SECRETS_PASSPHRASE", None)
        yield
