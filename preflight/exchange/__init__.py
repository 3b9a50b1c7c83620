"""preflight.exchange."""
