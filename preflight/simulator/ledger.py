"""Per-account coin balances: ``walletBalance`` includes what open orders have ``locked``."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

ZERO = Decimal(0)


class Ledger:
    """Wallet and locked amounts per uid and coin."""

    def __init__(self) -> None:
        self._wallet: dict[str, dict[str, Decimal]] = {}
        self._locked: dict[str, dict[str, Decimal]] = {}

    def open_account(self, uid: str, balances: Mapping[str, Decimal]) -> None:
        """Start ``uid`` with ``balances`` (a repeated call for a known uid keeps its current state)."""
        if uid in self._wallet:
            return
        self._wallet[uid] = {coin: Decimal(amount) for coin, amount in balances.items()}
        self._locked[uid] = {}

    def wallet(self, uid: str, coin: str) -> Decimal:
        """Return the wallet balance of ``coin`` (locked included)."""
        return self._wallet.get(uid, {}).get(coin, ZERO)

    def locked(self, uid: str, coin: str) -> Decimal:
        """Return the amount of ``coin`` locked by open orders."""
        return self._locked.get(uid, {}).get(coin, ZERO)

    def available(self, uid: str, coin: str) -> Decimal:
        """Return what can be spent: wallet minus locked."""
        return self.wallet(uid, coin) - self.locked(uid, coin)

    def coins(self, uid: str) -> tuple[str, ...]:
        """Return every coin the account has ever held, sorted."""
        return tuple(sorted(set(self._wallet.get(uid, {})) | set(self._locked.get(uid, {}))))

    def lock(self, uid: str, coin: str, amount: Decimal) -> None:
        """Reserve ``amount`` of ``coin`` for an open order."""
        book = self._locked.setdefault(uid, {})
        book[coin] = book.get(coin, ZERO) + amount

    def unlock(self, uid: str, coin: str, amount: Decimal) -> None:
        """Release up to ``amount`` of ``coin`` (never below zero)."""
        book = self._locked.setdefault(uid, {})
        book[coin] = max(ZERO, book.get(coin, ZERO) - amount)

    def transfer(self, uid: str, coin: str, delta: Decimal) -> None:
        """Add ``delta`` (may be negative) to the wallet balance of ``coin``."""
        wallet = self._wallet.setdefault(uid, {})
        wallet[coin] = wallet.get(coin, ZERO) + delta
