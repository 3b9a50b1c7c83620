"""Run a paper session: the simulator on 127.0.0.1, the signed adapters, every servable paper entrypoint.

``run_paper_session`` is the one entry point: it plans, provisions, runs the ticks in simulated time,
computes ``paper_exchange_metrics`` from the adapters' own registry and writes the four artefacts.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from preflight.asyncutil import within
from preflight.deployment.model import Deployment
from preflight.exchange.events import EventType
from preflight.papertrade.clock import SessionClock
from preflight.papertrade.endpoint_guard import refuse_unsafe_endpoints
from preflight.papertrade.events import EventLog, LogEvent
from preflight.papertrade.plan import SessionOptions, SessionPlan, Unservable, make_plan
from preflight.papertrade.provisioning import Provisioned, create_adapter, provision, session_metrics
from preflight.papertrade.runner import EntrypointRunner, RunRecord
from preflight.papertrade.summary import PaperExchangeMetrics, build_paper_exchange_metrics

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

    from preflight.papertrade.artefacts import PaperSessionResult
    from preflight.simulator import BybitSimulator
    from preflight.trust.secrets import Keychain

Progress = Callable[[int, int], None]  # (ticks done, ticks in all)
# Requests per second against an external endpoint: half of Bybit's per-IP limit (600 per 5 s).
EXTERNAL_MAX_RPS = 60.0


@dataclass(frozen=True)
class SessionRun:
    """Everything a session produced, before it is written out."""

    plan: SessionPlan
    records: tuple[RunRecord, ...]
    unservable: tuple[Unservable, ...]
    metrics: PaperExchangeMetrics
    registry: CollectorRegistry
    events: tuple[LogEvent, ...]
    endpoint: str
    started_at: datetime
    finished_at: datetime
    wall_seconds: float
    # the embedded simulator the session ran against (None for an external endpoint): tests read its
    # orders and fault counts; the frozen dataclass keeps the attribute itself read-only
    simulator: BybitSimulator | None = None

    @property
    def target(self) -> RunRecord:
        """Return the record of the entrypoint the session was run for."""
        return next(r for r in self.records if r.entrypoint == self.plan.target)


def _simulator(plan: SessionPlan, ready: Sequence[Provisioned], clock: SessionClock) -> BybitSimulator:
    from preflight.simulator import BybitSimulator, FaultSpec, SimulatorConfig

    embedded = [item for item in ready if item.plan.base_url is None]
    symbols = tuple(dict.fromkeys(s for item in embedded for s in item.plan.symbols))
    config = SimulatorConfig(
        accounts=tuple(item.account for item in embedded if item.account is not None),
        seed=plan.seed,
        faults=FaultSpec.parse(plan.faults),
        symbols=symbols,
        interval_seconds=plan.interval_seconds,
    )
    return BybitSimulator(config, clock_ms=clock.now_ms)


@contextlib.contextmanager
def _serving(simulator: BybitSimulator | None) -> Iterator[str | None]:
    if simulator is None:
        yield None
        return
    from preflight.simulator import SimulatorServer

    with SimulatorServer(simulator, "127.0.0.1", 0) as server:
        yield server.url


async def _drive(
    plan: SessionPlan,
    ready: Sequence[Provisioned],
    simulator: BybitSimulator | None,
    url: str | None,
    clock: SessionClock,
    log: EventLog,
    progress: Progress | None,
) -> tuple[tuple[RunRecord, ...], CollectorRegistry]:
    from preflight.exchange.bybit.bans import HostBans
    from preflight.exchange.plain_http import transport_for
    from preflight.papertrade.transport import CountingTransport

    metrics, union = session_metrics(ready)
    wall = SessionClock(simulated=False)
    stamp = datetime.fromtimestamp(clock.now(), tz=UTC).strftime("%H%M%S")
    runners: list[EntrypointRunner] = []
    bans = HostBans()  # an IP ban hits every entrypoint of the session talking to that host
    async with contextlib.AsyncExitStack() as stack:
        for index, item in enumerate(ready):
            embedded = item.plan.base_url is None
            own = clock if embedded else wall  # a real exchange's clock cannot be moved
            host = (url or "") if embedded else (item.plan.base_url or "")
            counter = CountingTransport(transport_for(host), clock_ms=own.now_ms)
            adapter = create_adapter(
                item,
                metrics[item.plan.adapter.exchange],
                base_url=host,
                warning_seconds=plan.warning_seconds,
                seed=plan.seed,
                transport=counter,
                clock=own.now,
                sleep=own.sleep,
                events=log.sink_for(item.plan.entrypoint),
                bans=bans,
            )
            await stack.enter_async_context(adapter)
            prefix = f"pf{stamp}e{index}"
            runners.append(
                EntrypointRunner(
                    item.plan, adapter, counter, log, link_prefix=prefix, secrets=item.credentials.secrets
                )
            )
        await asyncio.gather(*(runner.start() for runner in runners))
        external = [r for r, item in zip(runners, ready, strict=True) if item.plan.base_url is not None]
        for tick in range(1, plan.ticks + 1):
            log.tick = tick
            started, sent = time.perf_counter(), sum(r.counter.count for r in external)
            await asyncio.gather(*(runner.step(tick) for runner in runners))
            if external:  # a real exchange's limits run on wall time: keep well under its per-IP rate
                sent = sum(r.counter.count for r in external) - sent
                await asyncio.sleep(max(0.0, sent / EXTERNAL_MAX_RPS - (time.perf_counter() - started)))
            clock.advance(plan.interval_seconds)
            if simulator is not None:
                simulator.advance()
            if progress is not None:
                progress(tick, plan.ticks)
        records = await asyncio.gather(*(runner.finish() for runner in runners))
    return tuple(records), union


def run_session(
    deployment: Deployment,
    keychain: Callable[[], Keychain],
    options: SessionOptions,
    *,
    progress: Progress | None = None,
) -> SessionRun:
    """Plan, provision and run the session; no files are written here."""
    plan = make_plan(deployment, options)
    refuse_unsafe_endpoints(plan)  # before any key is read or any request is made
    ready, skipped = provision(plan.runnable, keychain, plan.target)
    unservable = (*plan.unservable, *skipped)
    started_at = datetime.now(UTC)
    wall_start = time.perf_counter()
    embedded = any(item.plan.base_url is None for item in ready)
    clock = SessionClock(simulated=embedded)
    log = EventLog(clock.now_ms)
    simulator = _simulator(plan, ready, clock) if embedded else None
    with _serving(simulator) as url:
        drive = _drive(plan, ready, simulator, url, clock, log, progress)
        records, registry = asyncio.run(within(drive, options.deadline_s, "the paper session"))
    run_errors = [f"{u.entrypoint}: not run: {u.reason}" for u in unservable]
    run_errors += [error for record in records for error in record.errors]
    metrics = build_paper_exchange_metrics(plan.monitored, registry, run_errors)
    log.tick = plan.ticks
    for block in metrics.entrypoints:
        for breach in block.breaches:
            log.add(block.name, EventType.BREACH, breach.to_json())
    target = next(item for item in ready if item.plan.entrypoint == plan.target)
    endpoint = f"embedded Bybit simulator at {url}" if target.plan.base_url is None else target.plan.base_url
    return SessionRun(
        plan=plan,
        records=records,
        unservable=unservable,
        metrics=metrics,
        registry=registry,
        events=tuple(log.events),
        endpoint=endpoint,
        started_at=started_at,
        finished_at=datetime.now(UTC),
        wall_seconds=time.perf_counter() - wall_start,
        simulator=simulator,
    )


def run_paper_session(
    deployment: Deployment,
    keychain: Callable[[], Keychain],
    options: SessionOptions,
    *,
    root: Path | None = None,
    progress: Progress | None = None,
) -> PaperSessionResult:
    """Run the session for ``options.entrypoint``; write its artefacts under ``root`` (default: its root)."""
    from preflight.papertrade.artefacts import output_dirs, write_artefacts

    target = root or deployment.root
    output_dirs(deployment.runtime.io_queue.log_directory, target)  # refuse bad folders before any tick
    run = run_session(deployment, keychain, options, progress=progress)
    return write_artefacts(run, target)
