"""The paper./guardrails./report./smoke. kinds over one shared session, and ``preflight paper``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from preflight.context import RunContext, RunOptions
from preflight.kinds import KINDS
from preflight.kinds.paper_metrics import evaluate
from preflight.papertrade.provider import session_for
from preflight.results import Status

EP = "bybit_desktop_paper"


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Provision one demo deployment for the module."""
    from preflight.demo import prepare_demo

    return prepare_demo(tmp_path_factory.mktemp("kinds") / "demo")


@pytest.fixture
def root(demo_root: Path, tmp_path: Path) -> Path:
    """Return a private copy of the demo deployment."""
    copy = tmp_path / "root"
    shutil.copytree(demo_root, copy)
    return copy


def context(root: Path, entrypoint: str = EP, **options: object) -> RunContext:
    return RunContext(
        RunOptions(root=root, entrypoint=entrypoint, paper_ticks=30, **options),  # type: ignore[arg-type]
        {"entrypoint": entrypoint},
    )


def check(kind: str, params: dict[str, object], ctx: RunContext) -> tuple[Status, str, list[str]]:
    spec = KINDS[kind]
    outcome = spec.run(spec.parse(params), ctx)
    return outcome.status, outcome.message, [str(e) for e in outcome.evidence]


def no_rate_limiting(exchange: str) -> dict[str, object]:
    """Return prom_metric params: the session's rate-limited counter for ``exchange`` is 0."""
    return {
        "metric": "bot_exchange_rate_limited_total",
        "labels": {"exchange": exchange},
        "op": "eq",
        "value": 0,
    }


def test_kinds_share_one_session_and_pass_on_a_clean_run(root: Path) -> None:
    ctx = context(root)
    status, message, evidence = check(
        "paper_metrics",
        {"path": "paper_exchange_metrics.{entrypoint}.status", "op": "eq", "expected": "ok"},
        ctx,
    )
    assert status is Status.PASS, message
    assert any("reports/paper/bybit_desktop_paper-" in e for e in evidence)
    first = session_for(ctx)
    assert (
        check("guardrail_log", {"forbid": ["throttle", "rate_limit", "ip_ban", "timeout"]}, ctx)[0]
        is Status.PASS
    )
    assert check("report_export", {}, ctx)[0] is Status.PASS
    assert check("prom_metric", no_rate_limiting("bybit"), ctx)[0] is Status.PASS
    assert session_for(ctx) is first  # one session per run
    assert len(list((root / "reports" / "paper").glob("*.json"))) == 1
    assert set(ctx.artefacts) == {
        "paper_report",
        "paper_markdown",
        "guardrail_log",
        "paper_metrics_prom",
        "paper_chart_equity",
        "paper_chart_uid_rate",
        "paper_chart_ip_rate",
    }
    assert ctx.paper_metrics is not None and "summary" in ctx.paper_metrics
    assert any("127.0.0.1" in line for line in ctx.simulated)


def test_absent_path_and_missing_series_fail(root: Path) -> None:
    ctx = context(root)
    status, message, _ = check(
        "paper_metrics", {"path": "paper_exchange_metrics.nobody.status", "op": "empty"}, ctx
    )
    assert status is Status.FAIL and "absent" in message
    status, message, _ = check("prom_metric", no_rate_limiting("kraken"), ctx)
    assert status is Status.FAIL and "no series" in message


def test_rate_limited_session_fails_the_checks_with_evidence(root: Path) -> None:
    ctx = context(root, paper_faults="rate_limit=0.2")
    status, message, _ = check(
        "paper_metrics", {"path": "warnings", "op": "no_warning_mentions", "expected": "rate_limit_max"}, ctx
    )
    assert status is Status.FAIL and "rate_limit_max" in message
    status, message, evidence = check("guardrail_log", {"forbid": ["rate_limit"]}, ctx)
    assert status is Status.FAIL and "rate_limit" in message
    assert any(
        ".jsonl:" in e and '"type":"rate_limit"' in e for e in evidence
    )  # first offending line, located
    assert check("prom_metric", no_rate_limiting("bybit"), ctx)[0] is Status.FAIL


def test_no_paper_and_live_entrypoints_skip(root: Path) -> None:
    params = {"path": "warnings", "op": "empty"}
    status, message, _ = check("paper_metrics", params, context(root, no_paper=True))
    assert status is Status.SKIP and "--no-paper" in message
    status, message, _ = check("guardrail_log", {"forbid": ["throttle"]}, context(root, "bybit_desktop_live"))
    assert status is Status.SKIP and "live" in message
    assert not (root / "reports" / "paper").exists()


@pytest.mark.parametrize(
    ("op", "observed", "expected", "ok"),
    [
        ("eq", {"warning": 0}, {"warning": 0}, True),
        ("eq", 1.0, 1, True),
        ("eq", [], {}, False),
        ("ne", "ok", "breached", True),
        ("in", "unknown", ["ok", "unknown"], True),
        ("in", "breached", ["ok", "unknown"], False),
        ("contains", ["a", "b"], "a", True),
        ("contains", ["a"], "b", False),
        ("not_contains", ["a"], "b", True),
        ("empty", {}, None, True),
        ("empty", [1], None, False),
        ("empty", 0, None, False),
        ("not_empty", [1], None, True),
        ("ge", 1.0, 1, True),
        ("le", 2, 1, False),
        ("le", "2", 1, False),
        ("covers_all_paper_entrypoints", ["a", "b"], None, True),
        ("covers_all_paper_entrypoints", ["a"], None, False),
        ("no_warning_mentions", ["x: rate_limit_max breached"], "rate_limit_max", False),
        ("no_warning_mentions", [], "rate_limit_max", True),
    ],
)
def test_operators(op: str, observed: object, expected: object, ok: bool) -> None:
    assert (evaluate(op, observed, expected, ("a", "b")) is None) is ok


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "preflight", "paper", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_paper_command_json_and_exit_codes(root: Path) -> None:
    done = _cli(EP, "--root", str(root), "--ticks", "20", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["paper_exchange_metrics"]["summary"]["status"] == "ok"
    assert "paper_report:" in done.stderr
    breached = _cli(EP, "--root", str(root), "--ticks", "20", "--faults", "rate_limit=0.3")
    assert breached.returncode == 1 and "rate_limit_max breached" in breached.stdout
    live = _cli("bybit_desktop_live", "--root", str(root))
    assert live.returncode == 2 and "not a paper entrypoint" in live.stderr


def test_export_agreement_holds_on_the_session_and_catches_a_tampered_export(root: Path) -> None:
    ctx = context(root)
    agree = {"forbid_words": [], "agree_with_report": True}
    status, message, _ = check("report_export", agree, ctx)
    assert status is Status.PASS, message
    export = session_for(ctx).markdown_path
    export.write_text(
        export.read_text(encoding="utf-8").replace("No warnings.", "- made up"), encoding="utf-8"
    )
    status, message, _ = check("report_export", agree, ctx)
    assert status is Status.FAIL and "lists 1 warnings, the session report 0" in message


def test_a_session_refused_for_a_defect_a_static_check_reports_points_at_that_check(root: Path) -> None:
    """One root cause: the undefined strategy profile is runtime.refs.strategy_profile's finding."""
    from preflight.catalog import load_runbook
    from preflight.engine import Selection, run_checks

    runtime = root / "config" / "runtime.yaml"
    runtime.write_text(runtime.read_text().replace("profile: multi_strategy_default", "profile: nope"))
    options = RunOptions(root=root, entrypoint=EP, offline=True)
    report = run_checks(load_runbook(), options, selection=Selection(only=("runtime.refs.", "paper.")))
    by_id = {r.check_id: r for r in report.results}
    assert by_id["runtime.refs.strategy_profile"].status is Status.FAIL
    paper = [r for r in report.results if r.check_id.startswith("paper.")]
    assert paper and all(r.blocked_by == "runtime.refs.strategy_profile" for r in paper)
    assert "strategy profile 'nope' is not in config/core.yaml profiles" in paper[0].message
    # selected alone, the session states the defect itself (once), with a fix that applies
    alone = run_checks(load_runbook(), options, selection=Selection(only=("paper.",)))
    owners = [r for r in alone.results if r.blocked_by is None]
    assert len(owners) == 1 and owners[0].status is Status.ERROR
    assert "judge the bot's own paper run" in owners[0].remediation
