"""The encrypted store: round trip, 0600, fresh salt/nonce, one-sentence errors, no secret in any repr."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from preflight.errors import SecretsError
from preflight.trust.secrets import KeyStatus, SecretEntry
from preflight.trust.store_file import (
    _HEADER,
    decrypt_store,
    encrypt_store,
    entry_from_json,
    entry_to_json,
    read_store,
    write_store,
)

SECRET = "s3cr3t-value-never-shown-0123456789"
API_KEY = "APIKEYVISIBLE0000WXYZ"
LOW_COST = 10  # the smallest scrypt cost the reader accepts: keeps the tests fast


def entry(**changes: object) -> SecretEntry:
    """Return a sample entry with ``changes`` applied."""
    fields: dict = {
        "name": "bybit_paper_trading",
        "exchange": "bybit",
        "environment": "bybit_paper",
        "api_key": API_KEY,
        "api_secret": SECRET,
        "rsa_private_key": None,
        "account_uid": "123",
        "permissions": ("Spot.SpotTrade",),
        "status": KeyStatus.ACTIVE,
        "created_at": datetime(2026, 1, 1, tzinfo=UTC),
        "expires_at": None,
    }
    return SecretEntry(**{**fields, **changes})


def test_round_trip_keeps_every_field_and_writes_0600(tmp_path: Path) -> None:
    path = tmp_path / "var/secrets/keychain.enc"
    original = entry(expires_at=datetime(2027, 5, 1, 12, tzinfo=UTC), status=KeyStatus.DISABLED)
    write_store(path, "pass phrase", {original.name: original}, log2_n=LOW_COST)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_store(path, "pass phrase") == {original.name: original}
    blob = path.read_bytes()
    assert SECRET.encode() not in blob and API_KEY.encode() not in blob


def test_every_write_draws_a_new_salt_and_nonce() -> None:
    first = encrypt_store(b"{}", "p", log2_n=LOW_COST)
    second = encrypt_store(b"{}", "p", log2_n=LOW_COST)
    assert first[: _HEADER.size] != second[: _HEADER.size]


def test_a_wrong_passphrase_is_one_sentence() -> None:
    blob = encrypt_store(b"{}", "right", log2_n=LOW_COST)
    with pytest.raises(SecretsError) as raised:
        decrypt_store(blob, "wrong", "var/secrets/keychain.enc")
    assert str(raised.value) == "cannot decrypt var/secrets/keychain.enc: wrong passphrase or corrupted store"


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "flip_header", "flip_body"])
def test_damaged_stores_fail_in_one_sentence(damage: str) -> None:
    blob = bytearray(encrypt_store(b'{"entries": {}}', "p", log2_n=LOW_COST))
    if damage == "truncate":
        blob = blob[:30]
    elif damage == "garbage":
        blob = bytearray(b"this is not a store at all, just some text")
    elif damage == "empty":
        blob = bytearray()
    elif damage == "flip_header":
        blob[8] ^= 0x01  # a salt byte: the header is authenticated
    else:
        blob[-1] ^= 0x01
    with pytest.raises(SecretsError) as raised:
        decrypt_store(bytes(blob), "p", "keychain.enc")
    message = str(raised.value)
    assert message.startswith("cannot ") and "\n" not in message and message.count(". ") == 0


def test_a_malformed_entry_names_the_field_not_the_value(tmp_path: Path) -> None:
    path = tmp_path / "store.enc"
    plaintext = (
        '{"entries": {"k": {"exchange": "bybit", "environment": "e", "api_key": "'
        + API_KEY
        + '", "api_secret": 7,'
        ' "permissions": [], "status": "active", "created_at": "2026-01-01T00:00:00Z"}}}'
    )
    path.write_bytes(encrypt_store(plaintext.encode(), "p", log2_n=LOW_COST))
    with pytest.raises(SecretsError) as raised:
        read_store(path, "p")
    assert "api_secret" in str(raised.value) and API_KEY not in str(raised.value)


def test_repr_and_str_mask_the_key_and_hide_the_secret() -> None:
    shown = repr(entry()) + str(entry()) + repr({"e": entry()})
    assert SECRET not in shown and API_KEY not in shown
    assert "****WXYZ" in shown


@settings(max_examples=25, deadline=None)
@given(
    api_key=st.text(min_size=1, max_size=40),
    secret=st.text(min_size=1, max_size=80),
    permissions=st.lists(
        st.from_regex(r"[A-Za-z]{1,8}\.[A-Za-z]{1,12}", fullmatch=True), unique=True, max_size=4
    ),
)
def test_any_entry_round_trips_through_the_encrypted_store(
    api_key: str, secret: str, permissions: list[str]
) -> None:
    original = entry(api_key=api_key, api_secret=secret, permissions=tuple(permissions))
    blob = encrypt_store(
        json.dumps({"entries": {original.name: entry_to_json(original)}}).encode(), "p", log2_n=LOW_COST
    )
    document = json.loads(decrypt_store(blob, "p", "store"))
    assert entry_from_json(original.name, document["entries"][original.name], "store") == original


@given(st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=6))
def test_canonical_json_ignores_key_order(mapping: dict[str, object]) -> None:
    from preflight.trust.canonical import canonical_json

    reordered = dict(reversed(list(mapping.items())))
    assert canonical_json(mapping) == canonical_json(reordered)
    assert json.loads(canonical_json(mapping)) == mapping
