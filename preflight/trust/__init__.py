"""preflight.trust."""
