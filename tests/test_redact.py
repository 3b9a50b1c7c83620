"""Masking and scrubbing of secret material in text from libraries."""

from __future__ import annotations

from preflight.redact import mask, scrub

KEY = "ABCDEFGHIJKL"
SECRET = KEY + "MNOPQRSTUVWXYZ0123"  # a secret that starts with the key (or any shorter secret)


def test_mask_shows_only_the_last_four() -> None:
    assert mask(SECRET) == "****0123"
    assert mask("short") == "****"
    assert mask(None) == "(none)"


def test_scrub_hides_a_secret_containing_another_whatever_the_order() -> None:
    text = f"request failed: key={KEY} secret={SECRET}"
    for order in ([KEY, SECRET], [SECRET, KEY]):
        scrubbed = scrub(text, order)
        assert "MNOPQRSTUVWXYZ" not in scrubbed
        assert KEY not in scrubbed
        assert scrubbed == "request failed: key=****IJKL secret=****0123"
