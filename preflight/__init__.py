"""preflight: go-live verification for trading-bot deployments."""

__version__ = "0.1.0"
