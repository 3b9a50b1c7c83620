"""The license issuer key of a new deployment: made (or reused) outside the root, trusted by core.yaml.

A desk that licenses its own machines keeps one issuer key for all of them: ``--issuer-key FILE`` reuses
an existing key (its key id is derived from the public key, so it is the same everywhere) or creates
one there. Without it, a new key goes under the user's config folder - never inside the deployment,
which is meant for version control.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from preflight.initialise.base import PROFILE, InitRequest

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from preflight.trust.issuer_keys import IssuerKeyPair


def key_id_for(issuer_name: str, public_key_b64: str) -> str:
    """Return the key id a public key is trusted under: the issuer and 12 hex digits of its SHA-256."""
    return f"{issuer_name}-{hashlib.sha256(public_key_b64.encode('ascii')).hexdigest()[:12]}"


def default_key_folder(env: Mapping[str, str]) -> Path:
    """Return where new issuer keys go: ``$XDG_CONFIG_HOME/preflight/issuer-keys`` (else ~/.config/...)."""
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME") or Path.home()) / ".config")
    return Path(base) / "preflight" / "issuer-keys"


@dataclass(frozen=True, repr=False)
class Signer:
    """An issuer key ready to sign, and where it is (or will be) kept."""

    path: Path
    key_id: str
    issuer: str
    public_key_b64: str
    private_key: Ed25519PrivateKey
    new_pair: IssuerKeyPair | None  # set when the key was generated and still has to be saved

    def __repr__(self) -> str:
        return f"Signer(key_id={self.key_id!r}, path={str(self.path)!r})"

    def trusted_entry(self) -> dict[str, str]:
        """Return the core.yaml ``licensing.trusted_issuers`` entry of this key."""
        return {"key_id": self.key_id, "issuer": self.issuer, "public_key": self.public_key_b64}

    def issue(self, request: InitRequest, path: Path, fingerprint: str) -> None:
        """Sign a paper and live license for ``fingerprint`` (this machine) on the deployment's exchange."""
        from preflight.initialise.documents import EXCHANGE
        from preflight.trust.license import new_payload, sign_payload, write_license

        payload = new_payload(
            issuer=self.issuer,
            licensee=request.licensee or request.root.resolve().name,
            profile=PROFILE,
            exchanges=(EXCHANGE,),
            environments=("paper", "live"),
            days=request.days,
            fingerprint=fingerprint,
        )
        write_license(path, sign_payload(payload, self.private_key, self.key_id))

    def save(self) -> None:
        """Write a newly generated key (0600, in a 0700 folder); a reused key is left alone."""
        from preflight.errors import UsageError
        from preflight.trust.issuer_keys import write_private_key

        if self.new_pair is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if self.path.exists():
            raise UsageError(f"refusing to overwrite the issuer key {self.path}; pass --issuer-key")
        write_private_key(self.path, self.new_pair)


def prepare(request: InitRequest) -> Signer:
    """Load the ``--issuer-key`` when it exists, else generate a key to be saved there (or by default)."""
    from preflight.trust.issuer_keys import (
        generate_key_pair,
        load_private_key,
        private_key_from_pem,
        public_key_b64,
    )

    if request.issuer_key is not None and request.root.resolve() in request.issuer_key.resolve().parents:
        from preflight.errors import UsageError

        raise UsageError(
            f"--issuer-key {request.issuer_key} lies inside the deployment, which goes into version control; "
            "keep the issuer's private key outside it"
        )
    if request.issuer_key is not None and request.issuer_key.exists():
        key = load_private_key(request.issuer_key)  # LicenseError naming the file when it is no key
        public = public_key_b64(key)
        return Signer(
            request.issuer_key, key_id_for(request.issuer, public), request.issuer, public, key, None
        )
    pair = generate_key_pair()
    key_id = key_id_for(request.issuer, pair.public_key_b64)
    path = request.issuer_key or default_key_folder(request.env or os.environ) / f"{key_id}.pem"
    key = private_key_from_pem(pair.private_pem, "the generated issuer key")
    return Signer(path, key_id, request.issuer, pair.public_key_b64, key, pair)
