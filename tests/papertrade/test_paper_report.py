"""The typed paper report's one JSON codec: a session report reads back and writes out byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from preflight.deployment import load_deployment
from preflight.errors import ConfigError
from preflight.papertrade.metrics_model import PaperExchangeMetrics
from preflight.papertrade.paperreport import PaperReport
from preflight.papertrade.plan import SessionOptions
from preflight.papertrade.session import run_paper_session
from preflight.trust.secrets import open_keychain

EP = "bybit_desktop_paper"


@pytest.fixture(scope="module")
def session_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run one short embedded session (a fault or two, so breaches and errors are in the report)."""
    from preflight.demo import prepare_demo

    root = prepare_demo(tmp_path_factory.mktemp("codec") / "demo")
    deployment = load_deployment(root)
    keychain = open_keychain(deployment, {})
    options = SessionOptions(EP, ticks=30, faults="rate_limit=0.2", seed=3)
    return run_paper_session(deployment, lambda: keychain, options).report_path


def test_session_report_round_trips_byte_for_byte(session_file: Path) -> None:
    written = session_file.read_bytes()
    paper = PaperReport.from_json(json.loads(written))
    assert paper.to_text().encode("utf-8") == written
    assert paper.metrics.status == "breached" and paper.metrics.block(EP) is not None
    again = PaperExchangeMetrics.from_json(paper.metrics.to_json(), paper.warnings, paper.errors)
    assert again.to_json() == paper.metrics.to_json()
    assert again.summary == paper.metrics.summary  # the typed summary compares as its JSON view
    block = again.block(EP)
    assert block is not None and block.breaches[0].threshold == "rate_limit_max"


def test_the_sessions_own_prom_read_as_bot_evidence_gives_the_same_metrics(session_file: Path) -> None:
    """One set of rules: the evidence collector on the session's .prom reproduces the session's metrics."""
    from preflight.evidence.collector import bot_monitored, from_series
    from preflight.evidence.prometheus import read_metrics_file
    from preflight.papertrade.monitoring import monitored_entrypoints

    root = session_file.parents[2]
    paper = PaperReport.from_json(json.loads(session_file.read_text(encoding="utf-8")))
    monitored = bot_monitored(monitored_entrypoints(load_deployment(root)))
    collected = from_series(monitored, read_metrics_file(root / "var" / "metrics" / f"{EP}.prom").index)
    assert collected.metrics.to_json() == paper.metrics.to_json()
    assert collected.notes == ()


def test_a_malformed_metrics_block_names_the_field(session_file: Path) -> None:
    document = json.loads(session_file.read_text(encoding="utf-8"))
    del document["paper_exchange_metrics"]["summary"]["metric_coverage_score"]
    with pytest.raises(
        ConfigError, match=r"paper_exchange_metrics\.summary\.metric_coverage_score is absent"
    ):
        PaperReport.from_json(document)
    document = json.loads(session_file.read_text(encoding="utf-8"))
    document["paper_exchange_metrics"][EP]["rate_limited_events"] = "3"
    with pytest.raises(
        ConfigError, match=rf"paper_exchange_metrics\.{EP}\.rate_limited_events is not a number"
    ):
        PaperReport.from_json(document)


def test_unexpressed_paths_cover_their_parents_and_children() -> None:
    from dataclasses import replace

    from preflight.papertrade.metrics_model import Unexpressed
    from preflight.papertrade.summary import assemble

    metrics = replace(
        assemble(()),
        unexpressed=(Unexpressed("paper_exchange_metrics.summary.metric_coverage_score", "why"),),
    )
    assert metrics.unexpressed_reason("paper_exchange_metrics.summary.metric_coverage_score") == "why"
    assert metrics.unexpressed_reason("paper_exchange_metrics.summary") == "why"  # the whole summary
    assert metrics.unexpressed_reason("paper_exchange_metrics.summary.status") is None
    assert metrics.unexpressed_reason("warnings") is None
