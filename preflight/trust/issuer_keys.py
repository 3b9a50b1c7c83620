"""Ed25519 issuer keys: generate, store (PEM, 0600), load, and encode the public half for core.yaml."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from preflight.errors import LicenseError, Location
from preflight.fsutil import atomic_write_bytes

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


@dataclass(frozen=True, repr=False)
class IssuerKeyPair:
    """An issuer's Ed25519 key pair; the repr never shows the private half."""

    private_pem: bytes
    public_key_b64: str  # raw 32-byte public key, base64: the form core.yaml trusted_issuers holds

    def __repr__(self) -> str:
        return f"IssuerKeyPair(public_key_b64={self.public_key_b64!r})"


def generate_key_pair() -> IssuerKeyPair:
    """Create a fresh Ed25519 key pair."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return IssuerKeyPair(private_pem=pem, public_key_b64=public_key_b64(key))


def public_key_b64(key: Ed25519PrivateKey) -> str:
    """Return the raw public key of ``key``, base64-encoded."""
    from cryptography.hazmat.primitives import serialization

    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def write_private_key(path: Path, pair: IssuerKeyPair) -> None:
    """Store the private key as PEM, readable by the owner only."""
    atomic_write_bytes(path, pair.private_pem, mode=0o600)


def private_key_from_pem(data: bytes, where: str) -> Ed25519PrivateKey:
    """Parse an unencrypted Ed25519 private key in PEM form; LicenseError naming ``where`` otherwise."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise LicenseError(
            "not an unencrypted Ed25519 private key in PEM form; make one with `preflight license keygen`",
            Location(where),
        )
    return key


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """Load an Ed25519 private key (PEM) written by :func:`write_private_key`."""
    try:
        data = path.read_bytes()
    except OSError as problem:
        raise LicenseError(
            f"cannot read the issuer key ({type(problem).__name__}); pass a key made by "
            "`preflight license keygen`",
            Location(str(path)),
        ) from None
    return private_key_from_pem(data, str(path))


def verify_signature(public_key: str, signature_b64: str, message: bytes) -> bool:
    """Say whether ``signature_b64`` is a valid Ed25519 signature of ``message`` by ``public_key``."""
    import binascii

    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
        key.verify(base64.b64decode(signature_b64, validate=True), message)
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True
