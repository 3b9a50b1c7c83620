"""Every bot_core trust format round-trips writer -> reader, in bot_core's exact encoding."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from preflight.errors import LicenseError
from preflight.trust.bot_core.credentials import parse_credential, serialize_credential, storage_key
from preflight.trust.bot_core.fingerprint import fingerprint_of, load_document, write_document
from preflight.trust.bot_core.hmac_keys import HmacKeyring, decode_key, load_keyring, verify, write_keyring
from preflight.trust.bot_core.license import load_license, new_payload, write_license
from preflight.trust.bot_core.secrets_file import ITERATIONS, read_secrets_file, write_secrets_file

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
KEY = bytes(range(32))


def test_license_round_trips_and_its_hmac_is_bot_cores(tmp_path: Path) -> None:
    payload = new_payload(
        issuer="dudzian", licensee="Żółw desk", profile="desktop", days=30, fingerprint="AB-CD", now=NOW
    )
    path = tmp_path / "license.json"
    write_license(path, payload, KEY, "k1", algorithm="HMAC-SHA256")
    lic = load_license(path, "license.json")
    assert (lic.profile, lic.issuer, lic.schema, lic.schema_version) == (
        "desktop",
        "dudzian",
        "core.oem.license",
        "1.0",
    )
    assert lic.fingerprint == "AB-CD" and lic.issued_at.moment == NOW and lic.expires_at.had_timezone
    # bot_core: base64 HMAC over json.dumps(sort_keys, (",", ":"), ensure_ascii=False) in UTF-8
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    expected = base64.b64encode(hmac.new(KEY, canonical, hashlib.sha256).digest()).decode()
    assert lic.signature == {"algorithm": "HMAC-SHA256", "key_id": "k1", "value": expected}
    assert verify(lic.payload, lic.signature, HmacKeyring("keys", {"k1": KEY})).verified


def test_signature_algorithm_is_case_insensitive_and_defaults_to_sha256(tmp_path: Path) -> None:
    payload = {"a": "ą"}
    digest = hmac.new(KEY, json.dumps(payload, ensure_ascii=False).replace(" ", "").encode(), hashlib.sha256)
    value = base64.b64encode(digest.digest()).decode()
    keyring = HmacKeyring("keys", {"k": KEY})
    assert verify(payload, {"key_id": "k", "value": value}, keyring).verified
    assert verify(payload, {"key_id": "k", "value": value, "algorithm": "hmac-sha256"}, keyring).verified
    refused = verify(payload, {"key_id": "k", "value": value, "algorithm": "HMAC-MD5"}, keyring)
    assert not refused.verified and "HMAC-MD5" in refused.problem


def test_keys_file_round_trips_and_decodes_hex_base64_and_raw(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    write_keyring(path, {"a": KEY})
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_keyring(path, "keys.json", LicenseError, "fix it").keys == {"a": KEY}
    assert decode_key("hex:00ff") == b"\x00\xff"
    assert decode_key("base64:" + base64.b64encode(b"xyz").decode()) == b"xyz"
    assert decode_key("  plain-secret ") == b"plain-secret"
    with pytest.raises(ValueError):
        decode_key("hex:zz")


def test_fingerprint_file_round_trips_with_bot_cores_value_format(tmp_path: Path) -> None:
    factors = {
        "hostname": "desk-7",
        "mac_addresses": ["02aa", "01bb"],
        "os": {"system": "Linux"},
        "tpm": None,
    }
    path = tmp_path / "fingerprint.json"
    written = write_document(path, factors, KEY, "fp", NOW)
    document = load_document(path, "fingerprint.json")
    assert document.fingerprint == written.fingerprint and document.consistent
    assert document.payload["algorithm"] == "SHA384" and document.signature["algorithm"] == "HMAC-SHA384"
    assert document.payload["factors"] == {
        "hostname": "desk-7",
        "mac_addresses": ["01bb", "02aa"],
        "os": {"system": "Linux"},
    }
    assert re.fullmatch(r"[A-Z2-7]{8}(-[A-Z2-7]{1,8})+", document.fingerprint)
    canonical = json.dumps(document.payload["factors"], sort_keys=True, separators=(",", ":")).encode()
    token = base64.b32encode(hashlib.sha384(canonical).digest()).decode().rstrip("=")
    assert document.fingerprint == "-".join(token[i : i + 8] for i in range(0, len(token), 8))
    assert fingerprint_of(factors) == document.fingerprint
    assert verify(document.payload, document.signature, HmacKeyring("k", {"fp": KEY})).verified


def test_fingerprint_writer_refuses_a_short_key(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        write_document(tmp_path / "f.json", {"hostname": "x"}, b"short", "fp", NOW)


def test_secrets_file_round_trips_in_bot_cores_layout(tmp_path: Path) -> None:
    path = tmp_path / "secrets.age"
    value = serialize_credential("KEY1", "SECRET1", ["READ", "trade"], "paper")
    write_secrets_file(path, "pass phrase", {storage_key("Bybit_Paper_Trading"): value}, iterations=1000)
    document = json.loads(path.read_text())
    assert set(document) == {"version", "salt", "ciphertext", "iterations", "checksum", "updated_at"}
    assert document["version"] == 1 and document["iterations"] == 1000
    token = base64.b64decode(document["ciphertext"])
    assert document["checksum"] == base64.b64encode(hashlib.sha256(token).digest()).decode()
    assert path.stat().st_mode & 0o777 == 0o600
    entries = read_secrets_file(path, "pass phrase", "secrets.age")
    assert list(entries) == ["dudzian.trading:bybit_paper_trading:trading"]
    credential = parse_credential("k", entries["dudzian.trading:bybit_paper_trading:trading"])
    assert (credential.key_id, credential.secret, credential.permissions, credential.environment) == (
        "KEY1",
        "SECRET1",
        ("read", "trade"),
        "paper",
    )
    assert "SECRET1" not in repr(credential) and "KEY1" not in repr(credential)


def test_the_default_iterations_are_bot_cores() -> None:
    assert ITERATIONS == 390_000


def test_credential_reader_accepts_bot_cores_aliases() -> None:
    raw = json.dumps({"keyId": "K", "secretKey": "S", "scopes": ["Trade"], "env": "live"})
    credential = parse_credential("k", raw)
    assert (credential.key_id, credential.secret, credential.permissions, credential.environment) == (
        "K",
        "S",
        ("trade",),
        "live",
    )
    hidden = "SECRETVALUE-9f3"
    for broken in (
        "{" + hidden,
        json.dumps([hidden]),
        json.dumps({"secret": hidden, "environment": "paper"}),
        json.dumps({"key_id": "K", "secret": hidden, "environment": "prod"}),
    ):
        with pytest.raises(ValueError) as caught:
            parse_credential("k", broken)
        assert hidden not in str(caught.value)
