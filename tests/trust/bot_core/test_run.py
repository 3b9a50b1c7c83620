"""`preflight run` on a bot_core checkout: passes when provisioned, fails for the right reason when broken,
and no output or report ever holds a credential, a passphrase or an HMAC key."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from preflight_tests_bot_core_root import (
    ENTRYPOINT,
    LIVE_KEY,
    LIVE_SECRET,
    PAPER_KEY,
    PAPER_SECRET,
    PASSPHRASE,
)

ONLY = ["--only", "license.", "--only", "core.license_policy", "--only", "fingerprint.", "--only", "secrets."]


def _run(root: Path, env: dict[str, str], report: Path) -> subprocess.CompletedProcess[str]:
    run_env = env | {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}", "NO_COLOR": "1"}
    return subprocess.run(
        ["preflight", "run", ENTRYPOINT, "--root", str(root), *ONLY, "--format", "json", "-o", str(report)],
        env=run_env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _statuses(report: Path) -> dict[str, str]:
    return {r["id"]: r["status"] for r in json.loads(report.read_text())["results"]}


def _hmac_keys(root: Path) -> list[str]:
    values = []
    for name in ("config/oem_license_keys.json", "config/oem_fingerprint_keys.json"):
        values += [v.removeprefix("hex:") for v in json.loads((root / name).read_text())["keys"].values()]
    return values


def _assert_nothing_secret(root: Path, *texts: str) -> None:
    canaries = [PAPER_KEY, PAPER_SECRET, LIVE_KEY, LIVE_SECRET, PASSPHRASE, *_hmac_keys(root)]
    for text in texts:
        for canary in canaries:
            assert canary not in text


def test_a_provisioned_checkout_passes_every_trust_check_it_can_judge(
    root: Path, env, tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    run = _run(root, env, report)
    assert run.returncode == 0, run.stdout + run.stderr
    statuses = _statuses(report)
    skipped = {
        "license.issuer_trusted",
        "license.exchange_entitled",
        "license.environments_entitled",
        "fingerprint.machine_current",
    }
    assert {c for c, s in statuses.items() if s == "skip"} == skipped
    assert all(s == "pass" for c, s in statuses.items() if c not in skipped), statuses
    assert "core.license_policy" in statuses and "secrets.live_key.active" in statuses
    _assert_nothing_secret(root, run.stdout, run.stderr, report.read_text())
    # no file of the checkout holds a credential or the passphrase (the keys files hold only HMAC keys)
    canaries = (PAPER_KEY, PAPER_SECRET, LIVE_KEY, LIVE_SECRET, PASSPHRASE)
    for path in root.rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", "replace")
            assert not any(c in text for c in canaries), path


def test_a_changed_license_and_a_wrong_passphrase_fail_for_their_own_reasons(
    root: Path, env, tmp_path: Path
) -> None:
    path = root / "var/licenses/active/license.json"
    path.write_text(path.read_text().replace('"profile": "desktop"', '"profile": "server"'))
    report = tmp_path / "report.json"
    run = _run(root, env | {"PREFLIGHT_BOT_CORE_PASSPHRASE": "wrong " + PASSPHRASE[::-1]}, report)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    results = {r["id"]: r for r in json.loads(report.read_text())["results"]}
    assert results["license.signature"]["status"] == "fail"
    assert "the HMAC does not match (changed after signing)" in results["license.signature"]["message"]
    assert results["license.profile_allowed"]["status"] == "fail"
    assert "wrong passphrase" in results["secrets.paper_key.active"]["message"]
    assert results["fingerprint.record_intact"]["status"] == "pass"  # the fingerprint file is untouched
    _assert_nothing_secret(root, run.stdout, run.stderr, report.read_text())
