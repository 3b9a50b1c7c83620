"""Paper sessions against the embedded simulator on 127.0.0.1: clean, faulty, throttled, partly unservable."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from preflight.catalog import load_runbook
from preflight.deployment import load_deployment
from preflight.kinds.paper_metrics import evaluate
from preflight.papertrade.artefacts import PaperSessionResult
from preflight.papertrade.plan import SessionOptions
from preflight.papertrade.session import run_paper_session
from preflight.trust.secrets import open_keychain

EP = "bybit_desktop_paper"


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Provision one demo deployment (config, license, secrets) for the whole module."""
    from preflight.demo import prepare_demo

    root = prepare_demo(tmp_path_factory.mktemp("paper") / "demo")
    yield root


@pytest.fixture
def root(demo_root: Path, tmp_path: Path) -> Path:
    """Return a private copy of the demo deployment (tests may edit its config)."""
    copy = tmp_path / "root"
    shutil.copytree(demo_root, copy)
    return copy


def run(
    root: Path, ticks: int = 60, faults: str | None = None, seed: int | None = None
) -> PaperSessionResult:
    deployment = load_deployment(root)
    keychain = open_keychain(deployment, {})
    options = SessionOptions(EP, ticks=ticks, faults=faults, seed=seed)
    return run_paper_session(deployment, lambda: keychain, options)


def block(result: PaperSessionResult, name: str = EP) -> dict[str, Any]:
    metrics = result.report["paper_exchange_metrics"]
    assert isinstance(metrics, dict)
    found = metrics[name]
    assert isinstance(found, dict)
    return found


def summary(result: PaperSessionResult) -> dict[str, Any]:
    return block(result, "summary")


def log_types(result: PaperSessionResult) -> list[str]:
    return [json.loads(line)["type"] for line in result.guardrail_log_path.read_text().splitlines()]


def test_clean_session_meets_every_step4_expectation_of_the_runbook(root: Path) -> None:
    result = run(root)
    report = result.report
    # Every paper. check of checks/bybit_go_live.yaml, evaluated on this session's report.
    checks = [c for c in load_runbook("bybit_go_live").checks() if c.group == "paper"]
    assert len(checks) >= 20
    for check in checks:
        path = str(check.params["path"]).replace("{entrypoint}", EP)
        node: Any = report
        for part in path.split("."):
            node = node[part]
        expected = check.params.get("expected")
        expected = expected.replace("{entrypoint}", EP) if isinstance(expected, str) else expected
        assert evaluate(str(check.params["op"]), node, expected, (EP,)) is None, check.id
    assert block(result)["requests"] > 100 and block(result)["health_status"] == 1
    # three genuinely different strategies all traded, through the guardrails and the adapter
    strategies = {s["kind"]: s for s in report["strategies"]}  # type: ignore[union-attr]
    assert set(strategies) == {"trend", "mean_reversion", "grid"}
    assert all(s["orders_accepted"] > 0 and s["fills"] > 0 for s in strategies.values())
    assert report["orders"]["cancelled_at_end"] > 0  # type: ignore[index]
    assert report["balances"]["start"] == {"BTC": "0.05", "ETH": "1", "USDT": "10000"}  # type: ignore[index]
    # artefacts
    assert result.report_path.name.startswith(f"{EP}-") and result.report_path.suffix == ".json"
    assert (
        json.loads(result.report_path.read_text())["paper_exchange_metrics"]
        == report["paper_exchange_metrics"]
    )
    assert not {"throttle", "rate_limit", "ip_ban", "timeout"} & set(log_types(result))
    markdown = result.markdown_path.read_text()
    # charts are files beside the export, linked as images (GitHub strips inline <svg>)
    assert "<svg" not in markdown and "btc_grid" in markdown and "throttl" not in markdown.lower()
    for key in ("equity", "uid_rate", "ip_rate"):
        chart = result.chart_paths[key]
        assert chart.parent == result.markdown_path.parent and f"]({chart.name})" in markdown
    prom = result.prom_path.read_text()
    assert f'bot_exchange_rate_limited_total{{entrypoint="{EP}",exchange="bybit"}} 0.0' in prom
    entry = open_keychain(load_deployment(root), {}).get("bybit_paper_trading")
    for path in result.artefacts().values():  # secret material never reaches an artefact
        text = path.read_text()
        assert entry.api_key not in text and (entry.api_secret or entry.api_key) not in text


def test_same_seed_same_session_and_unique_stamps(root: Path) -> None:
    first, second = run(root, ticks=40), run(root, ticks=40)
    assert first.report["strategies"] == second.report["strategies"]
    assert first.report["equity"] == second.report["equity"]
    assert first.report_path != second.report_path
    other = run(root, ticks=40, seed=8)
    assert other.report["equity"] != first.report["equity"]


def test_rate_limit_faults_complete_and_breach(root: Path) -> None:
    result = run(root, ticks=40, faults="rate_limit=0.2")
    entry, total = block(result), summary(result)
    assert result.report["requests"]["total"] > 0  # type: ignore[index]
    assert entry["rate_limited_events"] > 0
    assert entry["status"] == "breached" and total["status"] == "breached"
    assert total["breached_thresholds_entrypoints"] == {EP: ["rate_limit_max"]}
    assert any("rate_limit_max" in w for w in result.report["warnings"])  # type: ignore[union-attr]
    assert log_types(result).count("rate_limit") == entry["rate_limited_events"]
    assert "breach" in log_types(result)
    assert all(s["fills"] > 0 for s in result.report["strategies"])  # type: ignore[union-attr] # retried, completed
    assert result.status == "breached"


def test_server_errors_and_resets_count_network_errors_by_severity(root: Path) -> None:
    result = run(root, ticks=40, faults="server_error=0.08,reset=0.04")
    entry = block(result)
    assert entry["network_errors"] > 0
    assert entry["network_errors"] == sum(entry["network_errors_by_severity"].values())
    assert entry["network_errors_by_severity"]["warning"] > 0  # transient failures recovered by retry
    assert [b["threshold"] for b in entry["breaches"]][:1] == ["network_errors_max"]
    assert summary(result)["network_error_severity_totals"] == entry["network_errors_by_severity"]
    assert any("network_errors_max" in w for w in result.report["warnings"])  # type: ignore[union-attr]
    assert "timeout" in log_types(result)  # resets are logged as timeout events


def test_burst_one_with_latency_throttles(root: Path) -> None:
    runtime = root / "config" / "runtime.yaml"
    text = runtime.read_text()
    text = text.replace("max_concurrency: 3\n      burst: 6", "max_concurrency: 1\n      burst: 1")
    text = text.replace("rate_limit_warning_seconds: 0.5", "rate_limit_warning_seconds: 0.02")
    runtime.write_text(text)
    result = run(root, ticks=4, faults="latency_ms=30")
    assert result.report["io_queue"]["burst"] == 1  # type: ignore[index]
    assert "throttle" in log_types(result)
    assert result.report["guardrail_events"]["throttle"] > 0  # type: ignore[index]
    assert "throttle" in result.markdown_path.read_text()


def test_a_paper_entrypoint_without_adapter_is_missing_and_lowers_coverage(root: Path) -> None:
    core = root / "config" / "core.yaml"
    core.write_text(
        core.read_text().replace(
            "\npermission_profiles:",
            "  kraken_paper:\n    exchange: kraken\n    adapter: kraken_spot\n    mode: paper\n"
            "    keychain_key: kraken_paper_trading\n    endpoint: embedded\n"
            "    permission_profile: spot_trader\n"
            "\npermission_profiles:",
        )
    )
    runtime = root / "config" / "runtime.yaml"
    runtime.write_text(
        runtime.read_text().replace(
            "\nexecution:",
            "    kraken_bot:\n      environment: kraken_paper\n      profile: multi_strategy_default\n"
            "      tags: [paper]\n\nexecution:",
        )
    )
    result = run(root, ticks=20)
    total = summary(result)
    assert total["monitored_entrypoint_names"] == [EP, "kraken_bot"]
    assert block(result)["status"] == "ok"
    assert block(result, "kraken_bot")["status"] == "unknown"
    assert total["status"] == "unknown"
    names = ["bot_exchange_rate_limited_total", "bot_exchange_errors_total", "bot_exchange_health_status"]
    assert total["missing_metrics_entrypoints"] == {"kraken_bot": names}
    assert total["metric_coverage_ratio"] == dict.fromkeys(names, 0.5)
    assert total["metric_coverage_score"] == 0.5 and total["threshold_coverage_score"] == 0.5
    assert block(result, "kraken_bot")["invalid_thresholds"] == [
        "rate_limit_max",
        "network_errors_max",
        "health_min",
    ]
    assert total["network_error_severity_coverage_ratio"] == {"warning": 0.5, "error": 0.5, "critical": 0.5}
    assert [e["entrypoint"] for e in result.report["entrypoints_not_run"]] == ["kraken_bot"]  # type: ignore[union-attr]
    assert any("kraken_spot" in e for e in result.report["errors"])  # type: ignore[union-attr]


def test_trading_profile_guardrails_refuse_orders_and_log_rejects(root: Path) -> None:
    runtime = root / "config" / "runtime.yaml"
    text = runtime.read_text()
    head, _, trading = text.partition("  trading_profiles:")
    runtime.write_text(
        head
        + "  trading_profiles:"
        + trading.replace("max_order_notional: 1000", "max_order_notional: 200", 1)
    )
    result = run(root, ticks=60)
    strategies = {s["kind"]: s for s in result.report["strategies"]}  # type: ignore[union-attr]
    assert strategies["trend"]["guardrail_rejects"] > 0 and strategies["trend"]["orders_submitted"] == 0
    assert strategies["grid"]["guardrail_rejects"] == 0  # 150 per order stays under the limit
    assert result.report["guardrails"]["max_order_notional"] == 200  # type: ignore[index]
    rejects = [json.loads(line) for line in result.guardrail_log_path.read_text().splitlines()]
    rejects = [r for r in rejects if r["type"] == "reject"]
    assert rejects and rejects[0]["details"]["rule"] == "max_order_notional"
    assert {"ts", "entrypoint", "type", "details"} == set(rejects[0])


def test_every_adapter_of_a_session_shares_one_host_ban_registry(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from preflight.exchange.bybit.bans import HostBans
    from preflight.papertrade import session

    registries: list[HostBans] = []
    build = session.create_adapter

    def banned_from_the_start(*args: Any, **kwargs: Any) -> Any:
        registries.append(kwargs["bans"])
        kwargs["bans"].ban("127.0.0.1")  # as if another entrypoint of the session had met HTTP 403
        return build(*args, **kwargs)

    monkeypatch.setattr(session, "create_adapter", banned_from_the_start)
    result = run(root, ticks=3)
    assert registries and all(r is registries[0] for r in registries)
    assert block(result)["requests"] == 0  # the shared ban stopped this entrypoint before any request
    assert block(result)["health_status"] == 0
    assert block(result)["network_errors_by_severity"]["critical"] == 1  # stopped critically, once
