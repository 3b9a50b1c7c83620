"""Every single-byte change of a bot_core license or fingerprint file is detected (never a pass)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from preflight.errors import InputError
from preflight.results import Status
from preflight.trust.bot_core.fingerprint import load_document, write_document
from preflight.trust.bot_core.hmac_keys import HmacKeyring
from preflight.trust.bot_core.judge_fingerprint import judge_record
from preflight.trust.bot_core.judge_license import judge_signature
from preflight.trust.bot_core.license import load_license, new_payload, write_license
from preflight.trust.bot_core.policy import read_policy
from preflight.yamlio import parse_yaml

NOW = datetime(2026, 1, 2, tzinfo=UTC)
KEY = bytes(range(40))
POLICY = read_policy(
    parse_yaml("license: {license_keys_path: k.json, fingerprint_keys_path: f.json}\n", "config/core.yaml"),
    "license",
    "core",
)


def _mutations(data: bytes) -> list[bytes]:
    """Every copy of ``data`` with one byte changed (XOR 0x01: never a case flip, never a no-op)."""
    return [data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :] for i in range(len(data))]


def test_every_byte_of_a_license_is_covered(tmp_path: Path) -> None:
    path = tmp_path / "license.json"
    payload = new_payload(
        issuer="dudzian", licensee="Desk", profile="desktop", days=90, fingerprint="AAAA-BBBB", now=NOW
    )
    write_license(path, payload, KEY, "lic-1")
    keyring = HmacKeyring("keys.json", {"lic-1": KEY})
    assert judge_signature(load_license(path, "license.json"), keyring, POLICY).status is Status.PASS
    original = path.read_bytes()
    undetected = []
    for index, mutated in enumerate(_mutations(original)):
        path.write_bytes(mutated)
        try:
            outcome = judge_signature(load_license(path, "license.json"), keyring, POLICY)
        except InputError as error:
            assert "\n" not in str(error) and "license.json" in str(error)
            continue
        if outcome.status is Status.PASS:
            undetected.append(index)
    assert undetected == [], [chr(original[i]) for i in undetected]


def test_every_byte_of_a_fingerprint_file_is_covered(tmp_path: Path) -> None:
    path = tmp_path / "fingerprint.json"
    write_document(
        path,
        {"hostname": "desk", "mac_addresses": ["0a0b0c0d0e0f"], "os": {"system": "Linux"}},
        KEY,
        "fp-1",
        NOW,
    )
    keyring = HmacKeyring("fp.json", {"fp-1": KEY})
    assert judge_record(load_document(path, "fingerprint.json"), keyring).status is Status.PASS
    original = path.read_bytes()
    undetected = []
    for index, mutated in enumerate(_mutations(original)):
        path.write_bytes(mutated)
        try:
            outcome = judge_record(load_document(path, "fingerprint.json"), keyring)
        except InputError as error:
            assert "\n" not in str(error) and "fingerprint.json" in str(error)
            continue
        if outcome.status is Status.PASS:
            undetected.append(index)
    assert undetected == [], [chr(original[i]) for i in undetected]
