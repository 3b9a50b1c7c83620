"""Helpers for the trust tests: edit a demo deployment's keychain and license in place."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

FACTORS = {
    "machine_id": "0123456789abcdef0123456789abcdef",
    "cpu_model": "Test CPU 9000",
    "nic:eth0": "02:00:00:00:00:01",
}


def passphrase_of(root: Path) -> str:
    """Return the demo store's passphrase (from its passphrase file)."""
    return (root / "var/secrets/passphrase").read_text().strip()


def edit_entry(root: Path, name: str, **changes: Any) -> None:
    """Rewrite one keychain entry of ``root``'s store with ``changes``."""
    from preflight.trust.store_file import read_store, write_store

    path = root / "var/secrets/keychain.enc"
    entries = read_store(path, passphrase_of(root))
    entries[name] = dataclasses.replace(entries[name], **changes)
    write_store(path, passphrase_of(root), entries)


def remove_entry(root: Path, name: str) -> None:
    """Delete one keychain entry of ``root``'s store."""
    from preflight.trust.store_file import read_store, write_store

    path = root / "var/secrets/keychain.enc"
    entries = read_store(path, passphrase_of(root))
    del entries[name]
    write_store(path, passphrase_of(root), entries)


class Issuer:
    """A test issuer: its key is trusted by a deployment, and it re-signs that deployment's license."""

    def __init__(
        self, root: Path, *, issuer: str = "dudzian", key_id: str = "dudzian-test", trust: bool = True
    ) -> None:
        from preflight.trust.demo import trust_issuer_in_core
        from preflight.trust.issuer_keys import generate_key_pair, private_key_from_pem

        pair = generate_key_pair()
        self.root, self.key_id = root, key_id
        self.key = private_key_from_pem(pair.private_pem, "test key")
        if trust:
            trust_issuer_in_core(root, key_id, issuer, pair.public_key_b64)

    def reissue(self, **changes: Any) -> None:
        """Sign the deployment's current license payload with ``changes`` applied, and write it."""
        from preflight.trust.license import load_license, sign_payload, write_license

        path = self.root / "var/licenses/active/license.json"
        payload = dataclasses.replace(load_license(path).payload, **changes)
        write_license(path, sign_payload(payload, self.key, self.key_id))
