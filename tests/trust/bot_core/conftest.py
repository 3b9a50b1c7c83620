"""Fixtures for the bot_core trust tests: a bot_core-shaped checkout, provisioned by adopt_bot_core."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from preflight.results import CheckResult

ROOT_MODULE = "preflight_tests_bot_core_root"


def _load_root_module() -> None:
    # Tests run with --import-mode=importlib: register the sibling module under a unique name.
    if ROOT_MODULE in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(ROOT_MODULE, Path(__file__).with_name("botcore_root.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[ROOT_MODULE] = module
    spec.loader.exec_module(module)


_load_root_module()
from preflight_tests_bot_core_root import (  # noqa: E402
    ENTRYPOINT,
    PASSPHRASE,
    machine_env,
    provision,
    write_root,
)

GROUPS = ("license.", "core.license_policy", "fingerprint.", "secrets.")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The run's environment: headless Linux, bot_core home under tmp, the passphrase set."""
    return machine_env(tmp_path) | {"PREFLIGHT_BOT_CORE_PASSPHRASE": PASSPHRASE}


@pytest.fixture
def root(tmp_path: Path, env: dict[str, str]) -> Path:
    """A bot_core checkout provisioned with a license, fingerprint, keys files and a headless store."""
    checkout = write_root(tmp_path / "checkout")
    provision(checkout, env)
    return checkout


RunTrust = Callable[..., dict[str, CheckResult]]


@pytest.fixture
def run_trust() -> RunTrust:
    """Run the license., fingerprint. and secrets. checks through the engine; results by check id."""
    from preflight.catalog import load_runbook
    from preflight.context import RunOptions
    from preflight.engine import Selection, run_checks

    def run(checkout: Path, run_env: dict[str, str], **options: Any) -> dict[str, CheckResult]:
        run_options = RunOptions(
            root=checkout, entrypoint=ENTRYPOINT, env=run_env, offline=True, no_paper=True, **options
        )
        report = run_checks(load_runbook("bybit_go_live"), run_options, selection=Selection(only=GROUPS))
        return {r.check_id: r for r in report.results}

    return run
