"""bot_core's HMAC keys files and signatures: ``{"keys": {"<key_id>": "hex:…"|"base64:…"|raw}}``.

A key value prefixed ``hex:`` or ``base64:`` is decoded, anything else is its own UTF-8 bytes (bot_core's
``decode_secret``). A signature is ``{algorithm, key_id, value}`` with ``value`` the base64 HMAC over the
canonical JSON of the signed object; the algorithm is read case-insensitively and defaults to
HMAC-SHA256, as bot_core's ``build_hmac_signature`` does.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from preflight.errors import InputError, Location
from preflight.fsutil import atomic_write_text
from preflight.trust.canonical import canonical_json
from preflight.trust.jsonfile import load_json_file

ALGORITHMS = {"HMAC-SHA256": hashlib.sha256, "HMAC-SHA384": hashlib.sha384}
DEFAULT_ALGORITHM = "HMAC-SHA256"
MIN_FINGERPRINT_KEY_BYTES = 32  # bot_core's fingerprint signer refuses shorter keys


@dataclass(frozen=True, repr=False)
class HmacKeyring:
    """The decoded keys of one keys file, by key id; the repr names the ids, never the key bytes."""

    display: str  # the keys file as messages show it
    keys: Mapping[str, bytes]

    def __repr__(self) -> str:
        return f"HmacKeyring({self.display!r}, key_ids={sorted(self.keys)!r})"

    def key_ids(self) -> str:
        """Return the key ids, comma-separated (``none`` when empty)."""
        return ", ".join(sorted(self.keys)) or "none"


@dataclass(frozen=True)
class SignatureCheck:
    """How one signature compared: verified, or why not (in one phrase)."""

    verified: bool
    key_id: str
    algorithm: str
    problem: str = ""


def decode_key(text: str) -> bytes:
    """Decode one keys-file value the way bot_core's ``decode_secret`` does; ValueError when malformed."""
    value = text.strip()
    if value.startswith("hex:"):
        return bytes.fromhex(value[4:])
    if value.startswith("base64:"):
        try:
            return base64.b64decode(value[7:])
        except binascii.Error as problem:
            raise ValueError(str(problem)) from None
    return value.encode("utf-8")


def load_keyring(path: Path, display: str, error: type[InputError], what_to_do: str) -> HmacKeyring:
    """Read a keys file; ``error`` naming the file (and the key id, never its value) when unusable."""
    data = load_json_file(path, "bot_core_hmac_keys", error, what_to_do, display)
    keys: dict[str, bytes] = {}
    for key_id, raw in data["keys"].items():
        if not key_id.strip():
            raise error(f"$.keys holds an empty key id; {what_to_do}", Location(display))
        try:
            keys[key_id.strip()] = decode_key(str(raw))
        except ValueError:
            raise error(
                f"$.keys.{key_id}: the value is not valid hex/base64 after its prefix; {what_to_do}",
                Location(display),
            ) from None
    return HmacKeyring(display=display, keys=keys)


def sign(document: Mapping[str, Any] | list[Any], key: bytes, key_id: str, algorithm: str) -> dict[str, str]:
    """Return bot_core's signature object over ``document``'s canonical JSON."""
    digest = hmac.new(key, canonical_json(document), ALGORITHMS[algorithm.upper()]).digest()
    return {
        "algorithm": algorithm.upper(),
        "key_id": key_id,
        "value": base64.b64encode(digest).decode("ascii"),
    }


def verify(document: Mapping[str, Any], signature: Mapping[str, Any], keyring: HmacKeyring) -> SignatureCheck:
    """Verify ``signature`` over ``document`` with ``keyring`` exactly as bot_core's ``_verify_signature``."""
    key_id = str(signature.get("key_id") or "").strip()
    algorithm = str(signature.get("algorithm") or DEFAULT_ALGORITHM).upper()
    if not key_id:
        return SignatureCheck(False, "", algorithm, "the signature names no key_id")
    key = keyring.keys.get(key_id)
    if key is None:
        return SignatureCheck(
            False,
            key_id,
            algorithm,
            f"key {key_id!r} is not in {keyring.display} (keys: {keyring.key_ids()})",
        )
    if algorithm not in ALGORITHMS:
        # bot_core raises on an unknown algorithm instead of verifying: the file cannot pass
        return SignatureCheck(
            False, key_id, algorithm, f"algorithm {algorithm!r} is not HMAC-SHA256/HMAC-SHA384"
        )
    expected = sign(document, key, key_id, algorithm)["value"]
    actual = signature.get("value")
    if not isinstance(actual, str) or not hmac.compare_digest(actual, expected):
        return SignatureCheck(False, key_id, algorithm, "the HMAC does not match (changed after signing)")
    return SignatureCheck(True, key_id, algorithm)


def new_key(key_id_prefix: str, length: int = 32) -> tuple[str, bytes]:
    """Return a fresh random key and a key id naming its purpose and a short random tag."""
    return f"{key_id_prefix}-{secrets.token_hex(4)}", secrets.token_bytes(length)


def write_keyring(path: Path, keys: Mapping[str, bytes]) -> None:
    """Write a keys file (``hex:`` values) atomically with mode 0600: it holds signing secrets."""
    document = {"keys": {key_id: "hex:" + key.hex() for key_id, key in sorted(keys.items())}}
    atomic_write_text(path, json.dumps(document, indent=2) + "\n", mode=0o600)
