"""Verify a signed sign-off: find the trailing block, check it, and name the first problem found.

Every problem is a ``SignoffError`` carrying one sentence (``file[:line]: what is wrong``); the CLI
prints it as one line and exits 1.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from preflight.errors import SignoffError
from preflight.signoff.sign import ALGORITHM, BLOCK_CLOSE, BLOCK_OPEN, key_id_for, raw_public_bytes

_OPEN = BLOCK_OPEN.encode("ascii")
_ANY_OPEN = b"<!-- preflight-signature"
_FIELDS = ("algorithm", "key-id", "public-key", "content-sha256", "signature")
_FIELD_LINE = re.compile(r"^([a-z0-9-]+): (\S+)$")


@dataclass(frozen=True)
class SignatureBlock:
    """The parsed fields of a signature block and the line it starts on."""

    algorithm: str
    key_id: str
    public_key: bytes
    content_sha256: str
    signature: bytes
    line: int


@dataclass(frozen=True)
class TrustedKeys:
    """The public keys a sign-off may be signed with, and where they came from (said in every answer)."""

    keys: tuple[bytes, ...]  # raw 32-byte Ed25519 public keys
    source: str  # e.g. "--public-key team.pub.pem" or "the deployment's key <root>/var/signoff/..."


@dataclass(frozen=True)
class Verification:
    """A signature that verified: the signer's key id and the trusted source it matched (None: embedded)."""

    key_id: str
    trusted_by: str | None

    @property
    def pinned(self) -> bool:
        """Say whether the signer's key was one of the trusted keys (not only the file's own)."""
        return self.trusted_by is not None

    def summary(self) -> str:
        """Return the one-line answer for the operator."""
        if self.trusted_by is not None:
            return f"signature valid (key id {self.key_id}); signed by {self.trusted_by}"
        return (
            f"signature intact (key id {self.key_id}) against the public key embedded in the file only; "
            "that proves nothing about who signed it"
        )


def split_signed(data: bytes) -> tuple[bytes, bytes, int]:
    """Split a signed file into (signed content, block, block line); SignoffError when no block ends it."""
    if data.startswith(_OPEN):
        start = 0
    else:
        found = data.rfind(b"\n" + _OPEN)
        if found < 0:
            last = data.rfind(_ANY_OPEN)
            # Only a header that opens a block ending the file counts; a mention in prose does not.
            if last >= 0 and data.rstrip(b"\n").endswith(BLOCK_CLOSE.encode("ascii")):
                if data.startswith(_OPEN, last):
                    raise SignoffError(
                        "content changed after signing: the signature block no longer starts a line"
                    )
                raise SignoffError("unsupported or malformed signature block header (expected v1)")
            raise SignoffError(
                "signature block missing (the file was never signed, or the block was removed)"
            )
        start = found + 1
    line = data.count(b"\n", 0, start) + 1
    close = data.find(b"\n" + BLOCK_CLOSE.encode("ascii"), start)
    if close < 0:
        raise SignoffError(f"line {line}: malformed signature block: no closing '{BLOCK_CLOSE}'")
    end = close + 1 + len(BLOCK_CLOSE)
    if data[end:] not in (b"", b"\n"):
        after = data.count(b"\n", 0, end) + 2
        raise SignoffError(f"line {after}: content added after the signature block")
    return data[:start], data[start:end], line


def _decode(name: str, value: str, size: int, line: int) -> bytes:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise SignoffError(f"line {line}: malformed signature block: {name} is not base64") from None
    if len(raw) != size:
        raise SignoffError(f"line {line}: malformed signature block: {name} is {len(raw)} bytes, not {size}")
    return raw


def parse_block(block: bytes, first_line: int) -> SignatureBlock:
    """Parse the block's fields; SignoffError naming the line of the first malformed one."""
    try:
        lines = block.decode("ascii").split("\n")[1:-1]  # between the header and the closing line
    except UnicodeDecodeError:
        raise SignoffError(f"line {first_line}: malformed signature block: non-ASCII characters") from None
    fields: dict[str, tuple[str, int]] = {}
    for offset, text in enumerate(lines, start=1):
        line = first_line + offset
        match = _FIELD_LINE.match(text)
        if not match or match.group(1) not in _FIELDS:
            raise SignoffError(f"line {line}: malformed signature block: unexpected line {text[:40]!r}")
        if match.group(1) in fields:
            raise SignoffError(f"line {line}: malformed signature block: {match.group(1)} appears twice")
        fields[match.group(1)] = (match.group(2), line)
    missing = [name for name in _FIELDS if name not in fields]
    if missing:
        raise SignoffError(f"line {first_line}: malformed signature block: missing {', '.join(missing)}")
    algorithm, line = fields["algorithm"]
    if algorithm != ALGORITHM:
        raise SignoffError(
            f"line {line}: unsupported signature algorithm {algorithm!r} (expected {ALGORITHM})"
        )
    return SignatureBlock(
        algorithm=algorithm,
        key_id=fields["key-id"][0],
        public_key=_decode("public-key", fields["public-key"][0], 32, fields["public-key"][1]),
        content_sha256=fields["content-sha256"][0],
        signature=_decode("signature", fields["signature"][0], 64, fields["signature"][1]),
        line=first_line,
    )


def load_public_key(path: Path) -> bytes:
    """Read a PEM Ed25519 public key and return its 32 raw bytes; SignoffError when unusable."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        data = path.read_bytes()
    except OSError as error:
        raise SignoffError(f"{path}: cannot read the public key ({error.strerror})") from None
    if b"PRIVATE KEY" in data:
        raise SignoffError(f"{path}: holds a private key; pass the public key (e.g. signing_key.pub.pem)")
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        raise SignoffError(f"{path}: not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise SignoffError(f"{path}: not an Ed25519 public key")
    return raw_public_bytes(key)


def load_trust_list(path: Path) -> tuple[bytes, ...]:
    """Read a trust list: one or more PEM Ed25519 public keys in one file; SignoffError when unusable."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or error
        raise SignoffError(f"{path}: cannot read the trust list ({reason})") from None
    blocks = re.findall(r"-----BEGIN PUBLIC KEY-----.*?-----END PUBLIC KEY-----", text, flags=re.DOTALL)
    if not blocks:
        raise SignoffError(f"{path}: the trust list holds no PEM public key (BEGIN PUBLIC KEY blocks)")
    keys = []
    for number, block in enumerate(blocks, start=1):
        try:
            key = serialization.load_pem_public_key(block.encode("ascii"))
        except ValueError:
            raise SignoffError(f"{path}: key {number} of the trust list is not a PEM public key") from None
        if not isinstance(key, Ed25519PublicKey):
            raise SignoffError(f"{path}: key {number} of the trust list is not an Ed25519 public key")
        keys.append(raw_public_bytes(key))
    return tuple(keys)


def verify_bytes(data: bytes, trusted: TrustedKeys | None = None) -> Verification:
    """Verify a signed sign-off's bytes, and that its key is trusted; SignoffError naming the problem."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if b"\r\n" + _OPEN in data:
        raise SignoffError("content changed after signing: line endings were converted to CRLF")
    content, block_bytes, line = split_signed(data)
    block = parse_block(block_bytes, line)
    if key_id_for(block.public_key) != block.key_id:
        raise SignoffError(
            f"line {line}: signature block altered: key-id does not match the embedded public key"
        )
    if trusted is not None and block.public_key not in trusted.keys:
        ids = ", ".join(key_id_for(key) for key in trusted.keys)
        raise SignoffError(
            f"signed by a different key than {trusted.source} (file: key id {block.key_id}, trusted: key id "
            f"{ids}); a file re-signed with a key embedded in itself is not valid"
        )
    if hashlib.sha256(content).hexdigest() != block.content_sha256:
        raise SignoffError("content changed after signing (its SHA-256 no longer matches the signed digest)")
    try:
        Ed25519PublicKey.from_public_bytes(block.public_key).verify(block.signature, content)
    except InvalidSignature:
        raise SignoffError(
            f"line {line}: signature does not verify: the signature block was altered after signing"
        ) from None
    return Verification(block.key_id, trusted.source if trusted is not None else None)


def verify_file(path: Path, trusted: TrustedKeys) -> Verification:
    """Verify the signed sign-off at ``path`` against trusted keys; errors read ``path[:line]: problem``."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SignoffError(f"{path}: cannot read ({error.strerror})") from None
    try:
        return verify_bytes(data, trusted)
    except SignoffError as error:
        message = str(error)
        located = message.startswith("line ")
        # "line N: ..." becomes "path:N: ..." so editors can jump to it.
        raise SignoffError(f"{path}:{message[5:]}" if located else f"{path}: {message}") from None


TRUST_LIST_ENV = "PREFLIGHT_SIGNOFF_TRUST_LIST"


def resolve_trust(
    public_key: Path | None, trust_list: Path | None, root: Path, env: Mapping[str, str]
) -> TrustedKeys:
    """Return the keys to trust: ``--public-key``, else a trust list (flag or env), else the root's key.

    The key embedded in a sign-off is never trusted on its own: anyone can re-sign a changed file
    with a key of their own and embed it.
    """
    from preflight.signoff.sign import DEFAULT_KEY_PATH, PUBLIC_KEY_SUFFIX

    if public_key is not None:
        return TrustedKeys((load_public_key(public_key),), f"the key given with --public-key {public_key}")
    listed = trust_list or (Path(env[TRUST_LIST_ENV]) if env.get(TRUST_LIST_ENV) else None)
    if listed is not None:
        return TrustedKeys(load_trust_list(listed), f"a key of the trust list {listed}")
    deployment = root / DEFAULT_KEY_PATH
    public = deployment.with_name(deployment.stem + PUBLIC_KEY_SUFFIX)
    if not public.is_file():
        raise SignoffError(
            f"no trusted key to verify against: {public} does not exist; pass --root DIR (the deployment "
            f"that signed it), --public-key FILE or --trust-list FILE (or set {TRUST_LIST_ENV}) - the key "
            "embedded in the file proves nothing on its own"
        )
    return TrustedKeys((load_public_key(public),), f"the deployment's key {public}")
