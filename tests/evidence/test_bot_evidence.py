"""Judging the bot's own paper run from its metrics: both run_local_bot shapes, .prom, a live /metrics."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from preflight.results import Status, Verdict

EP = "bybit_desktop_paper"
RATE = "bot_exchange_rate_limited_total"
ERRORS = "bot_exchange_errors_total"
HEALTH = "bot_exchange_health_status"


def test_rich_clean_run_passes_every_expectation_the_shape_can_satisfy(
    root: Path, bot: Any, judge: Any, result: Any, clean_run: Any, statuses: Any
) -> None:
    run, path = clean_run(bot, "rich")
    report = judge(root, evidence=run.folder, metrics_file=run.prom())
    found = statuses(report)
    paper = [c for c in found if c.startswith("paper.")]
    assert len(paper) == 23 and all(found[c] is Status.PASS for c in paper), {c: found[c] for c in paper}
    for check in ("guardrails.no_throttle", "guardrails.no_timeout", "report.markdown_export_clean",
                  "report.export_agrees_with_report", "smoke.rate_limited_zero"):  # fmt: skip
        assert found[check] is Status.PASS, result(report, check)
    # events.log never records exchange answers: said plainly, never a pass
    for check in ("guardrails.no_rate_limit", "guardrails.no_ip_ban"):
        status, message = result(report, check)
        assert status is Status.SKIP and "cannot show the absence" in message
    # what the shape cannot express is an exception of the verdict, never a pass
    assert report.verdict is Verdict.GO_WITH_EXCEPTIONS
    excepted = {e.check_id for e in report.exceptions}
    assert {"guardrails.no_rate_limit", "guardrails.no_ip_ban"} <= excepted
    source = report.paper_source
    assert source is not None and source.origin == "bot"
    assert source.files[0].sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert "2026-11-30T09:00:00+00:00" in source.session
    assert "newest of 1 paper-mode report(s)" in source.chosen
    digests = {d.path: d.sha256 for d in report.inputs}  # the sign-off's input digests include the evidence
    assert digests[str(path)] == source.files[0].sha256 and str(run.prom()) in digests


def test_rich_report_alone_judges_metrics_and_says_smoke_needs_series(
    root: Path, bot: Any, judge: Any, result: Any, clean_run: Any, statuses: Any
) -> None:
    run, _ = clean_run(bot, "rich")
    report = judge(root, evidence=run.folder)
    found = statuses(report)
    assert all(found[c] is Status.PASS for c in found if c.startswith("paper.")), found
    status, message = result(report, "smoke.rate_limited_zero")
    assert status is Status.SKIP and "--metrics-file or --metrics-url" in message


FLAT_EXPRESSIBLE = {
    "paper.entrypoint.breaches_empty",
    "paper.warnings.no_rate_limit_max",
    "paper.warnings.no_network_errors_max",
    "paper.summary.breached_entrypoint_names_empty",
    "paper.summary.breached_thresholds_entrypoints_empty",
    "paper.summary.breach_counts_by_metric_empty",
    "paper.summary.threshold_breach_counts_empty",
    "paper.summary.health_covered",
    "paper.summary.monitored_covers_paper_entrypoints",
}


def test_flat_clean_run_passes_what_it_can_express_and_names_the_rest(
    root: Path, bot: Any, judge: Any, result: Any, clean_run: Any, statuses: Any
) -> None:
    _, path = clean_run(bot, "flat")
    report = judge(root, evidence=path)
    found = statuses(report)
    paper = {c: s for c, s in found.items() if c.startswith("paper.")}
    assert {c for c, s in paper.items() if s is Status.PASS} == FLAT_EXPRESSIBLE
    skipped = {c for c, s in paper.items() if s is Status.SKIP}
    assert skipped == set(paper) - FLAT_EXPRESSIBLE  # nothing fails, nothing unexpressible passes
    _, message = result(report, "paper.summary.rate_limited_covered")
    assert "HEAD's flat block writes 0.0 for a metric its registry never had" in message
    _, message = result(report, "paper.summary.threshold_coverage_score")
    assert "no thresholds and no coverage" in message
    assert report.verdict is Verdict.GO_WITH_EXCEPTIONS  # skips are exceptions of the verdict, never passes
    assert skipped <= {e.check_id for e in report.exceptions}
    assert "HEAD's flat per-entrypoint block" in (
        report.paper_source.description if report.paper_source else ""
    )


@pytest.mark.parametrize("shape", ["rich", "flat"])
def test_rate_limited_and_error_breach_their_thresholds(
    root: Path, bot: Any, shape: str, judge: Any, result: Any
) -> None:
    run = bot()
    run.registry.run(rate_limited=2, errors={"error": 1})
    report = judge(root, evidence=run.report(shape))
    assert report.verdict is Verdict.NO_GO
    status, message = result(report, "paper.entrypoint.breaches_empty")
    assert status is Status.FAIL
    metrics = report.paper_metrics
    assert metrics is not None
    breaches = {b["threshold"]: (b["observed"], b["limit"]) for b in metrics[EP]["breaches"]}  # type: ignore[index]
    assert breaches == {"rate_limit_max": (2, 0), "network_errors_max": (1, 0)}
    status, message = result(report, "paper.warnings.no_rate_limit_max")
    assert status is Status.FAIL and "observed 2 > limit 0" in message
    status, message = result(report, "paper.warnings.no_network_errors_max")
    assert status is Status.FAIL and "observed 1 > limit 0" in message


def test_series_never_produced_are_missing_and_not_go(root: Path, bot: Any, judge: Any, result: Any) -> None:
    run = (
        bot()
    )  # bot_core's CCXT layer labels its series with the adapter name, which the collector never reads
    run.registry.run(exchange="bybit_spot")
    for evidence in ({"evidence": run.report("rich")}, {"metrics_file": run.prom()}):
        report = judge(root, **evidence)
        assert report.verdict is Verdict.NO_GO
        block = report.paper_metrics[EP]  # type: ignore[index]
        assert block["rate_limited_events"] is None and block["health_status"] is None  # missing, never 0
        assert block["status"] == "unknown"
        assert report.paper_metrics["summary"]["missing_metrics_entrypoints"] == {  # type: ignore[index]
            EP: [RATE, ERRORS, HEALTH]
        }
        assert result(report, "paper.entrypoint.status")[0] is Status.FAIL
    _, message = result(report, "paper.summary.rate_limited_covered")
    # the .prom run says where they are, once
    note = f'{EP}: {RATE}, {ERRORS}, {HEALTH} have series for exchange="bybit_spot" but none for exchange='
    assert message.count(note) == 1, message


def test_prom_file_and_live_endpoint_give_the_report_summary(
    root: Path, bot: Any, exporter: Any, judge: Any
) -> None:
    run = bot()
    run.registry.run(rate_limited=1, errors={"warning": 2})
    from_report = judge(root, evidence=run.report("rich"))
    from_file = judge(root, metrics_file=run.prom())
    from_url = judge(root, metrics_url=exporter(run.registry.registry))
    summaries = [r.paper_metrics["summary"] for r in (from_report, from_file, from_url)]  # type: ignore[index]
    assert summaries[0] == summaries[1] == summaries[2]
    assert summaries[0]["breached_thresholds_entrypoints"] == {EP: ["rate_limit_max", "network_errors_max"]}
    assert from_url.paper_source is not None and from_url.paper_source.files[0].path.endswith("/metrics")


def test_metrics_url_token_never_shown(root: Path, exporter: Any, bot: Any, judge: Any) -> None:
    run = bot()
    run.registry.run()
    url = (
        exporter(run.registry.registry).replace("http://", "http://scraper:s3cr3t-token@")
        + "?key=s3cr3t-token"
    )
    report = judge(root, metrics_url=url)
    from preflight.reporters.json_report import JsonReporter

    assert "s3cr3t-token" not in JsonReporter().render(report)
    assert report.paper_source is not None and "s3cr3t" not in report.paper_source.headline()


def test_an_unreachable_metrics_url_is_one_error_per_check_not_a_traceback(
    root: Path, judge: Any, result: Any
) -> None:
    report = judge(root, metrics_url="http://127.0.0.1:9/metrics")
    status, message = result(report, "paper.summary.status")
    assert status is Status.ERROR and "cannot scrape" in message and "127.0.0.1:9/metrics" in message


def test_interrupted_run_is_reported_as_such(root: Path, bot: Any, judge: Any, result: Any) -> None:
    run = bot()
    run.registry.run()
    report = judge(root, evidence=run.report("rich", finished=False))
    status, message = result(report, "paper.summary.status")
    assert status is Status.FAIL
    assert "claims status success but lacks finished_at, paper_exchange_metrics" in message
    assert "interrupted" in message and report.verdict is Verdict.NO_GO


def test_failed_run_is_reported_with_its_error(root: Path, bot: Any, judge: Any, result: Any) -> None:
    run = bot()
    path = run.report("rich", status="error", errors=["bybit_paper: no bybit_spot symbols"])
    status, message = result(judge(root, evidence=path), "paper.entrypoint.status")
    assert (
        status is Status.FAIL and "ended with status 'error': bybit_paper: no bybit_spot symbols" in message
    )


def test_a_dripping_metrics_endpoint_is_bounded(root: Path) -> None:
    import socket
    import threading

    from preflight.errors import InputError
    from preflight.evidence.prometheus import scrape

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    stop = threading.Event()

    def drip() -> None:
        conn, _ = listener.accept()
        conn.recv(4096)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n")
        while not stop.wait(0.05):  # a byte at a time, never finishing
            try:
                conn.sendall(b"#")
            except OSError:
                break
        conn.close()

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    try:
        with pytest.raises(InputError, match=r"no answer within 0\.5 s"):
            scrape(f"http://127.0.0.1:{listener.getsockname()[1]}/metrics", timeout_s=0.5)
    finally:
        stop.set()
        thread.join(timeout=120)
        listener.close()


def test_series_make_every_expectation_expressible_for_a_flat_report(
    root: Path, bot: Any, clean_run: Any, judge: Any, statuses: Any
) -> None:
    run, path = clean_run(bot, "flat")
    report = judge(root, evidence=path, metrics_file=run.prom())
    found = statuses(report)
    assert all(found[c] is Status.PASS for c in found if c.startswith("paper.")), found
    assert report.paper_source is not None
    assert "HEAD's flat per-entrypoint block" in report.paper_source.description
    assert "Prometheus series" in report.paper_source.description


def test_unreadable_evidence_is_reported_once_and_every_dependent_check_points_at_it(
    root: Path, judge: Any, tmp_path: Path
) -> None:
    broken = tmp_path / "report.json"
    broken.write_text('{"entrypoint": ', encoding="utf-8")
    report = judge(root, evidence=broken)
    stopped = [r for r in report.results if r.status in (Status.ERROR, Status.FAIL)]
    owners = [r for r in stopped if r.blocked_by is None]
    assert len(owners) == 1, [(r.check_id, r.message) for r in owners]
    owner = owners[0]
    assert "the bot's evidence could not be read" in owner.message and "report.json:1" in owner.message
    assert owner.remediation is not None and "--evidence" in owner.remediation
    followers = [r for r in stopped if r is not owner]
    assert len(followers) >= 20  # paper., guardrails. and report. all need the evidence
    assert {r.blocked_by for r in followers} == {owner.check_id}
    assert all(r.message.startswith(f"blocked by {owner.check_id}") for r in followers)
