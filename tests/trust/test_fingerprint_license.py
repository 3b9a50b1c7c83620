"""Fingerprint factors (stable ones only) and license loading, signing and canonical JSON."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from preflight.errors import FingerprintError, LicenseError
from preflight.trust.canonical import canonical_json
from preflight.trust.fingerprint import (
    compare,
    fingerprint_from_factors,
    hash_factor,
    provider_from_env,
    system_factors,
)
from preflight.trust.issuer_keys import generate_key_pair, private_key_from_pem, verify_signature
from preflight.trust.license import load_license, new_payload, sign_payload, write_license


def fake_machine(root: Path, *, hostname: str = "desk-1", mac: str = "02:aa:bb:cc:dd:01") -> Path:
    """Lay out a fake /etc, /proc and /sys under ``root`` with one physical and three virtual NICs."""
    (root / "etc").mkdir(parents=True, exist_ok=True)
    (root / "etc/machine-id").write_text("abc123\n")
    (root / "etc/hostname").write_text(hostname)
    (root / "proc").mkdir(exist_ok=True)
    (root / "proc/cpuinfo").write_text("processor\t: 0\nmodel name\t: Test CPU @ 3GHz\n")
    (root / "proc/version").write_text("Linux version 6.1.0\n")
    for name, address, physical in [
        ("eth0", mac, True),
        ("lo", "00:00:00:00:00:00", False),
        ("docker0", "02:42:00:00:00:01", False),
        ("veth1", "ee:ee:ee:00:00:01", False),
    ]:
        nic = root / "sys/class/net" / name
        nic.mkdir(parents=True, exist_ok=True)
        (nic / "address").write_text(address + "\n")
        if physical:
            (nic / "device").mkdir(exist_ok=True)
    return root


def test_only_stable_factors_are_read(tmp_path: Path) -> None:
    factors = system_factors(fake_machine(tmp_path))
    assert factors == {
        "machine_id": "abc123",
        "cpu_model": "Test CPU @ 3GHz",
        "nic:eth0": "02:aa:bb:cc:dd:01",
    }


def test_hostname_and_virtual_nics_do_not_change_the_fingerprint(tmp_path: Path) -> None:
    before = fingerprint_from_factors(system_factors(fake_machine(tmp_path / "a")))
    machine = fake_machine(tmp_path / "b", hostname="renamed")
    (machine / "sys/class/net/veth9").mkdir()
    (machine / "sys/class/net/veth9/address").write_text("ee:ee:ee:00:00:09\n")
    assert fingerprint_from_factors(system_factors(machine)).value == before.value


def test_a_changed_nic_is_named(tmp_path: Path) -> None:
    before = fingerprint_from_factors(system_factors(fake_machine(tmp_path / "a")))
    after = fingerprint_from_factors(system_factors(fake_machine(tmp_path / "b", mac="02:aa:bb:cc:dd:02")))
    assert after.value != before.value
    assert compare(before, after).describe() == "changed: nic:eth0"


def test_factor_hashes_include_the_name() -> None:
    assert hash_factor("a", "x") != hash_factor("b", "x")


def test_injected_factors_come_from_the_env_file(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_text(json.dumps({"machine_id": "m"}))
    assert provider_from_env({"PREFLIGHT_FINGERPRINT_FACTORS": str(path)})() == {"machine_id": "m"}
    path.write_text("[1]")
    with pytest.raises(FingerprintError, match="JSON object"):
        provider_from_env({"PREFLIGHT_FINGERPRINT_FACTORS": str(path)})()


def test_no_factor_at_all_is_an_error() -> None:
    with pytest.raises(FingerprintError, match="PREFLIGHT_FINGERPRINT_FACTORS"):
        fingerprint_from_factors({})


def test_canonical_json_is_sorted_compact_utf8() -> None:
    assert canonical_json({"b": 1, "a": ["ł", 2]}) == '{"a":["ł",2],"b":1}'.encode()


def signed(tmp_path: Path) -> tuple[Path, str]:
    """Write a license signed by a fresh key; return its path and the public key."""
    pair = generate_key_pair()
    payload = new_payload(
        issuer="dudzian",
        licensee="Łódź desk",
        profile="desktop",
        exchanges=("bybit",),
        environments=("paper", "live"),
        days=30,
        fingerprint="a" * 64,
    )
    path = tmp_path / "license.json"
    write_license(path, sign_payload(payload, private_key_from_pem(pair.private_pem, "k"), "k1"))
    return path, pair.public_key_b64


def test_a_signed_license_verifies_and_round_trips(tmp_path: Path) -> None:
    path, public = signed(tmp_path)
    lic = load_license(path)
    assert lic.payload.licensee == "Łódź desk" and lic.key_id == "k1"
    assert verify_signature(public, lic.signature, lic.signed_bytes)
    assert not verify_signature(generate_key_pair().public_key_b64, lic.signature, lic.signed_bytes)


def test_a_schema_violation_points_at_file_and_line(tmp_path: Path) -> None:
    path, _ = signed(tmp_path)
    document = json.loads(path.read_text())
    document["payload"]["environments"] = ["paper", "moon"]
    path.write_text(json.dumps(document, indent=2))
    with pytest.raises(LicenseError) as raised:
        load_license(path)
    message = str(raised.value)
    assert message.startswith(f"{path}:") and "$.payload.environments[1]" in message
    line = int(message.split(":")[1])
    assert "moon" in path.read_text().splitlines()[line - 1]


def test_malformed_json_points_at_the_line(tmp_path: Path) -> None:
    path = tmp_path / "license.json"
    path.write_text('{\n  "payload": {,\n')
    with pytest.raises(LicenseError, match=r"license.json:2:\d+: not valid JSON"):
        load_license(path)


def test_a_missing_license_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(LicenseError, match="file not found; restore"):
        load_license(tmp_path / "none.json")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", r"license.json: is empty; restore"),
        (b"  \n", r"license.json: is empty; restore"),
        (b'{"payload": "D\xe9mo"}', r"license.json:1:15: is not UTF-8 text \(byte 0xe9"),
        (b"[" * 100_000 + b"]" * 100_000, r"license.json:1:33: .*nested more than 32 levels deep"),
        (b" " * (1024 * 1024 + 1), r"license.json: is over the 1024 KiB limit"),
    ],
    ids=["empty", "blank", "latin1", "deep", "over-size"],
)
def test_a_hostile_license_file_is_one_located_sentence(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "license.json"
    path.write_bytes(content)
    with pytest.raises(LicenseError, match=expected):
        load_license(path)


def test_a_license_that_is_a_directory_or_a_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    (tmp_path / "dir.json").mkdir()
    with pytest.raises(LicenseError, match=r"dir\.json: is a directory, not a file"):
        load_license(tmp_path / "dir.json")
    os.mkfifo(tmp_path / "pipe.json")
    with pytest.raises(LicenseError, match=r"pipe\.json: is not a regular file"):
        load_license(tmp_path / "pipe.json")


def test_a_utf8_bom_before_a_valid_license_is_accepted(tmp_path: Path) -> None:
    path, public = signed(tmp_path)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    lic = load_license(path)
    assert verify_signature(public, lic.signature, lic.signed_bytes)


def test_a_lone_surrogate_escape_is_a_located_error_not_a_crash(tmp_path: Path) -> None:
    path, _ = signed(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"desktop"', '"desk\\ud800"', 1), encoding="utf-8")
    with pytest.raises(LicenseError) as raised:
        load_license(path)
    message = str(raised.value)
    message.encode("utf-8")  # printable, unlike the value itself
    assert "$.payload.profile" in message and "half a character" in message
    line = int(message.split(":")[1])
    assert "ud800" in path.read_text(encoding="utf-8").splitlines()[line - 1]


def test_a_surrogate_pair_escape_is_an_ordinary_character(tmp_path: Path) -> None:
    path, _ = signed(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert '"Łódź desk"' in text
    path.write_text(text.replace('"Łódź desk"', '"\\ud83d\\ude00 desk"', 1), encoding="utf-8")
    assert load_license(path).payload.licensee == "\U0001f600 desk"  # loads; only the signature breaks
