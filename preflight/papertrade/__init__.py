"""preflight.papertrade."""
