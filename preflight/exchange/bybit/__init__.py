"""preflight.exchange.bybit."""
