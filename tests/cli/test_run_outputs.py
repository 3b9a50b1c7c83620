"""Several outputs from one run, ``-o -``, GITHUB_STEP_SUMMARY and ``--baseline``."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from preflight.schemas import load_schema

from .conftest import Cli, line_of

Edit = Callable[[Path, str, str], None]
STATIC = ("--no-paper", "--offline", "--only", "runtime.", "--only", "io_queue.")
# The selection leaves required checks out: every output says GO WITH EXCEPTIONS, never a plain GO.
GWE = "GO WITH EXCEPTIONS ("


def _run(cli: Cli, deployment: Path, *args: str) -> tuple[int, str, str]:
    result = cli("run", "bybit_desktop_paper", "--root", str(deployment), *STATIC, *args)
    return result.code, result.out, result.err


def test_several_outputs_from_one_run(cli: Cli, deployment: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, stdout, _ = _run(
        cli,
        deployment,
        *("--format", "json", "-o", str(out / "r.json")),
        *("--format", "junit", "-o", str(out / "r.xml")),
        *("--format", "markdown", "-o", str(out / "r.md")),
        *("--format", "terminal", "-o", str(out / "r.txt")),
    )
    assert code == 0
    document = json.loads((out / "r.json").read_text(encoding="utf-8"))
    assert list(Draft202012Validator(load_schema("report")).iter_errors(document)) == []
    cases = ET.parse(out / "r.xml").getroot().findall("./testsuite/testcase")
    assert sorted(c.get("name") for c in cases) == sorted(r["id"] for r in document["results"])
    assert (out / "r.md").read_text(encoding="utf-8").startswith("## ⚠️ preflight: GO WITH EXCEPTIONS (")
    assert (out / "r.txt").read_text(encoding="utf-8").splitlines()[-1].startswith(GWE)
    assert stdout.splitlines()[-1].startswith(GWE)  # the terminal report is shown as well


def test_dash_sends_json_to_stdout_and_the_display_to_stderr(cli: Cli, deployment: Path) -> None:
    code, stdout, stderr = _run(cli, deployment, "--format", "json", "-o", "-")
    assert code == 0
    assert json.loads(stdout)["verdict"] == "GO WITH EXCEPTIONS"
    assert stderr.splitlines()[-1].startswith(GWE)


def test_format_without_output_goes_to_stdout(cli: Cli, deployment: Path) -> None:
    code, stdout, _ = _run(cli, deployment, "--quiet", "--format", "junit")
    assert code == 0
    assert ET.fromstring(stdout.encode("utf-8")).tag == "testsuites"


def test_quiet_prints_only_the_verdict_line(cli: Cli, deployment: Path) -> None:
    code, stdout, stderr = _run(cli, deployment, "--quiet")
    assert code == 0
    assert stdout.splitlines() == [line for line in stdout.splitlines() if line.startswith(GWE)]
    assert len(stdout.splitlines()) == 1
    assert stderr == ""


def test_step_summary_is_appended(
    cli: Cli, deployment: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit_file: Edit
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    edit_file(deployment / "config/runtime.yaml", "      max_concurrency: 3", "      max_concurrency: 4")
    code, _, _ = _run(cli, deployment)
    assert code == 1
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# earlier step\n## ❌ preflight: NO-GO")
    assert "`io_queue.max_concurrency`" in text
    assert f"config/runtime.yaml:{line_of(deployment / 'config/runtime.yaml', 'max_concurrency: 4')}" in text


def test_step_summary_keeps_earlier_bytes_and_never_invents_a_folder(
    cli: Cli, deployment: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_bytes(b"caf\xe9 (latin-1 from an earlier step)")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert _run(cli, deployment)[0] == 0
    text = summary.read_bytes()
    assert text.startswith(b"caf\xe9 (latin-1 from an earlier step)\n## ")
    assert b"preflight: GO" in text
    missing = tmp_path / "gone" / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(missing))
    code, _, stderr = _run(cli, deployment)
    assert code == 2
    assert "GITHUB_STEP_SUMMARY" in stderr and str(missing) in stderr
    assert not missing.parent.exists()


def test_baseline_shows_new_failures_in_every_output(
    cli: Cli, deployment: Path, tmp_path: Path, edit_file: Edit
) -> None:
    baseline = tmp_path / "baseline.json"
    assert _run(cli, deployment, "--format", "json", "-o", str(baseline))[0] == 0
    edit_file(deployment / "config/runtime.yaml", "      burst: 6", "      burst: 7")
    code, stdout, _ = _run(
        cli,
        deployment,
        *("--baseline", str(baseline), "--skip", "io_queue.refs."),
        *("--format", "json", "-o", str(tmp_path / "now.json")),
        *("--format", "markdown", "-o", str(tmp_path / "now.md")),
    )
    assert code == 1
    assert "new failures (1)" in stdout
    assert "io_queue.burst: pass -> fail" in stdout
    assert "removed checks (1)" in stdout
    changes = json.loads((tmp_path / "now.json").read_text(encoding="utf-8"))["baseline"]["changes"]
    assert {(c["id"], c["change"]) for c in changes} == {
        ("io_queue.burst", "new_failure"),
        ("io_queue.refs.queue_defined", "removed_check"),
    }
    assert "**New failures (1)**" in (tmp_path / "now.md").read_text(encoding="utf-8")


def test_baseline_that_is_not_a_report_is_a_usage_error(cli: Cli, deployment: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"verdict": "GO"}', encoding="utf-8")
    code, _, stderr = _run(cli, deployment, "--baseline", str(bad))
    assert code == 2
    assert "not a preflight JSON report" in stderr


def test_fail_on_warn_is_recorded_in_the_report(cli: Cli, deployment: Path) -> None:
    code, stdout, _ = _run(cli, deployment, "--fail-on", "warn", "--quiet", "--format", "json")
    assert code == 0
    assert json.loads(stdout)["fail_on"] == "warn"


@pytest.mark.parametrize(("fail_on", "expected"), [("fail", 0), ("warn", 1)])
def test_a_warning_is_no_go_only_under_fail_on_warn(
    cli: Cli, deployment: Path, monkeypatch: pytest.MonkeyPatch, fail_on: str, expected: int
) -> None:
    from dataclasses import replace

    from preflight import engine
    from preflight.results import CheckResult, Status

    real_run_one = engine.run_one

    def warn_on_burst(spec: object, ctx: object) -> CheckResult:
        result = real_run_one(spec, ctx)  # type: ignore[arg-type]
        if result.check_id == "io_queue.burst":
            return replace(result, status=Status.WARN, message="burst is at the edge")
        return result

    monkeypatch.setattr(engine, "run_one", warn_on_burst)
    code, stdout, _ = _run(cli, deployment, "--fail-on", fail_on)
    assert code == expected
    assert "! WARN   io_queue.burst" in stdout


def test_an_unwritable_output_exits_2_after_showing_the_report(
    cli: Cli, deployment: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    code, stdout, stderr = _run(cli, deployment, "--format", "json", "-o", str(blocker / "r.json"))
    assert code == 2
    assert f"cannot write {blocker / 'r.json'}" in stderr
    assert stdout.splitlines()[-1].startswith(GWE)


def test_baseline_of_another_entrypoint_is_a_usage_error(cli: Cli, deployment: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    assert _run(cli, deployment, "--format", "json", "-o", str(baseline))[0] == 0
    document = json.loads(baseline.read_text(encoding="utf-8"))
    baseline.write_text(json.dumps({**document, "entrypoint": "bybit_desktop_live"}), encoding="utf-8")
    code, _, stderr = _run(cli, deployment, "--baseline", str(baseline))
    assert code == 2
    assert "is a report of bybit_desktop_live (bybit_go_live), not of bybit_desktop_paper" in stderr
