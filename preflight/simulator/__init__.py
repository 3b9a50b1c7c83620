"""A faithful subset of Bybit V5 spot: in-process httpx transports and a 127.0.0.1 server (SPEC 7).

``SimulatorServer`` is imported on first use so that importing the package stays light. Bybit facts
beyond ``shared/reference/bybit_v5.md`` are in ``docs/bybit_v5_simulator_notes.md``, cited in comments
as "notes, N" (its section N).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from preflight.simulator.accounts import Account
from preflight.simulator.faults import FaultSpec
from preflight.simulator.simulator import BybitSimulator, SimulatorConfig
from preflight.simulator.wire import SimRequest, SimResponse

if TYPE_CHECKING:
    from preflight.simulator.server import SimulatorServer

__all__ = [
    "Account",
    "BybitSimulator",
    "FaultSpec",
    "SimRequest",
    "SimResponse",
    "SimulatorConfig",
    "SimulatorServer",
]


def __getattr__(name: str) -> Any:
    if name == "SimulatorServer":
        from preflight.simulator.server import SimulatorServer

        return SimulatorServer
    raise AttributeError(name)
