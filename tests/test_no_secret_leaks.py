"""No command ever shows or writes secret material: the api secret, the full api key, or the passphrase.

A demo deployment gets keys with known canary values (stored through `preflight secrets set`, i.e. from
stdin); then the demo, a full run with every report format, the paper session, a sign-off and the trust
commands run as real subprocesses. Their stdout and stderr, and every file under the deployment except the
encrypted store itself, must hold none of the canaries.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

PAPER_KEY, PAPER_SECRET = "CANARYPAPERKEY7Q2WX9", "canary-paper-secret-3f9a1c77e2b4d5"
LIVE_KEY, LIVE_SECRET = "CANARYLIVEKEY4M8ZR1", "canary-live-secret-9b2e6d0a4c1f88"
ENTRYPOINT = "bybit_desktop_paper"


def preflight(*args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed ``preflight`` command."""
    return subprocess.run(
        ["preflight", *args], input=stdin, capture_output=True, text=True, env=env, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def transcript(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, str, list[subprocess.CompletedProcess[str]]]:
    """Provision, plant the canaries, run every command; return the root, the passphrase and the outputs."""
    root = tmp_path_factory.mktemp("leaks") / "deployment"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFLIGHT_")} | {"NO_COLOR": "1"}
    runs = [preflight("demo", "--dir", str(root), env=env)]
    assert runs[0].returncode in (0, 1), (
        runs[0].stdout + runs[0].stderr
    )  # GO/NO-GO is not this test's subject
    # From here on the passphrase comes from the environment, so no file legitimately holds it.
    passphrase_file = root / "var/secrets/passphrase"
    passphrase = passphrase_file.read_text().strip()
    passphrase_file.unlink()
    env["PREFLIGHT_SECRETS_PASSPHRASE"] = passphrase
    at = ["--root", str(root)]
    for name, environment, key, secret, uid in [
        ("bybit_paper_trading", "bybit_paper", PAPER_KEY, PAPER_SECRET, "12345678"),
        ("bybit_live_trading", "bybit_live", LIVE_KEY, LIVE_SECRET, "53219870"),
    ]:
        stored = preflight(
            "secrets",
            "set",
            name,
            "--exchange",
            "bybit",
            "--environment",
            environment,
            "--permission",
            "Spot.SpotTrade",
            "--account-uid",
            uid,
            *at,
            env=env,
            stdin=f"{key}\n{secret}\n",
        )
        runs.append(stored)
        assert stored.returncode == 0, stored.stderr
    reports = root / "reports"
    run = preflight(
        "run",
        ENTRYPOINT,
        *at,
        "--format",
        "json",
        "-o",
        str(reports / "run.json"),
        "--format",
        "junit",
        "-o",
        str(reports / "run.xml"),
        "--format",
        "markdown",
        "-o",
        str(reports / "run.md"),
        env=env,
    )
    assert run.returncode in (0, 1), run.stdout + run.stderr
    runs += [
        run,
        preflight("run", ENTRYPOINT, *at, "--debug", "--only", "secrets.", "--only", "keys.", env=env),
        preflight("paper", ENTRYPOINT, *at, env=env),
        preflight(
            "signoff", ENTRYPOINT, "--operator", "Leak Test", *at, "-o", str(reports / "signoff.md"), env=env
        ),
        preflight("secrets", "list", *at, env=env),
        preflight("license", "show", *at, env=env),
        preflight("license", "verify", *at, env=env),
        preflight("fingerprint", "show", *at, env=env),
        preflight("secrets", "list", *at, env={**env, "PREFLIGHT_SECRETS_PASSPHRASE": passphrase + "x"}),
    ]
    return root, passphrase, runs


def canaries(passphrase: str) -> dict[str, str]:
    """Return every value that must never be shown, by label."""
    return {
        "paper api secret": PAPER_SECRET,
        "live api secret": LIVE_SECRET,
        "paper api key": PAPER_KEY,
        "live api key": LIVE_KEY,
        "passphrase": passphrase,
    }


def test_every_command_ran(transcript: tuple[Path, str, list[subprocess.CompletedProcess[str]]]) -> None:
    root, _, runs = transcript
    for done in runs[:-1]:
        # 0 or 1 (GO / NO-GO); a usage error (2) or a crash (3) would mean a command was not exercised
        assert done.returncode in (0, 1), (done.args, done.stdout[-2000:], done.stderr[-2000:])
    assert runs[-1].returncode == 1  # the wrong passphrase
    report = json.loads((root / "reports/run.json").read_text())
    statuses = {r["id"]: r["status"] for r in report["results"]}
    # The canary keys were really used: stored, decrypted, probed on the (simulated) exchange, traded.
    trust = {cid: st for cid, st in statuses.items() if cid.startswith(("secrets.", "keys.live_key."))}
    assert trust and set(trust.values()) == {"pass"}, trust
    assert list((root / "reports/paper").glob("*.json")), "the paper session wrote no report"


def test_no_output_holds_a_secret(
    transcript: tuple[Path, str, list[subprocess.CompletedProcess[str]]],
) -> None:
    _, passphrase, runs = transcript
    leaks = [
        f"{label} in {stream} of {' '.join(done.args[1:3])}"
        for done in runs
        for stream, text in (("stdout", done.stdout), ("stderr", done.stderr))
        for label, value in canaries(passphrase).items()
        if value in text
    ]
    assert leaks == []


def test_no_file_under_the_deployment_holds_a_secret(
    transcript: tuple[Path, str, list[subprocess.CompletedProcess[str]]],
) -> None:
    root, passphrase, _ = transcript
    store = root / "var/secrets/keychain.enc"
    files = [p for p in root.rglob("*") if p.is_file() and p != store]
    assert len(files) > 8  # config, license, fingerprint, reports, logs, metrics were all written
    leaks = [
        f"{label} in {path.relative_to(root)}"
        for path in files
        for label, value in canaries(passphrase).items()
        if value.encode() in path.read_bytes()
    ]
    assert leaks == []


def test_the_masked_key_is_what_operators_see(
    transcript: tuple[Path, str, list[subprocess.CompletedProcess[str]]],
) -> None:
    _, _, runs = transcript
    listed = next(done for done in runs if done.args[1:3] == ["secrets", "list"])
    assert f"key ****{PAPER_KEY[-4:]}" in listed.stdout and f"key ****{LIVE_KEY[-4:]}" in listed.stdout
