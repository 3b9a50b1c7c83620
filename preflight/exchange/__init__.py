"""Exchange adapters: the explicit registry of adapter names a deployment may reference."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class AdapterInfo:
    """What a registered adapter trades and where its implementation lives (imported lazily)."""

    name: str
    exchange: str  # the metrics label `exchange`, e.g. "bybit"
    market: str  # spot | linear | ...
    module: str  # dotted module exposing `create_adapter`


ADAPTERS: Mapping[str, AdapterInfo] = {
    "bybit_spot": AdapterInfo(
        name="bybit_spot", exchange="bybit", market="spot", module="preflight.exchange.bybit.client"
    ),
}
