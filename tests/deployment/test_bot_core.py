"""bot_core deployments (fixtures in the shape of HEAD and bad092ec): true defects, and nothing else.

Every true defect is reported by the check that owns it at bot_core's file:line; no check fails
because of a key name; a broken part of a file blocks only the checks reading it; with the defects
repaired every static check passes (io_queue warns: declared, never loaded by bot_core).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from preflight_tests_bot_core_fixtures import REVISIONS, copy_fixture, line_of, repair, replace, run_static

from preflight.context import RunContext, RunOptions
from preflight.deployment import deployment_for, document_for
from preflight.deployment.formats import FormatName, format_for
from preflight.deployment.model import Mode
from preflight.results import CheckResult, Status

RUNTIME, CORE = "config/runtime.yaml", "config/core.yaml"
IO_QUEUE = {"io_queue.max_concurrency", "io_queue.burst", "io_queue.burst_covers_concurrency"}
IO_QUEUE |= {"io_queue.refs.queue_defined"}
NOT_APPLICABLE = {"execution.paper_profile.guardrails_consistent"}  # bot_core has no per-order notional
THRESHOLDS = {f"execution.thresholds.{t}" for t in ("rate_limit_max", "network_errors_max", "health_min")}
DEFECTS = {
    "core.schema",
    "runtime.refs.strategy_profile",
    "core.environment.paper_account",
    "keys.clock_skew",
    "core.license_policy",  # declared (runtime.yaml) and enforced (core.yaml) licensing disagree
}


def _text(result: CheckResult) -> str:
    return " ".join([result.message, *(str(e) for e in result.evidence)])


def _by_id(root: Path) -> dict[str, CheckResult]:
    return {r.check_id: r for r in run_static(root).results}


@pytest.mark.parametrize("revision", REVISIONS)
def test_the_format_is_detected_and_duplicates_load_with_the_last_copy(tmp_path: Path, revision: str) -> None:
    root = copy_fixture(tmp_path, revision)
    ctx = RunContext(RunOptions(root=root, entrypoint="bybit_desktop_paper"), {})
    detected = format_for(ctx)
    assert detected.name is FormatName.BOT_CORE
    assert detected.reason == "format bot_core (core.path in config/runtime.yaml)"
    core = document_for(ctx, CORE)
    assert [".".join(map(str, d.path)) for d in core.duplicates] == [
        f"environments.{name}" for name in ("coinbase_paper", "okx_paper", "kucoin_paper", "bybit_paper")
    ]
    okx = next(d for d in core.duplicates if d.path[-1] == "okx_paper")
    assert not okx.same and okx.last.line == line_of(root, CORE, "  okx_paper:", 2)
    assert core.lookup("environments.okx_paper.ip_allowlist") is None  # the first copy's setting is lost
    deployment = deployment_for(ctx)
    env = deployment.core.environments["bybit_paper"]
    assert (env.adapter, env.exchange, env.mode, env.keychain_key) == (
        "bybit_spot",
        "bybit",
        Mode.PAPER,
        "bybit_paper_trading",
    )
    assert deployment.core.environments["bybit_futures_testnet"].mode is Mode.TESTNET
    assert deployment.paper_entrypoints() == ("trading_gui", "okx_desktop_paper", "bybit_desktop_paper")
    assert deployment.runtime.entrypoints["bybit_desktop_paper"].profile == "multi_strategy_default"


@pytest.mark.parametrize("revision", REVISIONS)
def test_every_true_defect_is_reported_by_its_owner_and_nothing_else_fails(
    tmp_path: Path, revision: str
) -> None:
    root = copy_fixture(tmp_path, revision)
    by_id = _by_id(root)
    expected = DEFECTS | (THRESHOLDS if revision == "head" else set())
    assert {i for i, r in by_id.items() if r.status in (Status.FAIL, Status.ERROR)} == expected
    assert all(r.blocked_by is None for r in by_id.values())

    schema = _text(by_id["core.schema"])
    for name in ("coinbase_paper", "okx_paper", "kucoin_paper", "bybit_paper"):
        first, last = line_of(root, CORE, f"  {name}:"), line_of(root, CORE, f"  {name}:", 2)
        assert f"environments.{name} is written twice (lines {first} and {last})" in schema
        assert f"bot_core uses the last copy (line {last})" in schema
        assert f"{CORE}:{first}:3" in schema and f"{CORE}:{last}:3" in schema
    assert "environments.okx_paper is written twice" in schema and "first copy are lost" in schema

    strategy = _text(by_id["runtime.refs.strategy_profile"])
    strategy_line = line_of(root, RUNTIME, "strategy: multi_strategy_default", 3)
    default_line = line_of(root, CORE, "default_strategy: core_daily_trend", 3)  # the copy bot_core uses
    assert f"'multi_strategy_default' ({RUNTIME}:{strategy_line}:" in strategy
    assert f"default_strategy 'core_daily_trend' ({CORE}:{default_line}:" in strategy
    assert "controller 'stage6.desktop'" in strategy and "default_controller 'daily_trend_core'" in strategy

    account = _text(by_id["core.environment.paper_account"])
    assert "exchanges.bybit_spot" in account and "'core_multi_exchange'" in account
    assert f"{CORE}:{line_of(root, CORE, '  core_multi_exchange:')}:" in account

    assert "'bybit_live' (runbook variable live_environment) is not defined" in _text(
        by_id["keys.clock_skew"]
    )
    if revision == "head":
        metrics = line_of(root, RUNTIME, "      metrics:", 2)
        for check in THRESHOLDS:
            assert "has no 'thresholds'" in by_id[check].message
            assert f"{RUNTIME}:{metrics}:" in by_id[check].message
    else:
        assert all(by_id[check].status is Status.PASS for check in THRESHOLDS)


@pytest.mark.parametrize("revision", REVISIONS)
def test_io_queue_is_declared_but_not_enforced_and_notional_limits_do_not_apply(
    tmp_path: Path, revision: str
) -> None:
    by_id = _by_id(copy_fixture(tmp_path, revision))
    for check in IO_QUEUE:
        assert by_id[check].status is Status.WARN, by_id[check].message
        assert "bot_core's loader never reads io_queue" in by_id[check].message
    skipped = by_id["execution.paper_profile.guardrails_consistent"]
    assert skipped.status is Status.SKIP and "risk_profiles.balanced" in skipped.message
    assert by_id["execution.trading_profile.guardrails_match_paper"].status is Status.PASS


@pytest.mark.parametrize("revision", REVISIONS)
def test_the_repaired_deployment_passes_every_static_check(tmp_path: Path, revision: str) -> None:
    by_id = _by_id(repair(copy_fixture(tmp_path, revision)))
    assert {i for i, r in by_id.items() if r.status is not Status.PASS} == IO_QUEUE | NOT_APPLICABLE | {
        "keys.clock_skew"
    }
    assert by_id["keys.clock_skew"].status is Status.SKIP  # --offline: named as such
    assert "--offline" in by_id["keys.clock_skew"].message
    assert by_id["core.schema"].message.startswith(f"{CORE} is well-formed YAML and the parts the runbook")


def test_a_broken_unrelated_environment_blocks_nothing(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path, "head")
    baseline = {i: r.status for i, r in _by_id(root).items()}
    replace(
        root,
        CORE,
        "    exchange: kucoin_spot\n    environment: paper\n",
        "    exchange: kucoin_spot\n    environment: prod\n",
        2,
    )
    by_id = _by_id(root)
    assert "environments.kucoin_paper.environment" in by_id["core.schema"].message
    assert {i: r.status for i, r in by_id.items()} == baseline


def test_a_broken_read_environment_blocks_its_readers_once_naming_the_root_cause(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path, "head")
    line = line_of(root, CORE, "    environment: paper\n    keychain_key: bybit_paper_trading", 2)
    replace(
        root,
        CORE,
        "    exchange: bybit_spot\n    environment: paper\n",
        "    exchange: bybit_spot\n    environment: papr\n",
        2,
    )
    by_id = _by_id(root)
    assert f"{CORE}:{line}:" in by_id["core.schema"].message and '"papr"' in by_id["core.schema"].message
    mode = by_id["core.environment.mode"]
    assert mode.status is Status.FAIL and mode.blocked_by == "core.schema"
    assert mode.message.startswith(f"blocked by {CORE}:{line}:") and "see core.schema" in mode.message
    assert mode.remediation.startswith("Fix what core.schema reports first")  # not the check's own fix
    # checks that do not read environments.bybit_paper are judged as before
    for check in (
        "runtime.entrypoint.environment",
        "runtime.entrypoint.tags",
        "execution.paper_profile.io_queue",
    ):
        assert by_id[check].status is Status.PASS and by_id[check].blocked_by is None


def test_a_typo_in_a_read_part_is_caught_as_strictly_as_before(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path, "bad092ec")
    replace(
        root, RUNTIME, "          health_min: 1.0\n", "          health_min: 1.0\n          healt_min: 2\n"
    )
    by_id = _by_id(root)
    assert "unknown key 'healt_min'" in by_id["runtime.schema"].message
    assert by_id["execution.thresholds.health_min"].blocked_by == "runtime.schema"
    assert by_id["runtime.entrypoint.environment"].status is Status.PASS


def test_testnet_is_neither_paper_nor_live(tmp_path: Path) -> None:
    root = repair(copy_fixture(tmp_path, "head"))
    replace(
        root,
        CORE,
        "    exchange: bybit_spot\n    environment: paper\n",
        "    exchange: bybit_spot\n    environment: testnet\n",
    )
    by_id = _by_id(root)
    mode = by_id["core.environment.mode"]
    assert mode.status is Status.FAIL and '"testnet"' in mode.message and 'expected "paper"' in mode.message
    ctx = RunContext(RunOptions(root=root, entrypoint="bybit_desktop_paper"), {})
    assert "bybit_desktop_paper" not in deployment_for(ctx).paper_entrypoints()


def test_the_format_can_be_forced(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path, "head")
    report = run_static(root, deployment_format="preflight")
    assert report.deployment_format == "format preflight (forced by --deployment-format)"
    assert next(r for r in report.results if r.check_id == "core.schema").status is Status.FAIL


def test_an_undefined_live_environment_is_one_root_cause_across_the_whole_runbook(tmp_path: Path) -> None:
    from preflight.catalog import load_runbook
    from preflight.engine import run_checks

    root = copy_fixture(tmp_path, "head")
    options = RunOptions(root=root, entrypoint="bybit_desktop_paper", no_paper=True, offline=True, env={})
    report = run_checks(load_runbook("bybit_go_live"), options)
    stated = [r for r in report.results if "'bybit_live' (runbook variable live_environment)" in r.message]
    owners = [r for r in stated if r.blocked_by is None]
    assert [r.check_id for r in owners] == ["secrets.live_key.active"]
    assert owners[0].remediation.endswith("name yours with --var live_environment=NAME.")
    followers = {r.check_id for r in stated if r.blocked_by == "secrets.live_key.active"}
    assert "keys.clock_skew" in followers and len(stated) == 1 + len(followers)


def test_without_the_bots_evidence_step_4_skips_naming_what_to_pass(tmp_path: Path) -> None:
    """preflight's stand-in session runs none of bot_core's strategies: its verdict would claim too much."""
    from preflight.catalog import load_runbook
    from preflight.engine import Selection, run_checks

    root = repair(copy_fixture(tmp_path, "bad092ec"))
    options = RunOptions(root=root, entrypoint="bybit_desktop_paper", offline=True, env={})
    report = run_checks(
        load_runbook("bybit_go_live"), options, selection=Selection(only=("paper.", "report."))
    )
    assert report.results and {r.status for r in report.results} == {Status.SKIP}
    for result in report.results:
        assert "judged on the bot's own paper run: pass --evidence" in result.message
        assert "--metrics-file or --metrics-url" in result.message
    assert not (root / "reports").exists() and not list(root.glob("var/metrics/*.prom"))  # nothing ran
