"""A repaired bot_core checkout adopted with `preflight init --adopt`: every static and trust check passes.

The fixtures mirror HEAD and bad092ec; ``repair`` removes exactly their true defects. Adoption writes
bot_core's own trust files (HMAC license and keys files, signed fingerprint file, headless secrets
file) with the keys given on stdin; the offline run then fails nothing, and what an offline test cannot
reach is an exception the report names, never a pass.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from preflight_tests_bot_core_fixtures import REVISIONS, copy_fixture, repair

PASSPHRASE = "correct horse battery staple"
PAPER_KEY, PAPER_SECRET = "PAPERKEYcanary1234", "PAPERSECRETcanary5678"
LIVE_KEY, LIVE_SECRET = "LIVEKEYcanary4321", "LIVESECRETcanary8765"
HANG_GUARD_S = 300  # a guard against hangs, not a speed expectation


def _env(home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "PREFLIGHT_BOT_CORE_SECRETS")
    }
    env.update(
        HOME=str(home),
        DUDZIAN_HOME=str(home / ".dudzian"),
        PREFLIGHT_BOT_CORE_PASSPHRASE=PASSPHRASE,
        NO_COLOR="1",
        COLUMNS="200",
    )
    return env


def _preflight(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "preflight", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=HANG_GUARD_S,
        check=False,
    )


@pytest.mark.parametrize("revision", REVISIONS)
def test_an_adopted_repaired_checkout_fails_nothing(tmp_path: Path, revision: str) -> None:
    root = repair(copy_fixture(tmp_path, revision))
    env = _env(tmp_path / "home")
    answers = f"{PAPER_KEY}\n{PAPER_SECRET}\n{LIVE_KEY}\n{LIVE_SECRET}\n"
    adopted = _preflight("init", str(root), "--adopt", env=env, stdin=answers)
    assert adopted.returncode == 0, adopted.stderr
    assert f"preflight run bybit_desktop_paper --root {root}" in adopted.stdout + adopted.stderr
    said = adopted.stdout.rstrip().splitlines()
    # bot_core's passphrase variables, not preflight's; no empty "runbook variables" line; the command once
    assert said[-2] == (
        "then check it (the passphrase comes from PREFLIGHT_BOT_CORE_PASSPHRASE or "
        "PREFLIGHT_BOT_CORE_PASSPHRASE_FILE):"
    )
    assert not any(line.startswith("runbook variables") for line in said)
    assert sum("preflight run bybit_desktop_paper" in line for line in said) == 1

    report_path = tmp_path / "report.json"
    run = _preflight(
        "run", "bybit_desktop_paper", "--root", str(root), "--no-paper", "--offline",
        "--format", "json", "-o", str(report_path), env=env,
    )  # fmt: skip
    report = json.loads(report_path.read_text(encoding="utf-8"))
    results = {r["id"]: r for r in report["results"]}
    bad = {i: r["message"] for i, r in results.items() if r["status"] in ("fail", "error")}
    assert bad == {}, run.stdout
    assert run.returncode == 0, run.stdout
    assert report["verdict"] == "GO WITH EXCEPTIONS"
    assert report["deployment_format"].startswith("format bot_core")
    for group in ("license.", "fingerprint.", "secrets."):
        assert any(i.startswith(group) and r["status"] == "pass" for i, r in results.items()), group
    for check in ("license.signature", "fingerprint.record_intact", "fingerprint.license_bound"):
        assert results[check]["status"] == "pass", results[check]["message"]
    assert results["secrets.paper_key.active"]["status"] == "pass"
    assert results["secrets.live_key.active"]["status"] == "pass"
    # an exception names why it is not a pass: the machine comparison and the offline probes
    excepted = {e["check"] for e in report["exceptions"]}
    assert "fingerprint.machine_current" in excepted
    assert "keys.clock_skew" in excepted
    for text in (adopted.stdout, adopted.stderr, run.stdout, run.stderr, report_path.read_text()):
        for secret in (PAPER_SECRET, LIVE_SECRET, PASSPHRASE, PAPER_KEY, LIVE_KEY):
            assert secret not in text
