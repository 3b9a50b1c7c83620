"""Register the sibling fixture helpers (tests run with --import-mode=importlib, without packages)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HELPERS_MODULE = "preflight_tests_bot_core_fixtures"


def _load_helpers() -> None:
    if HELPERS_MODULE in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(
        HELPERS_MODULE, Path(__file__).with_name("bot_core_fixtures.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[HELPERS_MODULE] = module
    spec.loader.exec_module(module)


_load_helpers()
