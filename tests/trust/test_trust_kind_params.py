"""The trust kinds' params schemas accept what the runbook writes and reject typos."""

from __future__ import annotations

from typing import Any

import pytest

from preflight.kinds import KINDS
from preflight.schemas import best_error


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("secret_active", {"key": "bybit_paper_trading", "environment": "bybit_paper"}),
        ("license_valid", {"aspect": "environments", "environments": ["bybit_paper", "bybit_live"]}),
        ("fingerprint_current", {"compare": "machine"}),
        ("api_key_probe", {"environment": "bybit_live", "aspect": "forbidden"}),
        ("clock_skew", {"environment": "bybit_live", "warn_ms": 500, "fail_ms": 1000}),
    ],
)
def test_valid_params_are_accepted(kind: str, params: dict[str, Any]) -> None:
    assert best_error(KINDS[kind].params_schema, params) is None


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("secret_active", {"key": "bybit_paper_trading"}),
        ("secret_active", {"key": "k", "environment": "e", "enviroment": "typo"}),
        ("license_valid", {"aspect": "signatur"}),
        ("fingerprint_current", {"compare": "hostname"}),
        ("api_key_probe", {"environment": "bybit_live", "aspect": "withdraw"}),
        ("clock_skew", {"environment": "bybit_live", "fail_ms": 0}),
    ],
)
def test_bad_params_are_rejected(kind: str, params: dict[str, Any]) -> None:
    assert best_error(KINDS[kind].params_schema, params) is not None
