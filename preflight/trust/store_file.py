"""The encrypted secrets store file: AES-256-GCM over the JSON of all entries, key from scrypt.

Layout (all integers big-endian)::

    magic  b"PFKC"      4 bytes
    version             1 byte   (1)
    scrypt log2(n), r, p 3 bytes
    salt               16 bytes  random per write
    nonce              12 bytes  random per write
    ciphertext + tag    rest     AES-256-GCM, the 36 header bytes as associated data

The header is authenticated, so a changed version or cost parameter fails like a wrong passphrase.
Every write draws a new salt and nonce and lands atomically with mode 0600.
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from preflight import jsonsafe
from preflight.errors import SecretsError
from preflight.fsutil import atomic_write_bytes
from preflight.trust.secrets import KeyStatus, SecretEntry
from preflight.trust.timeutil import format_utc, parse_utc

MAGIC = b"PFKC"
VERSION = 1
_HEADER = struct.Struct(">4sBBBB16s12s")
DEFAULT_LOG2_N = 15  # n = 32768, r = 8: ~32 MiB and ~0.1 s per open, once per run
_TAG_BYTES = 16


def _derive(passphrase: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=2**log2_n, r=r, p=p).derive(passphrase.encode("utf-8"))


def encrypt_store(plaintext: bytes, passphrase: str, *, log2_n: int = DEFAULT_LOG2_N) -> bytes:
    """Encrypt the store's JSON with a key derived from ``passphrase``."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt, nonce = os.urandom(16), os.urandom(12)
    header = _HEADER.pack(MAGIC, VERSION, log2_n, 8, 1, salt, nonce)
    return header + AESGCM(_derive(passphrase, salt, log2_n, 8, 1)).encrypt(nonce, plaintext, header)


def decrypt_store(blob: bytes, passphrase: str, display: str) -> bytes:
    """Decrypt a store blob; SecretsError in one sentence for garbage, truncation or a wrong passphrase."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if len(blob) < _HEADER.size + _TAG_BYTES or not blob.startswith(MAGIC):
        raise SecretsError(
            f"cannot read {display}: not a preflight secrets store or truncated; restore it from a backup"
        )
    _magic, version, log2_n, r, p, salt, nonce = _HEADER.unpack_from(blob)
    if version != VERSION:
        raise SecretsError(
            f"cannot read {display}: store format version {version} is not supported (expected 1)"
        )
    if not (10 <= log2_n <= 20 and 1 <= r <= 32 and 1 <= p <= 16):  # refuse absurd costs from a bad file
        raise SecretsError(f"cannot decrypt {display}: wrong passphrase or corrupted store")
    header = blob[: _HEADER.size]
    try:
        return AESGCM(_derive(passphrase, salt, log2_n, r, p)).decrypt(nonce, blob[_HEADER.size :], header)
    except InvalidTag:
        raise SecretsError(f"cannot decrypt {display}: wrong passphrase or corrupted store") from None


def entry_to_json(entry: SecretEntry) -> dict[str, object]:
    """Return an entry as the store's JSON object (without its name, which is the key)."""
    data: dict[str, object] = {
        "exchange": entry.exchange,
        "environment": entry.environment,
        "api_key": entry.api_key,
        "account_uid": entry.account_uid,
        "permissions": list(entry.permissions),
        "status": entry.status.value,
        "created_at": format_utc(entry.created_at),
        "expires_at": format_utc(entry.expires_at) if entry.expires_at else None,
    }
    if entry.api_secret is not None:
        data["api_secret"] = entry.api_secret
    if entry.rsa_private_key is not None:
        data["rsa_private_key"] = entry.rsa_private_key
    return data


def _safe_message(error: Any) -> str:
    # jsonschema messages quote the offending value, which may be a secret: only name the field.
    where = "$" + "".join(f".{p}" for p in error.absolute_path)
    if error.validator in ("required", "additionalProperties"):
        return f"{where}: {error.message}"
    return f"{where}: the value breaks the `{error.validator}` rule of schemas/secrets_entry.schema.json"


def entry_from_json(name: str, data: Mapping[str, Any], display: str) -> SecretEntry:
    """Validate one entry's JSON and build the entry; SecretsError naming the field, never its value."""
    import jsonschema

    from preflight.trust.jsonfile import load_schema

    validator = jsonschema.Draft202012Validator(load_schema("secrets_entry"))
    best = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if best is not None:
        raise SecretsError(f"entry {name!r} in {display} is malformed: {_safe_message(best)}")
    try:
        created_at = parse_utc(data["created_at"])
        expires_at = parse_utc(data["expires_at"]) if data.get("expires_at") else None
    except ValueError:
        raise SecretsError(f"entry {name!r} in {display} has a timestamp without a timezone") from None
    return SecretEntry(
        name=name,
        exchange=data["exchange"],
        environment=data["environment"],
        api_key=data["api_key"],
        api_secret=data.get("api_secret"),
        rsa_private_key=data.get("rsa_private_key"),
        account_uid=data.get("account_uid"),
        permissions=tuple(data["permissions"]),
        status=KeyStatus(data["status"]),
        created_at=created_at,
        expires_at=expires_at,
    )


def read_store(path: Path, passphrase: str, *, display: str | None = None) -> dict[str, SecretEntry]:
    """Decrypt and parse the store at ``path`` into entries by name."""
    shown = display or str(path)
    try:
        blob = path.read_bytes()
    except OSError as problem:
        raise SecretsError(
            f"cannot read {shown} ({type(problem).__name__}); check the file and its permissions"
        ) from None
    plaintext = decrypt_store(blob, passphrase, shown)
    try:
        document = jsonsafe.loads(plaintext.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise SecretsError(
            f"cannot read {shown}: the decrypted store is not JSON; restore it from a backup"
        ) from None
    entries = document.get("entries") if isinstance(document, dict) else None
    if not isinstance(entries, dict):
        raise SecretsError(
            f"cannot read {shown}: the decrypted store has no `entries` object; restore it from a backup"
        )
    return {
        name: entry_from_json(name, data if isinstance(data, dict) else {}, shown)
        for name, data in entries.items()
    }


def write_store(
    path: Path, passphrase: str, entries: Mapping[str, SecretEntry], *, log2_n: int = DEFAULT_LOG2_N
) -> None:
    """Encrypt ``entries`` and write the store atomically with mode 0600."""
    document = {"format": 1, "entries": {name: entry_to_json(e) for name, e in sorted(entries.items())}}
    plaintext = json.dumps(document, sort_keys=True).encode("utf-8")
    atomic_write_bytes(path, encrypt_store(plaintext, passphrase, log2_n=log2_n), mode=0o600)
