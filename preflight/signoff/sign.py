"""Ed25519 signing of a sign-off: the key, and the trailing signature block.

The signature covers the exact UTF-8 bytes of everything before the block, so the sign-off stays one
file that any Markdown viewer shows (the block is an HTML comment)::

    <!-- preflight-signature v1
    algorithm: Ed25519
    key-id: 1f2e3d4c5b6a7988
    public-key: <base64 of the 32-byte raw public key>
    content-sha256: <hex SHA-256 of the signed bytes>
    signature: <base64 of the 64-byte Ed25519 signature>
    -->

``key-id`` is the first 16 hex digits of the SHA-256 of the raw public key. ``content-sha256`` lets
``verify`` tell "the content changed" apart from "the block was tampered with".
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from preflight.errors import SignoffError
from preflight.fsutil import atomic_write_bytes, create_exclusive_bytes

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

BLOCK_OPEN = "<!-- preflight-signature v1"
BLOCK_CLOSE = "-->"
ALGORITHM = "Ed25519"
DEFAULT_KEY_PATH = Path("var/signoff/signing_key.pem")
PUBLIC_KEY_SUFFIX = ".pub.pem"
PASSPHRASE_ENV = "PREFLIGHT_SIGNING_KEY_PASSPHRASE"


@dataclass(frozen=True)
class SigningKey:
    """A loaded Ed25519 private key (never shown in a repr) and what may be shown about it."""

    private_key: Ed25519PrivateKey = field(repr=False)
    key_id: str
    public_b64: str
    path: Path
    created: bool = False  # True when this run generated the key
    public_path: Path | None = None  # the PEM public key written beside a generated key
    warning: str | None = None  # e.g. the key file is readable by others


def raw_public_bytes(public_key: Ed25519PublicKey) -> bytes:
    """Return the 32 raw bytes of an Ed25519 public key."""
    from cryptography.hazmat.primitives import serialization

    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id_for(raw_public: bytes) -> str:
    """Return the short key id: the first 16 hex digits of SHA-256 over the raw public key."""
    return hashlib.sha256(raw_public).hexdigest()[:16]


def from_private_key(
    private_key: Ed25519PrivateKey,
    path: Path,
    *,
    created: bool = False,
    public_path: Path | None = None,
    warning: str | None = None,
) -> SigningKey:
    """Wrap an Ed25519 private key with its key id and base64 public key."""
    raw = raw_public_bytes(private_key.public_key())
    public_b64 = base64.b64encode(raw).decode("ascii")
    return SigningKey(private_key, key_id_for(raw), public_b64, path, created, public_path, warning)


def _permission_warning(path: Path) -> str | None:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return f"signing key {path} is readable by others (mode {mode:04o}); run: chmod 600 {path}"
    return None


def load_signing_key(path: Path, env: dict[str, str] | None = None) -> SigningKey:
    """Load a PEM Ed25519 private key; SignoffError (one sentence, no key material) when unusable."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    env = env if env is not None else dict(os.environ)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SignoffError(f"{path}: cannot read the signing key ({error.strerror})") from None
    passphrase = env.get(PASSPHRASE_ENV)
    try:
        key = serialization.load_pem_private_key(data, password=passphrase.encode() if passphrase else None)
    except TypeError:
        raise SignoffError(f"{path}: the signing key is encrypted; set {PASSPHRASE_ENV}") from None
    except ValueError:
        raise SignoffError(
            f"{path}: not a readable PEM private key (or wrong {PASSPHRASE_ENV}); "
            "expected an Ed25519 key, e.g. from `openssl genpkey -algorithm ed25519`"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SignoffError(
            f"{path}: the signing key is not an Ed25519 key; sign-offs are signed with Ed25519"
        )
    return from_private_key(key, path, warning=_permission_warning(path))


def default_signing_key(root: Path, env: dict[str, str] | None = None) -> SigningKey:
    """Load the deployment's signing key, creating it (mode 0600) with its public key on first use."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = root / DEFAULT_KEY_PATH
    public_path = path.with_name(path.stem + PUBLIC_KEY_SUFFIX)
    if path.exists():
        return load_signing_key(path, env)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # Exclusive creation: of two first sign-offs at once one key wins, and both sign with it.
    if not create_exclusive_bytes(path, pem, mode=0o600):
        loaded = load_signing_key(path, env)
        _write_public_key(loaded.private_key, public_path)
        return loaded
    _write_public_key(key, public_path)
    return from_private_key(key, path, created=True, public_path=public_path)


def _write_public_key(private_key: Ed25519PrivateKey, public_path: Path) -> None:
    """Write the public half of ``private_key`` beside it (the same bytes whoever writes it)."""
    from cryptography.hazmat.primitives import serialization

    public_pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    if not public_path.exists() or public_path.read_bytes() != public_pem:
        atomic_write_bytes(public_path, public_pem, mode=0o644)


def signature_block(content: bytes, key: SigningKey) -> str:
    """Return the signature block for ``content`` (the exact bytes before the block)."""
    signature = base64.b64encode(key.private_key.sign(content)).decode("ascii")
    return "\n".join(
        (
            BLOCK_OPEN,
            f"algorithm: {ALGORITHM}",
            f"key-id: {key.key_id}",
            f"public-key: {key.public_b64}",
            f"content-sha256: {hashlib.sha256(content).hexdigest()}",
            f"signature: {signature}",
            BLOCK_CLOSE,
            "",
        )
    )


def sign_text(content: str, key: SigningKey) -> str:
    """Return ``content`` followed by its signature block (``content`` must end with a newline)."""
    if not content.endswith("\n"):
        content += "\n"
    return content + signature_block(content.encode("utf-8"), key)
