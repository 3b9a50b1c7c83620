"""preflight.simulator."""
