"""preflight.reporters."""
