"""One verdict vocabulary in every output: GO, GO WITH EXCEPTIONS (listed alike everywhere), NO-GO."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from preflight.reporters.json_report import parse_report
from preflight.reporters.layout import exception_lines

from .conftest import Cli

LIVE_KEY_CHECKS = {
    "keys.live_key.known",
    "keys.live_key.production_account",
    "keys.live_key.can_trade",
    "keys.live_key.no_withdraw",
    "keys.live_key.ip_bound",
    "keys.live_key.not_expiring",
}
KEYS_ONLY = ("--only", "keys.", "--no-paper")


def _run(cli: Cli, deployment: Path, *args: str) -> tuple[int, str, str]:
    result = cli("run", "bybit_desktop_paper", "--root", str(deployment), *args)
    return result.code, result.out, result.err


def test_the_sample_is_go_with_exceptions_naming_the_simulated_key_checks_in_every_output(
    cli: Cli, deployment: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    out = tmp_path / "out"
    formats = {"json": "r.json", "junit": "r.xml", "markdown": "r.md", "terminal": "r.txt"}
    args = [arg for fmt, name in formats.items() for arg in ("--format", fmt, "-o", str(out / name))]
    code, stdout, stderr = _run(cli, deployment, *args)
    assert code == 0, stdout + stderr  # GO WITH EXCEPTIONS passes the default gate
    document = json.loads((out / "r.json").read_text(encoding="utf-8"))
    assert document["verdict"] == "GO WITH EXCEPTIONS"
    simulated = {e["check"] for e in document["exceptions"] if e["kind"] == "simulated"}
    assert simulated >= LIVE_KEY_CHECKS
    assert {r["id"] for r in document["results"] if r["simulated"]} == simulated
    # Every output words the exceptions as layout.exception_lines does (identical checks grouped).
    lines = list(exception_lines(parse_report((out / "r.json").read_text(encoding="utf-8"))))
    assert any(line.startswith("simulated (7 checks: keys.live_key.known") for line in lines)
    terminal = (out / "r.txt").read_text(encoding="utf-8")
    markdown = (out / "r.md").read_text(encoding="utf-8")
    junit = ET.parse(out / "r.xml").getroot()
    junit_lines = [p.get("value") for p in junit.iter("property") if p.get("name") == "exception"]
    assert junit_lines[: len(lines)] == lines
    for text in (terminal, stdout, markdown, summary.read_text(encoding="utf-8")):
        for line in lines:
            assert " ".join(line.split()) in " ".join(text.split())
    # The verdict is first and last in the terminal report, and heads the Markdown.
    for text in (terminal, stdout):
        assert text.splitlines()[0].startswith("GO WITH EXCEPTIONS (")
        assert text.rstrip().splitlines()[-1].startswith("GO WITH EXCEPTIONS (")
    assert markdown.startswith("## ⚠️ preflight: GO WITH EXCEPTIONS (")
    # The sign-off of the same run: the same verdict word and the same exception lines.
    signed = cli(
        "signoff", "bybit_desktop_paper", "--operator", "tester", "--from-report", str(out / "r.json"),
        "-o", str(out / "signoff.md"),
    )  # fmt: skip
    assert signed.code == 0, signed.err
    signoff = (out / "signoff.md").read_text(encoding="utf-8")
    assert "## Verdict: GO WITH EXCEPTIONS" in signoff
    assert "**Verdict: GO WITH EXCEPTIONS: 7 simulated, 3 skipped**" in signoff
    assert all(line in signoff for line in lines)
    assert "— **simulated**" in signoff  # the api_keys item is not ticked: its probes were simulated


def test_offline_names_the_skipped_key_checks_and_fail_on_warn_does_not_make_it_go(
    cli: Cli, deployment: Path
) -> None:
    code, stdout, _ = _run(cli, deployment, *KEYS_ONLY, "--offline", "--fail-on", "warn", "--format", "json")
    assert code == 0
    document = json.loads(stdout)
    assert document["verdict"] == "GO WITH EXCEPTIONS"
    offline = {e["check"] for e in document["exceptions"] if e["kind"] == "offline"}
    assert offline >= LIVE_KEY_CHECKS | {"keys.clock_skew"}
    assert all(r["offline"] for r in document["results"] if r["id"] in offline)


@pytest.mark.parametrize("offline", [False, True])
def test_require_real_turns_every_exception_into_no_go(cli: Cli, deployment: Path, offline: bool) -> None:
    extra = ("--offline",) if offline else ()
    code, stdout, _ = _run(cli, deployment, *KEYS_ONLY, *extra, "--require-real", "--quiet")
    assert code == 1
    kind = "offline" if offline else "simulated"
    assert stdout.startswith("NO-GO (--require-real: ") and f" {kind}" in stdout
    assert "require real" in " ".join(stdout.split())


def test_the_environment_default_of_require_real(
    cli: Cli, deployment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PREFLIGHT_REQUIRE_REAL", "1")
    assert _run(cli, deployment, *KEYS_ONLY, "--quiet")[0] == 1
    monkeypatch.setenv("PREFLIGHT_REQUIRE_REAL", "0")
    assert _run(cli, deployment, *KEYS_ONLY, "--quiet")[0] == 0
    monkeypatch.setenv("PREFLIGHT_REQUIRE_REAL", "maybe")
    code, _, stderr = _run(cli, deployment, *KEYS_ONLY, "--quiet")
    assert code == 2 and "PREFLIGHT_REQUIRE_REAL='maybe'" in stderr


def test_fail_on_exceptions_exits_4_on_go_with_exceptions(cli: Cli, deployment: Path) -> None:
    code, stdout, _ = _run(cli, deployment, *KEYS_ONLY, "--fail-on", "exceptions", "--quiet")
    assert code == 4
    assert stdout.startswith("GO WITH EXCEPTIONS (")


def test_an_unknown_fail_on_names_every_policy(cli: Cli, deployment: Path) -> None:
    code, _, stderr = _run(cli, deployment, *KEYS_ONLY, "--fail-on", "never")
    assert code == 2 and "choose one of: fail, warn, exceptions" in stderr
