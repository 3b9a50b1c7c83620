"""Signature edge cases bot_core would let through or stop on: empty keys, schema, version, short keys."""

from __future__ import annotations

import json
from pathlib import Path

from preflight_tests_bot_core_root import reissue

from preflight.results import Status
from preflight.trust.bot_core.hmac_keys import sign

FINGERPRINT = "var/licenses/active/fingerprint.json"
FINGERPRINT_KEYS = "config/oem_fingerprint_keys.json"


def test_an_empty_keys_file_is_a_failure_not_bot_cores_silent_skip(root: Path, env, run_trust) -> None:
    (root / "config/oem_license_keys.json").write_text('{"keys": {}}')
    result = run_trust(root, env)["license.signature"]
    assert result.status is Status.FAIL
    assert "holds no keys: bot_core then skips the license signature with only a warning" in result.message


def test_schema_and_schema_version_are_bot_cores(root: Path, env, run_trust) -> None:
    reissue(root, schema="CORE.OEM.LICENSE")
    assert run_trust(root, env)["license.signature"].status is Status.PASS  # compared case-insensitively
    reissue(root, schema="core.oem.other")
    result = run_trust(root, env)["license.signature"]
    assert result.status is Status.FAIL and "bot_core requires 'core.oem.license'" in result.message
    reissue(root, schema="core.oem.license", schema_version="2.0")
    result = run_trust(root, env)["license.signature"]
    assert (
        result.status is Status.FAIL
        and "schema_version '2.0' is not one bot_core accepts (1.0)" in result.message
    )


def _resign_fingerprint(root: Path, payload: dict[str, object], key: bytes, key_id: str = "fp-short") -> None:
    document = {"payload": payload, "signature": sign(payload, key, key_id, "HMAC-SHA384")}
    (root / FINGERPRINT).write_text(json.dumps(document))
    (root / FINGERPRINT_KEYS).write_text(json.dumps({"keys": {key_id: "hex:" + key.hex()}}))


def test_a_fingerprint_key_under_32_bytes_warns(root: Path, env, run_trust) -> None:
    payload = json.loads((root / FINGERPRINT).read_text())["payload"]
    _resign_fingerprint(root, payload, b"sixteen byte key")
    result = run_trust(root, env)["fingerprint.record_intact"]
    assert result.status is Status.WARN and "shorter than 32 bytes" in result.message


def test_a_fingerprint_that_is_not_the_hash_of_its_factors_warns(root: Path, env, run_trust) -> None:
    payload = json.loads((root / FINGERPRINT).read_text())["payload"]
    payload["factors"] = {"hostname": "another-machine"}
    _resign_fingerprint(root, payload, bytes(range(32)))
    result = run_trust(root, env)["fingerprint.record_intact"]
    assert result.status is Status.WARN and "not the SHA-384 of its recorded factors" in result.message


def test_an_unknown_algorithm_never_verifies(root: Path, env, run_trust) -> None:
    path = root / "var/licenses/active/license.json"
    document = json.loads(path.read_text())
    document["signature"]["algorithm"] = "HMAC-SHA1"
    path.write_text(json.dumps(document))
    result = run_trust(root, env)["license.signature"]
    assert result.status is Status.FAIL and "'HMAC-SHA1' is not HMAC-SHA256/HMAC-SHA384" in result.message


def test_a_license_block_without_fingerprint_keys_leaves_the_file_unverified(
    root: Path, env, run_trust
) -> None:
    core = (
        (root / "config/core.yaml")
        .read_text()
        .replace("  fingerprint_keys_path: config/oem_fingerprint_keys.json\n", "")
    )
    (root / "config/core.yaml").write_text(core)
    results = run_trust(root, env)
    assert "license.fingerprint_keys_path is not set" in results["fingerprint.record_intact"].message
    assert "license.fingerprint_keys_path is not set" in results["license.signature"].message
