"""Judging the bot's own paper run from its files: the folder's newest session, exports, events.log, flags."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from preflight.results import Status

EP = "bybit_desktop_paper"


def test_twelve_warnings_in_json_but_none_in_the_export_is_a_finding(
    root: Path, bot: Any, judge: Any, result: Any
) -> None:
    run = bot()
    run.registry.run()
    warnings = [f"[paper:{EP}] metric {n} not found in telemetry registry" for n in range(12)]
    path = run.report("rich", warnings=warnings, export_warnings=0)
    report = judge(root, evidence=path)
    status, message = result(report, "report.export_agrees_with_report")
    assert status is Status.FAIL
    assert "states 0 warning(s)" in message and "holds 12" in message and ":10)" in message  # the KPI line
    assert result(report, "report.markdown_export_clean")[0] is Status.PASS


def test_folder_picks_the_newest_paper_session_of_the_entrypoint(root: Path, bot: Any, judge: Any) -> None:
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


def test_events_log_throttles_and_timeouts_fail_their_checks(
    root: Path, bot: Any, judge: Any, result: Any, clean_run: Any
) -> None:
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


def test_a_missing_events_log_is_not_read_as_no_events(root: Path, bot: Any, judge: Any, result: Any) -> None:
    run = bot()
    run.registry.run()
    status, message = result(judge(root, evidence=run.report("rich")), "guardrails.no_throttle")
    assert status is Status.FAIL and "no events.log" in message


def test_a_broken_report_is_one_line_naming_the_file_and_line(
    root: Path, tmp_path: Path, judge: Any, result: Any
) -> None:
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
    clean_run: Any,
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
    assert not (root / "reports" / "paper").exists()  # the embedded session never ran


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
    root: Path, bot: Any, tmp_path: Path, judge: Any, result: Any, clean_run: Any
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


def test_retraining_events_log_is_never_taken_for_the_guardrail_log(
    root: Path, bot: Any, tmp_path: Path, judge: Any, result: Any, clean_run: Any
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
    root: Path, bot: Any, judge: Any, result: Any, clean_run: Any
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
