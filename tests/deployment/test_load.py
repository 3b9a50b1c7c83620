"""The deployment loader: the sample loads into the typed model; every schema violation is located."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from preflight.context import RunContext, RunOptions
from preflight.deployment import deployment_for, document_for, load_deployment
from preflight.deployment.model import Mode
from preflight.errors import ConfigError, UsageError
from preflight.resources import sample_config_dir


@pytest.fixture
def root(tmp_path: Path) -> Path:
    shutil.copytree(sample_config_dir(), tmp_path / "config")
    return tmp_path


def _replace(root: Path, name: str, old: str, new: str) -> int:
    path = root / "config" / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def test_sample_deployment_loads_into_the_typed_model(root: Path) -> None:
    deployment = load_deployment(root)
    entry = deployment.runtime.entrypoints["bybit_desktop_paper"]
    assert (entry.environment, entry.profile, entry.tags) == (
        "bybit_paper",
        "multi_strategy_default",
        ("desktop", "paper", "bybit"),
    )
    paper = deployment.runtime.paper_profiles["bybit_paper"]
    assert paper.adapter == "bybit_spot" and paper.io_queue == "bybit_spot"
    assert (paper.metrics.thresholds.rate_limit_max, paper.metrics.thresholds.health_min) == (0, 1.0)
    assert deployment.runtime.io_queue.limits("bybit_spot").burst == 6
    assert deployment.runtime.io_queue.limits("unknown").max_concurrency == 1
    paper_env = deployment.core.environments["bybit_paper"]
    assert paper_env.mode is Mode.PAPER and paper_env.embedded
    assert paper_env.paper_trading is not None
    assert paper_env.paper_trading.initial_balances["BTC"] == Decimal("0.05")
    live = deployment.core.environments["bybit_live"]
    assert live.mode is Mode.LIVE and live.account_uid == "53219870"
    assert deployment.paper_entrypoints() == ("bybit_desktop_paper",)
    assert sum(
        s.weight for s in deployment.core.profiles["multi_strategy_default"].strategies
    ) == pytest.approx(1)


def test_missing_root_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        load_deployment(tmp_path / "nowhere")


def test_missing_core_file_is_a_config_error(root: Path) -> None:
    (root / "config" / "core.yaml").unlink()
    with pytest.raises(ConfigError, match="file not found") as caught:
        load_deployment(root)
    assert str(caught.value).startswith("config/core.yaml")


# (file, old, new, expected words, line offset from the edit) - one schema violation each
VIOLATIONS = [
    (
        "runtime.yaml",
        "max_drawdown_pct: 5.0\n      metrics",
        "max_drawdown_pc: 5.0\n      metrics",
        "unknown key 'max_drawdown_pc'",
    ),
    ("runtime.yaml", "max_concurrency: 3", "max_concurrency: three", "is a string, expected integer"),
    ("runtime.yaml", "burst: 6", "burst: 0", "less than the minimum"),
    ("runtime.yaml", "  bybit_desktop_live:\n", "  summary:\n", "'summary' is not allowed"),
    (
        "runtime.yaml",
        "      health_min: 1.0\n",
        "      health_min: 1.0\n      healt_min: 2\n",
        "unknown key 'healt_min'",
    ),
    ("core.yaml", "mode: live", "mode: production", '"production" is not one of "paper", "live"'),
    ("core.yaml", "    keychain_key: bybit_live_trading\n", "", "'keychain_key' is a required property"),
    ("core.yaml", "require_ip_binding: true", "require_ip_bindng: true", "unknown key 'require_ip_bindng'"),
]


@pytest.mark.parametrize(("name", "old", "new", "words"), VIOLATIONS, ids=[v[3][:30] for v in VIOLATIONS])
def test_schema_violations_are_located_with_one_sentence(
    root: Path, name: str, old: str, new: str, words: str
) -> None:
    _replace(root, name, old, new)
    with pytest.raises(ConfigError) as caught:
        load_deployment(root)
    error = caught.value
    assert words in error.message
    assert error.location is not None and error.location.file == f"config/{name}"
    assert error.location.line is not None
    assert "\n" not in str(error)


def test_unknown_key_points_at_the_key_itself(root: Path) -> None:
    line = _replace(
        root, "runtime.yaml", "max_drawdown_pct: 5.0\n      metrics", "max_drawdown: 5.0\n      metrics"
    )
    with pytest.raises(ConfigError) as caught:
        load_deployment(root)
    assert caught.value.location is not None and caught.value.location.line == line
    assert caught.value.message.startswith("execution.paper_profiles.bybit_paper.guardrails.max_drawdown:")


def test_non_numeric_threshold_is_kept_for_the_checks_to_report(root: Path) -> None:
    _replace(root, "runtime.yaml", "rate_limit_max: 0", 'rate_limit_max: "zero"')
    deployment = load_deployment(root)
    assert deployment.runtime.paper_profiles["bybit_paper"].metrics.thresholds.rate_limit_max == "zero"


def test_deployment_for_is_memoised_and_records_inputs(root: Path) -> None:
    ctx = RunContext(RunOptions(root=root, entrypoint="bybit_desktop_paper"), {})
    first = deployment_for(ctx)
    assert deployment_for(ctx) is first
    assert {Path(p).name for p in ctx.inputs} == {"runtime.yaml", "core.yaml"}
    assert document_for(ctx, "config/runtime.yaml") is document_for(ctx, "config/runtime.yaml")


def test_a_broken_file_fails_every_caller_with_the_same_error(root: Path) -> None:
    _replace(root, "runtime.yaml", "burst: 6", "burst: [6")
    ctx = RunContext(RunOptions(root=root, entrypoint="bybit_desktop_paper"), {})
    with pytest.raises(ConfigError) as first:
        deployment_for(ctx)
    with pytest.raises(ConfigError) as second:
        deployment_for(ctx)
    assert first.value is second.value


def test_document_paths_must_stay_under_the_root(root: Path) -> None:
    ctx = RunContext(RunOptions(root=root, entrypoint="x"), {})
    for bad in ("../etc/passwd", "/etc/passwd"):
        with pytest.raises(ConfigError, match="stay inside"):
            document_for(ctx, bad)
