"""Ed25519 signing and verification of sign-offs: any change is caught and named in one sentence."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from preflight.errors import SignoffError
from preflight.signoff.sign import (
    DEFAULT_KEY_PATH,
    PASSPHRASE_ENV,
    SigningKey,
    default_signing_key,
    load_signing_key,
    sign_text,
)
from preflight.signoff.verify import TrustedKeys, load_public_key, split_signed, verify_bytes, verify_file


def _public_raw(key: SigningKey) -> bytes:
    return base64.b64decode(key.public_b64)


def _trusted(raw: bytes) -> TrustedKeys:
    return TrustedKeys((raw,), "--public-key")


def _problem(data: bytes, expected: bytes | None = None) -> str:
    with pytest.raises(SignoffError) as caught:
        verify_bytes(data, _trusted(expected) if expected is not None else None)
    return str(caught.value)


def test_signed_sign_off_verifies(signed_text: str, test_key: SigningKey) -> None:
    verification = verify_bytes(signed_text.encode(), _trusted(_public_raw(test_key)))
    assert verification.key_id == test_key.key_id and verification.pinned
    assert verification.summary().startswith(f"signature valid (key id {test_key.key_id})")


def test_without_trusted_keys_it_says_integrity_only(signed_text: str) -> None:
    summary = verify_bytes(signed_text.encode()).summary()
    assert "against the public key embedded in the file only" in summary and "valid" not in summary


def test_changing_any_single_byte_of_the_content_is_caught(signed_text: str) -> None:
    data = signed_text.encode()
    content, _, _ = split_signed(data)
    for position in range(len(content)):
        changed = bytearray(data)
        changed[position] = ord("X") if changed[position] != ord("X") else ord("Y")
        problem = _problem(bytes(changed))
        assert problem.startswith("content changed after signing"), (position, problem)


def test_inserting_or_deleting_a_character_is_caught(signed_text: str) -> None:
    index = signed_text.index("GO WITH EXCEPTIONS")
    inserted = signed_text[:index] + " " + signed_text[index:]
    deleted = signed_text[:index] + signed_text[index + 1 :]
    for text in (inserted, deleted, signed_text.replace("[ ]", "[x]", 1)):
        assert _problem(text.encode()).startswith("content changed after signing")


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("signature", "signature does not verify: the signature block was altered after signing"),
        ("key-id", "signature block altered: key-id does not match the embedded public key"),
        ("public-key", "signature block altered: key-id does not match the embedded public key"),
        ("content-sha256", "content changed after signing"),
    ],
)
def test_tampering_with_the_block_is_named(signed_text: str, field: str, expected: str) -> None:
    lines = signed_text.split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith(field + ": "))
    value = lines[index].split(": ", 1)[1]
    flipped = ("B" if value[0] != "B" else "C") + value[1:]
    lines[index] = f"{field}: {flipped}"
    assert expected in _problem("\n".join(lines).encode())


def test_a_forged_signature_over_changed_content_with_its_digest_fails(signed_text: str) -> None:
    import hashlib

    content, block, _ = split_signed(signed_text.encode())
    forged_content = content.replace(b"Jan Nowak", b"Eve Mallory")
    old = hashlib.sha256(content).hexdigest().encode()
    forged = forged_content + block.replace(old, hashlib.sha256(forged_content).hexdigest().encode())
    assert "signature does not verify" in _problem(forged + b"\n")


def test_missing_block_malformed_block_and_trailing_text(signed_text: str) -> None:
    content, _, _ = split_signed(signed_text.encode())
    assert _problem(content).startswith("signature block missing")
    prose = b"The block starts with `<!-- preflight-signature v1` and ends the file.\n"
    assert _problem(prose).startswith("signature block missing")
    assert "unexpected line" in _problem(
        signed_text.replace("algorithm: Ed25519", "algorithm Ed25519").encode()
    )
    assert "unsupported signature algorithm 'RSA'" in _problem(
        signed_text.replace(": Ed25519", ": RSA").encode()
    )
    assert "signature is not base64" in _problem(signed_text.replace("signature: ", "signature: !!").encode())
    assert "no closing '-->'" in _problem(signed_text.replace("\n-->", "\n--").encode())
    assert "content added after the signature block" in _problem((signed_text + "PS: also GO\n").encode())
    assert "line endings were converted to CRLF" in _problem(signed_text.replace("\n", "\r\n").encode())
    assert "missing signature" in _problem(
        "\n".join(line for line in signed_text.split("\n") if not line.startswith("signature: ")).encode()
    )


def test_a_different_public_key_fails(signed_text: str, tmp_path: Path) -> None:
    other = Ed25519PrivateKey.generate().public_key()
    path = tmp_path / "other.pub.pem"
    path.write_bytes(
        other.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    signed = tmp_path / "signoff.md"
    signed.write_text(signed_text, encoding="utf-8")
    with pytest.raises(SignoffError, match=r"signed by a different key than --public-key \(file: key id "):
        verify_file(signed, TrustedKeys((load_public_key(path),), "--public-key"))


def test_verify_file_names_the_file_and_line(signed_text: str, tmp_path: Path) -> None:
    signed = tmp_path / "signoff.md"
    signed.write_text(signed_text.replace("key-id: ", "key-id: 0"), encoding="utf-8")
    line = signed_text.split("\n").index(next(x for x in signed_text.split("\n") if x.startswith("<!--"))) + 1
    with pytest.raises(SignoffError) as caught:
        verify_file(signed, TrustedKeys((), "nothing"))
    assert str(caught.value).startswith(f"{signed}:{line}: signature block altered")


def test_default_key_is_created_once_with_0600_and_a_public_key(tmp_path: Path) -> None:
    key = default_signing_key(tmp_path, env={})
    path = tmp_path / DEFAULT_KEY_PATH
    assert key.created and key.path == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key.public_path is not None and load_public_key(key.public_path) == _public_raw(key)
    again = default_signing_key(tmp_path, env={})
    assert not again.created and again.key_id == key.key_id and again.warning is None


def test_a_world_readable_key_is_reported(tmp_path: Path) -> None:
    key = default_signing_key(tmp_path, env={})
    os.chmod(key.path, 0o644)
    assert "readable by others (mode 0644)" in (load_signing_key(key.path, env={}).warning or "")


def test_key_material_never_appears_in_repr_or_signed_text(tmp_path: Path, signed_text: str) -> None:
    key = default_signing_key(tmp_path, env={})
    pem = key.path.read_text()
    body = "".join(pem.strip().splitlines()[1:-1])
    raw_private = key.private_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    signed = sign_text("# hello\n", key)
    for shown in (repr(key), str(key), signed):
        assert body not in shown
        assert base64.b64encode(raw_private).decode() not in shown
        assert raw_private.hex() not in shown


def test_unusable_keys_give_one_sentence(tmp_path: Path) -> None:
    not_pem = tmp_path / "junk.pem"
    not_pem.write_text("hello")
    with pytest.raises(SignoffError, match="not a readable PEM private key"):
        load_signing_key(not_pem, env={})
    encrypted = tmp_path / "enc.pem"
    encrypted.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"s3cret-pass"),
        )
    )
    with pytest.raises(SignoffError, match=f"encrypted; set {PASSPHRASE_ENV}"):
        load_signing_key(encrypted, env={})
    assert load_signing_key(encrypted, env={PASSPHRASE_ENV: "s3cret-pass"}).key_id
    from cryptography.hazmat.primitives.asymmetric import ec

    ec_key = tmp_path / "ec.pem"
    ec_key.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    with pytest.raises(SignoffError, match="not an Ed25519 key"):
        load_signing_key(ec_key, env={})
    with pytest.raises(SignoffError, match="holds a private key; pass the public key"):
        load_public_key(ec_key)
