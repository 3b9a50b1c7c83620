"""The license, fingerprint and secrets commands as an operator runs them (subprocesses, real exit codes)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from preflight.trust.demo import trust_issuer_in_core


@pytest.fixture
def env(factors_file: Path) -> dict[str, str]:
    """The subprocess environment: no PREFLIGHT_* of the caller, the injected factors, no colour."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PREFLIGHT_")}
    return {**clean, "PREFLIGHT_FINGERPRINT_FACTORS": str(factors_file), "NO_COLOR": "1"}


def preflight(*args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed ``preflight`` command."""
    return subprocess.run(
        ["preflight", *args], input=stdin, capture_output=True, text=True, env=env, timeout=60, check=False
    )


def test_keygen_issue_verify_and_a_tampered_license(
    demo_root: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    key = tmp_path / "issuer.pem"
    made = preflight("license", "keygen", "-o", str(key), env=env)
    assert made.returncode == 0 and stat.S_IMODE(key.stat().st_mode) == 0o600
    trust_issuer_in_core(demo_root, "dudzian-2", "dudzian", made.stdout.strip())
    target = demo_root / "var/licenses/active/license.json"
    issued = preflight(
        "license",
        "issue",
        "--issuer-key",
        str(key),
        "--key-id",
        "dudzian-2",
        "--issuer",
        "dudzian",
        "--licensee",
        "Desk",
        "--profile",
        "desktop",
        "--exchange",
        "bybit",
        "--environment",
        "paper",
        "--environment",
        "live",
        "--days",
        "90",
        "--fingerprint",
        "current",
        "-o",
        str(target),
        env=env,
    )
    assert issued.returncode == 0, issued.stderr
    verified = preflight("license", "verify", "--root", str(demo_root), env=env)
    assert verified.returncode == 0 and "dudzian-2" in verified.stdout, verified.stdout
    shown = preflight("license", "show", "--root", str(demo_root), env=env)
    assert "Desk" in shown.stdout and "paper, live" in shown.stdout
    target.write_text(target.read_text().replace('"Desk"', '"Dusk"'))
    tampered = preflight("license", "verify", "--root", str(demo_root), env=env)
    assert tampered.returncode == 1 and "INVALID" in tampered.stdout


def test_keygen_refuses_to_overwrite_a_key(tmp_path: Path, env: dict[str, str]) -> None:
    key = tmp_path / "k.pem"
    key.write_text("keep me")
    result = preflight("license", "keygen", "-o", str(key), env=env)
    assert result.returncode == 2 and key.read_text() == "keep me"


def test_secrets_set_from_stdin_list_masked_and_status_changes(demo_root: Path, env: dict[str, str]) -> None:
    root = ["--root", str(demo_root)]
    api_key, secret = "NEWKEY0123456789ABCD", "new-secret-value-0123456789"
    stored = preflight(
        "secrets",
        "set",
        "bybit_extra",
        "--exchange",
        "bybit",
        "--environment",
        "bybit_paper",
        "--permission",
        "Spot.SpotTrade",
        *root,
        env=env,
        stdin=f"{api_key}\n{secret}\n",
    )
    assert stored.returncode == 0, stored.stderr
    listed = preflight("secrets", "list", *root, env=env)
    assert "bybit_extra" in listed.stdout and "****ABCD" in listed.stdout
    assert api_key not in listed.stdout + stored.stdout and secret not in listed.stdout + stored.stdout
    assert preflight("secrets", "disable", "bybit_extra", *root, env=env).returncode == 0
    assert (
        "disabled"
        in preflight("secrets", "list", *root, env=env).stdout.split("bybit_extra")[1].splitlines()[0]
    )
    assert preflight("secrets", "remove", "bybit_extra", *root, env=env).returncode == 0
    assert "bybit_extra" not in preflight("secrets", "list", *root, env=env).stdout
    assert stat.S_IMODE((demo_root / "var/secrets/keychain.enc").stat().st_mode) == 0o600


def test_a_wrong_passphrase_is_one_line_without_traceback(demo_root: Path, env: dict[str, str]) -> None:
    wrong = {**env, "PREFLIGHT_SECRETS_PASSPHRASE": "wrong"}
    listed = preflight("secrets", "list", "--root", str(demo_root), env=wrong)
    assert listed.returncode == 1
    assert (
        listed.stderr
        == "preflight: cannot decrypt var/secrets/keychain.enc: wrong passphrase or corrupted store\n"
    )
    run = preflight("run", "bybit_desktop_paper", "--root", str(demo_root), "--only", "secrets.", env=wrong)
    assert run.returncode == 1 and "Traceback" not in run.stdout + run.stderr
    assert "wrong passphrase or corrupted store" in run.stdout


def test_no_passphrase_without_a_terminal_is_one_sentence(demo_root: Path, env: dict[str, str]) -> None:
    (demo_root / "var/secrets/passphrase").unlink()
    listed = preflight("secrets", "list", "--root", str(demo_root), env=env, stdin="")
    assert listed.returncode == 1 and listed.stderr.count("\n") == 1
    assert "set PREFLIGHT_SECRETS_PASSPHRASE" in listed.stderr


def test_a_garbage_store_is_one_sentence(demo_root: Path, env: dict[str, str]) -> None:
    (demo_root / "var/secrets/keychain.enc").write_bytes(b"garbage")
    listed = preflight("secrets", "list", "--root", str(demo_root), env=env)
    assert listed.returncode == 1 and listed.stderr.count("\n") == 1 and "Traceback" not in listed.stderr
    assert "not a preflight secrets store or truncated" in listed.stderr


def test_fingerprint_show_and_refresh_after_a_hardware_change(
    demo_root: Path, env: dict[str, str], tmp_path: Path
) -> None:
    root = ["--root", str(demo_root)]
    shown = preflight("fingerprint", "show", *root, env=env)
    assert "recorded  matches" in shown.stdout and "nic:eth0" in shown.stdout
    changed = tmp_path / "new.json"
    factors = json.loads(Path(env["PREFLIGHT_FINGERPRINT_FACTORS"]).read_text())
    changed.write_text(json.dumps({**factors, "cpu_model": "Bigger CPU"}))
    moved = {**env, "PREFLIGHT_FINGERPRINT_FACTORS": str(changed)}
    assert "changed: cpu_model" in preflight("fingerprint", "show", *root, env=moved).stdout
    refreshed = preflight("fingerprint", "refresh", *root, env=moved)
    assert refreshed.returncode == 0 and "get it reissued" in refreshed.stdout
    record = json.loads((demo_root / "var/licenses/active/fingerprint.json").read_text())
    assert record["value"] in refreshed.stdout and set(record["factors"]) == {
        "machine_id",
        "cpu_model",
        "nic:eth0",
    }
