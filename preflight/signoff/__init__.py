"""preflight.signoff."""
