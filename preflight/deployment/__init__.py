"""preflight.deployment."""
