"""bot_core's headless secrets file: JSON ``{version 1, salt, ciphertext, iterations, checksum, updated_at}``.

The ciphertext is a Fernet token under ``urlsafe_b64(PBKDF2-SHA256(passphrase, salt, iterations, 32))``;
its plaintext is the JSON map storage key -> serialized value. bot_core writes the checksum
(base64 SHA-256 of the token) but never reads it; preflight checks it so that a damaged file is named as
damaged rather than as a wrong passphrase. Nothing here puts a passphrase or plaintext in a message.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path

from preflight import jsonsafe
from preflight.errors import SecretsError
from preflight.fsutil import atomic_write_text
from preflight.trust.jsonfile import load_json_file
from preflight.trust.timeutil import format_utc, utc_now

ITERATIONS = 390_000
_WHAT_TO_DO = "restore it from a backup or store the credentials again with bot_core's keychain tool"


def derive_key(passphrase: str, salt: bytes, iterations: int) -> bytes:
    """Return the Fernet key bot_core derives from the passphrase."""
    raw = hashlib.pbkdf2_hmac("sha256", passphrase.encode("utf-8"), salt, iterations, dklen=32)
    return base64.urlsafe_b64encode(raw)


def read_secrets_file(path: Path, passphrase: str, display: str) -> dict[str, str]:
    """Decrypt the file at ``path``; SecretsError in one sentence naming the file and what to do."""
    from cryptography.fernet import Fernet, InvalidToken

    data = load_json_file(path, "bot_core_secrets", SecretsError, _WHAT_TO_DO, display)
    try:
        salt = base64.b64decode(data["salt"], validate=True)
        token = base64.b64decode(data["ciphertext"], validate=True)
    except (binascii.Error, ValueError):
        raise SecretsError(f"{display}: salt or ciphertext is not base64; {_WHAT_TO_DO}") from None
    checksum = data.get("checksum")
    if checksum is not None and checksum != base64.b64encode(hashlib.sha256(token).digest()).decode("ascii"):
        raise SecretsError(
            f"{display}: the ciphertext does not match its checksum (damaged file); {_WHAT_TO_DO}"
        )
    fernet = Fernet(derive_key(passphrase, salt, int(data.get("iterations") or ITERATIONS)))
    try:
        plaintext = fernet.decrypt(token)
    except InvalidToken:
        raise SecretsError(
            f"cannot decrypt {display}: wrong passphrase (or a damaged file); check the passphrase "
            "given by PREFLIGHT_BOT_CORE_PASSPHRASE or PREFLIGHT_BOT_CORE_PASSPHRASE_FILE"
        ) from None
    try:
        entries = jsonsafe.loads(plaintext.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        entries = None
    if not isinstance(entries, dict):
        raise SecretsError(f"{display}: the decrypted store is not a JSON object; {_WHAT_TO_DO}")
    return {str(key): str(value) for key, value in entries.items()}


def write_secrets_file(
    path: Path, passphrase: str, entries: Mapping[str, str], *, iterations: int = ITERATIONS
) -> None:
    """Encrypt ``entries`` (storage key -> serialized value) and write the file atomically, mode 0600."""
    from cryptography.fernet import Fernet

    salt = os.urandom(16)
    plaintext = json.dumps(dict(entries), separators=(",", ":"), sort_keys=True).encode("utf-8")
    token = Fernet(derive_key(passphrase, salt, iterations)).encrypt(plaintext)
    document = {
        "version": 1,
        "salt": base64.b64encode(salt).decode("ascii"),
        "ciphertext": base64.b64encode(token).decode("ascii"),
        "iterations": iterations,
        "checksum": base64.b64encode(hashlib.sha256(token).digest()).decode("ascii"),
        "updated_at": format_utc(utc_now()),
    }
    atomic_write_text(path, json.dumps(document, separators=(",", ":")), mode=0o600)
