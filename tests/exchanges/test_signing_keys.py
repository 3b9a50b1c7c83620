"""The fixed RSA test key beside the published vectors, and the parsed-once RSA private keys."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization

from preflight.errors import AuthError
from preflight.exchange.bybit import auth
from preflight.exchange.bybit.vectors import TEST_RSA_PRIVATE_KEY_PEM, TEST_RSA_PUBLIC_KEY_PEM


def test_the_fixed_test_key_pair_belongs_together() -> None:
    private = serialization.load_pem_private_key(TEST_RSA_PRIVATE_KEY_PEM.encode(), password=None)
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert public.decode() == TEST_RSA_PUBLIC_KEY_PEM
    assert private.key_size == 2048  # type: ignore[union-attr]


def test_an_rsa_key_is_parsed_once_and_signs_the_same_every_time() -> None:
    auth._rsa_private_key.cache_clear()
    first = auth.sign_rsa(TEST_RSA_PRIVATE_KEY_PEM, "1672211928338XXXXXXXXXX5000category=spot")
    second = auth.sign_rsa(TEST_RSA_PRIVATE_KEY_PEM, "1672211928338XXXXXXXXXX5000category=spot")
    assert first == second  # RSASSA-PKCS1-v1_5 is deterministic
    info = auth._rsa_private_key.cache_info()
    assert (info.misses, info.hits) == (1, 1)


def test_a_bad_pem_is_refused_every_time_without_quoting_it() -> None:
    bad = "-----BEGIN PRIVATE KEY-----\nnot-a-key-secret-material\n-----END PRIVATE KEY-----\n"
    for _ in range(2):  # a failed parse is not cached as a key
        with pytest.raises(AuthError) as caught:
            auth.sign_rsa(bad, "message")
        assert "not-a-key-secret-material" not in str(caught.value)
