"""Write a trusted issuer key into a deployment's config/core.yaml ``licensing.trusted_issuers``."""

from __future__ import annotations

import io
from pathlib import Path

from preflight.fsutil import atomic_write_text


def trust_issuer_in_core(root: Path, key_id: str, issuer: str, public_key_b64: str) -> None:
    """Add (or replace) a trusted issuer key in ``root``'s config/core.yaml, keeping its comments."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    path = root / "config" / "core.yaml"
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)  # the sample's layout, so only the issuer lines change
    yaml.width = 4096
    document = yaml.load(path.read_text("utf-8"))
    licensing = document.setdefault("licensing", CommentedMap())
    issuers = licensing.get("trusted_issuers")
    kept = [i for i in (issuers or []) if i.get("key_id") != key_id]
    entry = CommentedMap([("key_id", key_id), ("issuer", issuer), ("public_key", public_key_b64)])
    sequence = CommentedSeq([*kept, entry])
    sequence.fa.set_block_style()
    licensing["trusted_issuers"] = sequence
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    atomic_write_text(path, buffer.getvalue(), mode=path.stat().st_mode & 0o777)
