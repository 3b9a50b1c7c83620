"""Bybit V5 request signing: credentials and an ``httpx.Auth`` that signs the exact bytes sent.

The string to sign is ``timestamp + api_key + recv_window + payload`` where the payload is the raw
query string of a GET (exactly as it goes on the wire) or the raw body of a POST. HMAC keys give a
lowercase hex HMAC-SHA256; RSA keys give base64 RSASSA-PKCS1-v1_5 over SHA-256 (reference 1.2, 1.5).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import httpx

from preflight.errors import AuthError
from preflight.redact import mask

SIGN_TYPE = "2"  # what Bybit's own samples, pybit and hummingbot send for HMAC and RSA alike
DEFAULT_RECV_WINDOW_MS = 5000


@dataclass(frozen=True)
class Credentials:
    """An API key with either an HMAC secret or an RSA private key (PEM); repr never shows secrets."""

    api_key: str
    api_secret: str | None = field(default=None, repr=False)
    rsa_private_key_pem: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.api_key:
            raise AuthError("the API key is empty; store the key in the secrets entry")
        if (self.api_secret is None) == (self.rsa_private_key_pem is None):
            raise AuthError(
                f"credentials for key {mask(self.api_key)} need exactly one of an HMAC secret or an RSA "
                "private key"
            )

    def __repr__(self) -> str:
        return f"Credentials(api_key={mask(self.api_key)!r}, method={self.method!r})"

    __str__ = __repr__

    @property
    def method(self) -> str:
        """Return ``hmac`` or ``rsa``."""
        return "rsa" if self.rsa_private_key_pem else "hmac"

    @property
    def secrets(self) -> tuple[str, ...]:
        """Return the secret strings, for scrubbing library messages before they are shown."""
        return tuple(s for s in (self.api_secret, self.rsa_private_key_pem) if s)

    @classmethod
    def from_entry(cls, entry: Any) -> Credentials:
        """Build credentials from a secrets-store entry (``api_key``, ``api_secret``, ``rsa_private_key``)."""
        api_key = getattr(entry, "api_key", None)
        secret = getattr(entry, "api_secret", None) or None
        rsa_key = getattr(entry, "rsa_private_key", None) or None
        if not isinstance(api_key, str) or not api_key:
            raise AuthError(f"secrets entry {getattr(entry, 'name', '?')!r} has no API key")
        return cls(api_key=api_key, api_secret=secret, rsa_private_key_pem=rsa_key)


def string_to_sign(timestamp_ms: int | str, api_key: str, recv_window_ms: int | str, payload: str) -> str:
    """Return Bybit's string to sign: timestamp, key, recv window and payload, concatenated."""
    return f"{timestamp_ms}{api_key}{recv_window_ms}{payload}"


def sign_hmac(secret: str, message: str) -> str:
    """Return the lowercase hex HMAC-SHA256 of ``message`` under ``secret``."""
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def sign_rsa(private_key_pem: str, message: str) -> str:
    """Return base64 RSASSA-PKCS1-v1_5 / SHA-256 of ``message`` under the PEM private key."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    signature = _rsa_private_key(private_key_pem).sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode("ascii")


@lru_cache(maxsize=8)
def _rsa_private_key(private_key_pem: str) -> Any:
    """Parse and validate a PEM RSA private key once (about 55 ms); every later signature reuses it."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    try:
        key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    except (ValueError, TypeError):
        # the library message could quote key material; say what to do instead
        raise AuthError("the RSA private key is not an unencrypted PEM key; re-import it") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise AuthError("the private key is not an RSA key; Bybit accepts RSA keys only")
    return key


def sign(credentials: Credentials, message: str) -> str:
    """Sign ``message`` with whichever secret the credentials hold."""
    if credentials.rsa_private_key_pem:
        return sign_rsa(credentials.rsa_private_key_pem, message)
    assert credentials.api_secret is not None  # guaranteed by Credentials.__post_init__
    return sign_hmac(credentials.api_secret, message)


def signed_payload(request: httpx.Request) -> str:
    """Return the payload Bybit signs for ``request``: the raw query of a GET, the raw body otherwise."""
    if request.method == "GET":
        return request.url.query.decode("ascii")
    return request.content.decode("utf-8")


class BybitAuth(httpx.Auth):
    """Sign each request over its exact wire bytes; ``clock`` returns the server-aligned epoch ms."""

    requires_request_body = True  # the POST body must be read before it can be signed

    def __init__(
        self,
        credentials: Credentials,
        recv_window_ms: int = DEFAULT_RECV_WINDOW_MS,
        clock: Callable[[], int] | None = None,
    ) -> None:
        self.credentials = credentials
        self.recv_window_ms = recv_window_ms
        self._clock = clock or _wall_clock_ms

    def __repr__(self) -> str:
        return f"BybitAuth({self.credentials!r}, recv_window_ms={self.recv_window_ms})"

    def headers_for(self, payload: str, timestamp_ms: int) -> dict[str, str]:
        """Return the authentication headers for ``payload`` signed at ``timestamp_ms``."""
        key = self.credentials.api_key
        message = string_to_sign(timestamp_ms, key, self.recv_window_ms, payload)
        return {
            "X-BAPI-API-KEY": key,
            "X-BAPI-TIMESTAMP": str(timestamp_ms),
            "X-BAPI-SIGN": sign(self.credentials, message),
            "X-BAPI-RECV-WINDOW": str(self.recv_window_ms),
            "X-BAPI-SIGN-TYPE": SIGN_TYPE,
        }

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the signature headers; a retry builds a new request, so each attempt is signed afresh."""
        request.headers.update(self.headers_for(signed_payload(request), self._clock()))
        yield request


def _wall_clock_ms() -> int:
    import time

    return int(time.time() * 1000)
