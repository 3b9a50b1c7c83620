"""Judging the bot's own paper run: both run_local_bot shapes, .prom files, a live /metrics, the exports."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from preflight.catalog import load_runbook
from preflight.context import RunOptions
from preflight.engine import Selection, run_checks
from preflight.results import RunReport, Status, Verdict

EVIDENCE_GROUPS = ("paper.", "guardrails.", "report.", "smoke.")


EP = "bybit_desktop_paper"
RATE = "bot_exchange_rate_limited_total"
ERRORS = "bot_exchange_errors_total"
HEALTH = "bot_exchange_health_status"


def judge(root: Path, **evidence: object) -> RunReport:
    """Run the paper./guardrails./report./smoke. checks on the given evidence."""
    options = RunOptions(root=root, entrypoint=EP, **evidence)  # type: ignore[arg-type]
    return run_checks(load_runbook(), options, selection=Selection(only=EVIDENCE_GROUPS))


def statuses(report: RunReport) -> dict[str, Status]:
    return {r.check_id: r.status for r in report.results}


def result(report: RunReport, check_id: str) -> tuple[Status, str]:
    found = next(r for r in report.results if r.check_id == check_id)
    return found.status, found.message + " | " + " | ".join(str(e) for e in found.evidence)


def clean_run(bot: Any, shape: str) -> tuple[Any, Path]:
    run = bot()
    run.registry.run()
    path = run.report(shape)
    run.events_log()  # the guardrails ran and recorded nothing
    return run, path


def test_rich_clean_run_passes_every_expectation_the_shape_can_satisfy(root: Path, bot: Any) -> None:
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
    assert report.verdict is Verdict.GO
    source = report.paper_source
    assert source is not None and source.origin == "bot"
    assert source.files[0].sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert "2026-11-30T09:00:00+00:00" in source.session
    assert "newest of 1 paper-mode report(s)" in source.chosen
    digests = {d.path: d.sha256 for d in report.inputs}  # the sign-off's input digests include the evidence
    assert digests[str(path)] == source.files[0].sha256 and str(run.prom()) in digests


def test_rich_report_alone_judges_metrics_and_says_smoke_needs_series(root: Path, bot: Any) -> None:
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


def test_flat_clean_run_passes_what_it_can_express_and_names_the_rest(root: Path, bot: Any) -> None:
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
    assert report.verdict is Verdict.GO  # skips are exceptions of the verdict, never passes
    assert "HEAD's flat per-entrypoint block" in (
        report.paper_source.description if report.paper_source else ""
    )


@pytest.mark.parametrize("shape", ["rich", "flat"])
def test_rate_limited_and_error_breach_their_thresholds(root: Path, bot: Any, shape: str) -> None:
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


def test_series_never_produced_are_missing_and_not_go(root: Path, bot: Any) -> None:
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


def test_prom_file_and_live_endpoint_give_the_report_summary(root: Path, bot: Any, exporter: Any) -> None:
    run = bot()
    run.registry.run(rate_limited=1, errors={"warning": 2})
    from_report = judge(root, evidence=run.report("rich"))
    from_file = judge(root, metrics_file=run.prom())
    from_url = judge(root, metrics_url=exporter(run.registry.registry))
    summaries = [r.paper_metrics["summary"] for r in (from_report, from_file, from_url)]  # type: ignore[index]
    assert summaries[0] == summaries[1] == summaries[2]
    assert summaries[0]["breached_thresholds_entrypoints"] == {EP: ["rate_limit_max", "network_errors_max"]}
    assert from_url.paper_source is not None and from_url.paper_source.files[0].path.endswith("/metrics")


def test_metrics_url_token_never_shown(root: Path, exporter: Any, bot: Any) -> None:
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


def test_an_unreachable_metrics_url_is_one_error_per_check_not_a_traceback(root: Path) -> None:
    report = judge(root, metrics_url="http://127.0.0.1:9/metrics")
    status, message = result(report, "paper.summary.status")
    assert status is Status.ERROR and "cannot scrape" in message and "127.0.0.1:9/metrics" in message


def test_interrupted_run_is_reported_as_such(root: Path, bot: Any) -> None:
    run = bot()
    run.registry.run()
    report = judge(root, evidence=run.report("rich", finished=False))
    status, message = result(report, "paper.summary.status")
    assert status is Status.FAIL
    assert "claims status success but lacks finished_at, paper_exchange_metrics" in message
    assert "interrupted" in message and report.verdict is Verdict.NO_GO


def test_failed_run_is_reported_with_its_error(root: Path, bot: Any) -> None:
    run = bot()
    path = run.report("rich", status="error", errors=["bybit_paper: no bybit_spot symbols"])
    status, message = result(judge(root, evidence=path), "paper.entrypoint.status")
    assert (
        status is Status.FAIL and "ended with status 'error': bybit_paper: no bybit_spot symbols" in message
    )


def test_twelve_warnings_in_json_but_none_in_the_export_is_a_finding(root: Path, bot: Any) -> None:
    run = bot()
    run.registry.run()
    warnings = [f"[paper:{EP}] metric {n} not found in telemetry registry" for n in range(12)]
    path = run.report("rich", warnings=warnings, export_warnings=0)
    report = judge(root, evidence=path)
    status, message = result(report, "report.export_agrees_with_report")
    assert status is Status.FAIL
    assert "states 0 warning(s)" in message and "holds 12" in message and ":10)" in message  # the KPI line
    assert result(report, "report.markdown_export_clean")[0] is Status.PASS


def test_folder_picks_the_newest_paper_session_of_the_entrypoint(root: Path, bot: Any) -> None:
    from datetime import timedelta

    run = bot()
    run.registry.run()
    older = run.report("rich")
    run.started += timedelta(hours=1)
    newer = run.report("rich")
    run.started += timedelta(hours=1)
    run.report("rich", entrypoint="okx_desktop_paper")
    run.report("rich", mode="demo")
    report = judge(root, evidence=run.folder)
    source = report.paper_source
    assert source is not None and source.files[0].path == str(newer) != str(older)
    assert (
        "newest of 2 paper-mode report(s) of bybit_desktop_paper (started 2026-11-30T10:00:00+00:00)"
        in source.chosen
    )
    assert "passed over 1 of other entrypoints, 1 of other modes (demo/live)" in source.chosen


def test_events_log_throttles_and_timeouts_fail_their_checks(root: Path, bot: Any) -> None:
    run, path = clean_run(bot, "rich")
    run.events_log(
        "2026-11-30T09:00:10+0000 WARNING RATE_LIMIT queue=bybit_spot waited=0.62s streak=2",
        "2026-11-30T09:00:11+0000 ERROR TIMEOUT queue=bybit_spot duration=5.000s "
        "exception=TimeoutError streak=1",
    )
    report = judge(root, evidence=path)
    status, message = result(report, "guardrails.no_throttle")
    assert status is Status.FAIL and "events.log:1" in message and "RATE_LIMIT queue=bybit_spot" in message
    status, message = result(report, "guardrails.no_timeout")
    assert status is Status.FAIL and "events.log:2" in message


def test_a_missing_events_log_is_not_read_as_no_events(root: Path, bot: Any) -> None:
    run = bot()
    run.registry.run()
    status, message = result(judge(root, evidence=run.report("rich")), "guardrails.no_throttle")
    assert status is Status.FAIL and "no events.log" in message


def test_a_broken_report_is_one_line_naming_the_file_and_line(root: Path, tmp_path: Path) -> None:
    broken = tmp_path / "run_local_bot_paper_20261130T090000.json"
    broken.write_text('{\n  "mode": "paper",\n  oops\n}', encoding="utf-8")
    status, message = result(judge(root, evidence=broken), "paper.summary.status")
    assert status is Status.ERROR and f"{broken}:3: not JSON" in message and "\n" not in message


def test_run_cli_names_the_evidence_in_every_output(
    root: Path,
    bot: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    from preflight.cli.app import main

    run, path = clean_run(bot, "rich")
    out_json, out_md = tmp_path / "report.json", tmp_path / "report.md"
    argv = ["preflight", "run", EP, "--root", str(root), "--evidence", str(run.folder),
            "--metrics-file", str(run.prom()), "--only", "paper.", "--format", "json", "-o", str(out_json),
            "--format", "markdown", "-o", str(out_md), "--format", "terminal", "-o", "-"]  # fmt: skip
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as done:
        main()
    terminal = capsys.readouterr().out
    assert done.value.code == 0, terminal
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    document = json.loads(out_json.read_text(encoding="utf-8"))
    assert document["paper_source"]["origin"] == "bot"
    assert document["paper_source"]["files"][0] == {"path": str(path), "sha256": digest}
    for text in (terminal, out_md.read_text(encoding="utf-8")):
        assert "the bot's own paper run" in text and digest[:16] in text
    from preflight.reporters.json_report import parse_report

    assert parse_report(out_json.read_text(encoding="utf-8")).paper_source is not None


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (("--metrics-file", "x.prom", "--metrics-url", "http://127.0.0.1:1/metrics"), "not both"),
        (("--evidence", "no/such/folder"), "--evidence no/such/folder: no such file or folder"),
        (("--metrics-file", "no.prom"), "--metrics-file no.prom: no such file"),
        (("--metrics-url", "ftp://127.0.0.1/metrics"), "give an http:// or https:// URL"),
        (("--offline", "--metrics-url", "http://127.0.0.1:1/metrics"), "pass --metrics-file instead"),
    ],
)
def test_unusable_evidence_flags_exit_2_before_any_check(
    root: Path,
    flags: tuple[str, ...],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    from preflight.cli.app import main

    monkeypatch.chdir(root)
    monkeypatch.setattr(sys, "argv", ["preflight", "run", EP, "--root", str(root), *flags])
    with pytest.raises(SystemExit) as done:
        main()
    captured = capsys.readouterr()
    assert done.value.code == 2 and message in captured.err, captured
    assert not (root / "reports" / "paper").exists()  # nothing ran


def test_a_copied_folder_and_relative_paths_still_pair_the_exports(
    root: Path, bot: Any, tmp_path: Path
) -> None:
    import shutil

    run, path = clean_run(bot, "rich")
    run.events_log("2026-11-30T09:00:10+0000 WARNING RATE_LIMIT queue=bybit_spot waited=0.62s streak=2")
    copied = tmp_path / "copied"
    shutil.copytree(run.folder, copied)  # the report's absolute paths now point at the original folder
    shutil.rmtree(run.folder)
    report = judge(root, evidence=copied)
    assert result(report, "report.export_agrees_with_report")[0] is Status.PASS
    status, message = result(report, "guardrails.no_throttle")
    assert status is Status.FAIL and str(copied) in message  # found by name in the copied folder
    # bad092ec writes paths relative to the bot's working directory: resolved from the report's root
    document = json.loads((copied / path.relative_to(run.folder)).read_text(encoding="utf-8"))
    document["report_markdown"] = "reports/e2e/" + Path(document["report_markdown"]).name
    document["guardrails"]["log_directory"] = "logs/guardrails"
    relative = copied / "logs" / "e2e" / "run_local_bot_paper_20261130T090138.json"
    relative.write_text(json.dumps(document), encoding="utf-8")
    report = judge(root, evidence=relative)
    assert result(report, "report.export_agrees_with_report")[0] is Status.PASS
    assert result(report, "guardrails.no_throttle")[0] is Status.FAIL


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


def test_retraining_events_log_is_never_taken_for_the_guardrail_log(
    root: Path, bot: Any, tmp_path: Path
) -> None:
    import shutil

    run, _ = clean_run(bot, "rich")
    (run.folder / "logs" / "guardrails" / "events.log").unlink()
    retraining = run.folder / "logs" / "retraining" / "events.log"
    retraining.parent.mkdir(parents=True)
    retraining.write_text("2026-11-30T09:00:10+0000 WARNING RETRAIN model=x\n", encoding="utf-8")
    copied = tmp_path / "copied"
    shutil.copytree(run.folder, copied)
    status, message = result(judge(root, evidence=copied), "guardrails.no_throttle")
    assert status is Status.FAIL and "no events.log" in message


def test_events_log_continuation_lines_belong_to_their_record_and_garbage_is_located(
    root: Path, bot: Any
) -> None:
    run, path = clean_run(bot, "rich")
    run.events_log(
        "2026-11-30T09:00:10+0000 WARNING COMPLIANCE check=kyc detail=multi",
        "  line two of the same message",
        "2026-11-30T09:00:11+0000 ERROR TIMEOUT queue=bybit_spot duration=5.000s exception=Timeout streak=1",
    )
    status, message = result(judge(root, evidence=path), "guardrails.no_timeout")
    assert status is Status.FAIL and "events.log:3" in message
    run.events_log("not a log line at all")
    status, message = result(judge(root, evidence=path), "guardrails.no_timeout")
    assert status is Status.ERROR and "events.log:1: not a bot_core guardrail line" in message
