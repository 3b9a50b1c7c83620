"""Fault soak: paper sessions under every simulator fault type and their mixture, over many seeds.

For each (fault spec, seed) a short session runs against the embedded simulator with thresholds drawn
from the seed, and must:
- end (within a time limit; the session runs in simulated time, so it never needs long);
- never double-order: every orderLinkId the simulator accepted appears once;
- count every injected fault under the right metric and severity: each injected 10006 is one
  ``bot_exchange_rate_limited_total`` and one ``rate_limit`` guardrail event; each injected transient
  failure (5xx, timeout, reset, bad JSON) is one ``transient`` attempt and lands in the ``warning``
  (recovered) or ``error`` (budget exhausted) severity, never ``critical``; timeouts and resets are
  ``timeout`` guardrail events;
- breach exactly the thresholds the observed series exceed, and the summary says ``breached`` exactly
  then (the NO-GO verdict of the ``paper.`` checks hangs on that status).
The default run is small (3 seeds per fault type); ``--soak`` runs 30 seeds plus heavy fault rates.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
from collections import Counter
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

TimeLimit = Callable[[float, str], AbstractContextManager[None]]  # the conftest fixture

ENTRYPOINT = "bybit_desktop_paper"
PAPER_PROFILE = "bybit_paper"
TICKS = 40
SESSION_TIME_LIMIT_S = 240  # a hang guard: generous, the machine is shared and noisy
TRANSIENT = ("server_error", "timeout", "reset", "bad_json")
SEVERITIES = ("warning", "error", "critical")

FAULTS: Mapping[str, str] = {
    "rate_limit": "rate_limit=0.08",
    "server_error": "server_error=0.08",
    "timeout": "timeout=0.06",
    "reset": "reset=0.06",
    "bad_json": "bad_json=0.06",
    "skew": "skew_ms=3000",
    "mixture": "rate_limit=0.04,server_error=0.04,timeout=0.03,reset=0.03,bad_json=0.03,skew_ms=2000",
}
# Heavy rates exhaust retry budgets (severity ``error``) and push skew past recv_window.
HEAVY_FAULTS: Mapping[str, str] = {
    "rate_limit_heavy": "rate_limit=0.5",
    "server_error_heavy": "server_error=0.5",
    "timeout_reset_heavy": "timeout=0.3,reset=0.3",
    "bad_json_heavy": "bad_json=0.4",
    "skew_beyond_window": "skew_ms=8000",
    "mixture_heavy": "rate_limit=0.15,server_error=0.15,timeout=0.1,reset=0.1,bad_json=0.1,skew_ms=-4000",
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise over fault specs and seeds: 3 seeds by default, 30 with ``--soak``."""
    soak = bool(metafunc.config.getoption("--soak"))
    seeds = range(1, 31) if soak else range(1, 4)
    if "fault_case" in metafunc.fixturenames:
        cases = [(name, spec, seed) for name, spec in FAULTS.items() for seed in seeds]
        metafunc.parametrize("fault_case", cases, ids=[f"{n}-seed{s}" for n, _, s in cases])
    if "heavy_case" in metafunc.fixturenames:
        cases = [(name, spec, seed) for name, spec in HEAVY_FAULTS.items() for seed in seeds]
        metafunc.parametrize("heavy_case", cases, ids=[f"{n}-seed{s}" for n, _, s in cases])


@dataclass(frozen=True)
class Limits:
    """The thresholds a soak run sets on the paper profile."""

    rate_limit_max: int
    network_errors_max: int
    health_min: float


def limits_for(seed: int) -> Limits:
    """Draw thresholds from the seed, so runs land on both sides of every threshold."""
    rng = random.Random(f"limits:{seed}")
    return Limits(rng.choice((0, 2, 5, 20)), rng.choice((0, 3, 10, 60)), rng.choice((1.0, 0.5)))


def with_limits(deployment: Any, limits: Limits) -> Any:
    """Return ``deployment`` with the paper profile's thresholds replaced."""
    from preflight.deployment.model import Thresholds

    profile = deployment.runtime.paper_profiles[PAPER_PROFILE]
    thresholds = Thresholds(limits.rate_limit_max, limits.network_errors_max, limits.health_min)
    metrics = dataclasses.replace(profile.metrics, thresholds=thresholds)
    profiles = {
        **deployment.runtime.paper_profiles,
        PAPER_PROFILE: dataclasses.replace(profile, metrics=metrics),
    }
    runtime = dataclasses.replace(deployment.runtime, paper_profiles=profiles)
    return dataclasses.replace(deployment, runtime=runtime)


@dataclass(frozen=True)
class SoakRun:
    """A finished session and the simulator it ran against."""

    run: Any  # papertrade.session.SessionRun
    simulator: Any  # simulator.BybitSimulator


def run_soak_session(
    demo_root: Path, time_limit: TimeLimit, faults: str, seed: int, limits: Limits
) -> SoakRun:
    """Run one session in simulated time, keeping hold of the simulator it creates."""
    from preflight.deployment.load import load_deployment
    from preflight.papertrade import session as session_module
    from preflight.papertrade.plan import SessionOptions
    from preflight.trust.secrets import open_keychain

    deployment = with_limits(load_deployment(demo_root), limits)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFLIGHT_")}
    options = SessionOptions(ENTRYPOINT, ticks=TICKS, seed=seed, faults=faults)
    with time_limit(SESSION_TIME_LIMIT_S, "the paper session"):
        run = session_module.run_session(deployment, lambda: open_keychain(deployment, env), options)
    assert run.simulator is not None, "the session should run against an embedded simulator"
    return SoakRun(run, run.simulator)


def series_total(index: Any, name: str, **labels: str) -> float:
    """Return the sum of the matching series (0 when none)."""
    return index.total(name, {"exchange": "bybit", "entrypoint": ENTRYPOINT, **labels}) or 0.0


def check_invariants(soak: SoakRun, limits: Limits) -> None:
    """Assert the soak invariants of the module docstring for one finished session."""
    from preflight.papertrade.samples import read_registry

    run, simulator = soak.run, soak.simulator
    injected = dict(simulator.fault_counts)
    index = read_registry(run.registry)

    # Nothing double-ordered: every accepted orderLinkId is unique per account.
    for account in simulator.config.accounts:
        links = Counter(order.order_link_id for order in simulator.orders_for(account.uid))
        doubled = {link: n for link, n in links.items() if n > 1}
        assert not doubled, f"orders placed twice under one orderLinkId: {doubled}"

    # Every fault counted under the right metric and severity.
    rate_limited = series_total(index, "bot_exchange_rate_limited_total")
    assert rate_limited == injected["rate_limit"], (rate_limited, injected)
    outcome = {
        key: series_total(index, "bot_exchange_requests_total", outcome=key)
        for key in ("transient", "rate_limited", "auth_failed", "clock_skew", "ip_banned")
    }
    transient_injected = sum(injected[name] for name in TRANSIENT)
    assert outcome["transient"] == transient_injected, (outcome, injected)
    assert outcome["rate_limited"] == injected["rate_limit"], (outcome, injected)
    assert outcome["auth_failed"] == outcome["ip_banned"] == 0, outcome
    # A 10002 can only come from an injected skew, and one resync must make it good (a warning).
    resyncs = outcome["clock_skew"]
    assert resyncs == 0 or simulator.config.faults.skew_ms != 0, outcome
    severity = {sev: series_total(index, "bot_exchange_errors_total", severity=sev) for sev in SEVERITIES}
    assert severity["critical"] == 0, severity
    assert severity["warning"] <= transient_injected + resyncs, (severity, injected, resyncs)
    if transient_injected == 0 and injected["rate_limit"] == 0 and resyncs == 0:
        assert severity == {"warning": 0, "error": 0, "critical": 0}, severity
    if transient_injected:
        assert severity["warning"] + severity["error"] >= 1, (severity, injected)
    if severity["error"] == 0:  # nothing exhausted its budget: every transient failure was recovered
        assert severity["warning"] == transient_injected + resyncs, (severity, injected, resyncs)
    events = Counter(str(event.type) for event in run.events)
    assert events["rate_limit"] == injected["rate_limit"], (events, injected)
    assert events["timeout"] == injected["timeout"] + injected["reset"], (events, injected)

    # The verdict: breached exactly when an observed series exceeds its threshold.
    network_errors = sum(severity.values())
    health = index.total("bot_exchange_health_status", {"exchange": "bybit", "entrypoint": ENTRYPOINT})
    assert health is not None, "the health series must exist"
    expected = {
        key
        for key, exceeded in (
            ("rate_limit_max", rate_limited > limits.rate_limit_max),
            ("network_errors_max", network_errors > limits.network_errors_max),
            ("health_min", health < limits.health_min),
        )
        if exceeded
    }
    block = next(b for b in run.metrics.entrypoints if b.name == ENTRYPOINT)
    assert {breach.threshold for breach in block.breaches} == expected, (block.breaches, expected)
    assert (block.status == "breached") == bool(expected), block.status
    assert (run.metrics.summary["status"] == "breached") == bool(expected), run.metrics.summary["status"]
    if not expected:
        assert block.status == "ok", (block.status, block.missing_metrics, block.invalid_thresholds)
    assert events["breach"] == len(block.breaches), events


def test_session_survives_faults(
    fault_case: tuple[str, str, int], demo_root: Path, time_limit: TimeLimit
) -> None:
    """A short session under one fault type (or the mixture) keeps every soak invariant."""
    _, faults, seed = fault_case
    limits = limits_for(seed)
    check_invariants(run_soak_session(demo_root, time_limit, faults, seed, limits), limits)


@pytest.mark.soak
def test_session_survives_heavy_faults(
    heavy_case: tuple[str, str, int], demo_root: Path, time_limit: TimeLimit
) -> None:
    """Under heavy fault rates budgets run out, yet nothing is doubled and the accounting holds."""
    _, faults, seed = heavy_case
    limits = limits_for(seed)
    check_invariants(run_soak_session(demo_root, time_limit, faults, seed, limits), limits)


@pytest.mark.parametrize(
    "faults", ["", "rate_limit=0.08", "server_error=0.08", "reset=0.06", "skew_ms=3000"], ids=repr
)
def test_run_verdict_is_no_go_exactly_when_a_threshold_is_breached(
    faults: str, demo_root: Path, tmp_path: Path, time_limit: TimeLimit
) -> None:
    """Through the engine, the ``paper.`` checks say NO-GO exactly when the session breached a threshold."""
    import shutil

    from preflight import catalog, engine
    from preflight.context import RunOptions
    from preflight.results import Status, Verdict

    root = tmp_path / "deploy"
    shutil.copytree(demo_root, root)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFLIGHT_")}
    options = RunOptions(
        root=root,
        entrypoint=ENTRYPOINT,
        offline=True,
        paper_ticks=TICKS,
        paper_seed=5,
        paper_faults=faults or None,
        env=env,
    )
    with time_limit(SESSION_TIME_LIMIT_S, "the paper session"):
        report = engine.run_checks(
            catalog.load_runbook(), options, selection=engine.Selection(only=("paper.",))
        )
    assert report.paper_metrics is not None, "the paper session did not record its metrics"
    summary = report.paper_metrics["summary"]
    assert isinstance(summary, Mapping)
    breached = summary["status"] == "breached"
    assert (report.verdict is Verdict.NO_GO) == breached, (report.verdict, summary["status"], faults)
    failing = {r.check_id for r in report.results if r.status in (Status.FAIL, Status.ERROR)}
    assert ("paper.summary.status" in failing) == breached, failing
    assert not any(r.status is Status.ERROR for r in report.results), failing
    assert breached == bool(faults and not faults.startswith("skew")), (faults, summary["status"])
    # The guardrail log on disk records every rate-limit event the metrics counted, one JSON per line.
    block = report.paper_metrics[ENTRYPOINT]
    assert isinstance(block, Mapping)
    logs = list((root / "logs" / "guardrails").glob(f"{ENTRYPOINT}-*.jsonl"))
    assert len(logs) == 1, logs
    events = [json.loads(line) for line in logs[0].read_text(encoding="utf-8").splitlines()]
    kinds = Counter(event["type"] for event in events)
    assert kinds["rate_limit"] == block["rate_limited_events"], (kinds, block["rate_limited_events"])
    assert kinds["breach"] == len(block["breaches"]), (kinds, block["breaches"])
