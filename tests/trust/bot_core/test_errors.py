"""Wrong key id, wrong passphrase, garbage and truncated files: one clear line naming the file and the fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from preflight.results import Status

LICENSE = "var/licenses/active/license.json"
FINGERPRINT = "var/licenses/active/fingerprint.json"
LICENSE_KEYS = "config/oem_license_keys.json"
FINGERPRINT_KEYS = "config/oem_fingerprint_keys.json"


def _secrets(env: dict[str, str]) -> Path:
    return Path(env["DUDZIAN_HOME"]) / "secrets.age"


def _assert_one_clear_line(message: str, *words: str) -> None:
    assert "\n" not in message and "Traceback" not in message
    assert ";" in message, message  # the sentence goes on to say what to do
    for word in words:
        assert word in message, message


def test_a_license_signed_by_an_unknown_key_id_names_the_keys_file(
    root: Path, env: dict[str, str], run_trust
) -> None:
    keys = json.loads((root / LICENSE_KEYS).read_text())
    keys["keys"] = {"someone-else": next(iter(keys["keys"].values()))}
    (root / LICENSE_KEYS).write_text(json.dumps(keys))
    result = run_trust(root, env)["license.signature"]
    assert result.status is Status.FAIL
    _assert_one_clear_line(result.message, LICENSE_KEYS, "someone-else", "restore the license")


def test_a_wrong_passphrase_names_the_store_and_the_passphrase_source(
    root: Path, env: dict[str, str], run_trust
) -> None:
    results = run_trust(root, env | {"PREFLIGHT_BOT_CORE_PASSPHRASE": "not the passphrase"})
    for check in ("secrets.paper_key.active", "secrets.live_key.active"):
        assert results[check].status is Status.FAIL
        _assert_one_clear_line(
            results[check].message, str(_secrets(env)), "wrong passphrase", "PREFLIGHT_BOT_CORE_PASSPHRASE"
        )


def test_no_passphrase_names_both_sources(root: Path, env: dict[str, str], run_trust) -> None:
    run_env = {k: v for k, v in env.items() if k != "PREFLIGHT_BOT_CORE_PASSPHRASE"}
    result = run_trust(root, run_env)["secrets.paper_key.active"]
    assert result.status is Status.FAIL
    _assert_one_clear_line(
        result.message, "PREFLIGHT_BOT_CORE_PASSPHRASE", "PREFLIGHT_BOT_CORE_PASSPHRASE_FILE"
    )


def test_the_passphrase_file_is_read(root: Path, env: dict[str, str], run_trust, tmp_path: Path) -> None:
    passphrase_file = tmp_path / "passphrase"
    passphrase_file.write_text(env["PREFLIGHT_BOT_CORE_PASSPHRASE"] + "\n")
    run_env = {k: v for k, v in env.items() if k != "PREFLIGHT_BOT_CORE_PASSPHRASE"}
    result = run_trust(root, run_env | {"PREFLIGHT_BOT_CORE_PASSPHRASE_FILE": str(passphrase_file)})
    assert result["secrets.paper_key.active"].status is Status.PASS


GARBAGE = b"\x00\xff garbage, not JSON"


@pytest.mark.parametrize(
    ("target", "checks", "damage"),
    [
        (LICENSE, ("license.signature", "license.not_expired", "fingerprint.license_bound"), "garbage"),
        (LICENSE, ("license.signature", "license.profile_allowed"), "truncated"),
        (FINGERPRINT, ("fingerprint.record_intact", "fingerprint.license_bound"), "garbage"),
        (FINGERPRINT, ("fingerprint.record_intact",), "truncated"),
        (LICENSE_KEYS, ("license.signature",), "garbage"),
        (FINGERPRINT_KEYS, ("fingerprint.record_intact",), "truncated"),
        ("secrets", ("secrets.paper_key.active", "secrets.live_key.active"), "garbage"),
        ("secrets", ("secrets.paper_key.active",), "truncated"),
    ],
)
def test_garbage_and_truncated_files_fail_in_one_line_naming_the_file(
    root: Path, env: dict[str, str], run_trust, target: str, checks: tuple[str, ...], damage: str
) -> None:
    path = _secrets(env) if target == "secrets" else root / target
    data = path.read_bytes()
    path.write_bytes(GARBAGE if damage == "garbage" else data[: len(data) // 2])
    results = run_trust(root, env)
    shown = str(path) if target == "secrets" else target
    for check in checks:
        assert results[check].status is Status.FAIL, (check, results[check].message)
        _assert_one_clear_line(results[check].message, shown)
