"""Simulated Bybit accounts: api keys with permissions, bound IPs and expiry, and their query-api view."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from preflight.errors import UsageError
from preflight.redact import mask
from preflight.simulator.wire import is_digits


def _default_permissions() -> Mapping[str, tuple[str, ...]]:
    return {"Spot": ("SpotTrade",)}


@dataclass(frozen=True)
class Account:
    """One Bybit account and its api key (HMAC secret or RSA public key); repr never shows the secret."""

    uid: str
    api_key: str
    api_secret: str | None = field(default=None, repr=False)
    rsa_public_key_pem: str | None = field(default=None, repr=False)
    permissions: Mapping[str, tuple[str, ...]] = field(default_factory=_default_permissions)
    read_only: bool = False
    ips: tuple[str, ...] = ()
    expires_at: datetime | None = None
    # Default 10,000 USDT: an account made with only a key can place the usual test orders.
    balances: Mapping[str, Decimal] = field(default_factory=lambda: {"USDT": Decimal("10000")})
    is_master: bool = True
    note: str = ""
    parent_uid: str = "0"
    created_at: datetime | None = None

    def __repr__(self) -> str:
        return (
            f"Account(uid={self.uid!r}, api_key={mask(self.api_key)!r}, read_only={self.read_only}, "
            f"ips={self.ips!r}, expires_at={self.expires_at!r})"
        )

    def can_trade_spot(self) -> bool:
        """Say whether this key may place and cancel spot orders."""
        return not self.read_only and "SpotTrade" in self.permissions.get("Spot", ())

    def is_expired(self, now_ms: int) -> bool:
        """Say whether the key has expired at server time ``now_ms``."""
        return self.expires_at is not None and self.expires_at.timestamp() * 1000 <= now_ms


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _key_id(api_key: str) -> str:
    # A stable numeric id per key, like Bybit's "2208369", without storing anything extra.
    return str(int.from_bytes(hashlib.sha256(api_key.encode()).digest()[:4], "big") % 10_000_000)


def query_api_result(account: Account, now_ms: int) -> dict[str, Any]:
    """Return the ``result`` of GET /v5/user/query-api for ``account`` (shape of reference 3.12)."""
    if account.expires_at is None:
        # Bybit's shape for a key that does not expire (IP-bound keys): the epoch and a negative day count.
        expired_at, deadline_day = "1970-01-01T00:00:00Z", -2
    else:
        remaining_ms = account.expires_at.timestamp() * 1000 - now_ms
        expired_at = _iso(account.expires_at)
        deadline_day = max(0, math.ceil(remaining_ms / 86_400_000))
    created = account.created_at or datetime(2025, 1, 1, tzinfo=UTC)
    return {
        "id": _key_id(account.api_key),
        "note": account.note,
        "apiKey": account.api_key,
        "readOnly": 1 if account.read_only else 0,
        "secret": "",
        "permissions": {name: list(values) for name, values in account.permissions.items()},
        "ips": list(account.ips) if account.ips else ["*"],
        "type": 1,
        "deadlineDay": deadline_day,
        "expiredAt": expired_at,
        "createdAt": _iso(created),
        "unified": 0,
        "uta": 1,
        "userID": int(account.uid) if is_digits(account.uid) else account.uid,
        "inviterID": 0,
        "vipLevel": "No VIP",
        "mktMakerLevel": "0",
        "affiliateID": 0,
        "rsaPublicKey": account.rsa_public_key_pem or "",
        "isMaster": account.is_master,
        "parentUid": account.parent_uid,
        "kycLevel": "LEVEL_1",
        "kycRegion": "",
    }


class AccountBook:
    """The accounts the simulator knows, looked up by api key."""

    def __init__(self) -> None:
        self._by_key: dict[str, Account] = {}
        self._rsa_keys: dict[str, Any] = {}

    def add(self, account: Account) -> None:
        """Add or replace ``account`` (keyed by its api key)."""
        if account.api_secret is None and account.rsa_public_key_pem is None:
            raise UsageError(f"account {account.uid} needs an api secret or an RSA public key")
        self._by_key[account.api_key] = account
        self._rsa_keys.pop(account.api_key, None)

    def get(self, api_key: str) -> Account | None:
        """Return the account owning ``api_key`` or None."""
        return self._by_key.get(api_key)

    def all(self) -> tuple[Account, ...]:
        """Return every account, in insertion order."""
        return tuple(self._by_key.values())

    def rsa_public_key(self, account: Account) -> Any:
        """Return the parsed RSA public key of ``account`` (parsed once, then cached)."""
        key = self._rsa_keys.get(account.api_key)
        if key is None:
            from cryptography.hazmat.primitives.serialization import load_pem_public_key

            assert account.rsa_public_key_pem is not None
            key = load_pem_public_key(account.rsa_public_key_pem.encode())
            self._rsa_keys[account.api_key] = key
        return key
