"""End to end: a ccxt bot trades against ``preflight simulator serve``; preflight judges its own metrics.

The bot is stock sync ccxt configured as the README tells an operator (only the URL changed,
``set_sandbox_mode(True)`` as a paper bot calls it). It counts, in a prometheus_client registry of its
own served on 127.0.0.1, what bot_core's collector reads: requests, rate-limited answers (ccxt's
``RateLimitExceeded``, Bybit's 10006) and errors by severity, all labelled ``exchange="bybit"``. Then
``preflight run bybit_desktop_paper --metrics-url …`` judges those series as a subprocess, its JSON report
validated against schemas/report.schema.json. The same flow with the same seed runs twice: fault-free (the
``paper.`` checks pass) and with ``--faults rate_limit=0.2`` (NO-GO on ``rate_limit_max``, observed = what
the bot counted).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ccxt
import jsonschema
import pytest
from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest, start_http_server
from prometheus_client.openmetrics.exposition import generate_latest as generate_openmetrics
from sim_clients_support import SECRET, Client, Served, loopback_guard, start_serve, stop_serve

EP = "bybit_desktop_paper"
SYMBOL = "BTC/USDT"
LABEL = {"exchange": "bybit"}  # bot_core's collector: the environment name up to its first "_"
SEVERITIES = ("warning", "error", "critical")
RETRIES = 50  # rate-limited attempts per call before the bot gives up (each one counted)
ENCODERS = (generate_latest, generate_openmetrics)
SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "report.schema.json"


class BotMetrics:
    """The bot's exchange series, named and labelled as bot_core's collector expects them.

    As bot_core's log-driven collector (``ExchangeMetricSet.observe_log``): every attempt is a request
    labelled with its outcome and log severity; only error and critical count as errors; a rate-limited
    answer, logged as a warning and retried, counts as rate limited.
    """

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "bot_exchange_requests", "requests", ["exchange", "status", "severity"], registry=self.registry
        )
        self.rate_limited = Counter(
            "bot_exchange_rate_limited", "rate-limited answers", ["exchange"], registry=self.registry
        )
        self.errors = Counter(
            "bot_exchange_errors", "errors", ["exchange", "severity"], registry=self.registry
        )
        self.health = Gauge("bot_exchange_health_status", "health", ["exchange"], registry=self.registry)
        self.rate_limited.labels(**LABEL)
        for severity in SEVERITIES:  # created at 0: a clean run still shows every series
            self.errors.labels(severity=severity, **LABEL)
        self.health.labels(**LABEL).set(1)

    def observe(self, status: str, severity: str) -> None:
        """Count one attempt; an error or critical one as an error too."""
        self.requests.labels(status=status, severity=severity, **LABEL).inc()
        if severity in {"error", "critical"}:
            self.errors.labels(severity=severity, **LABEL).inc()

    def total(self, name: str, **labels: str) -> float:
        """Return the sum of ``name`` over the bot's series matching ``labels`` (0 when there is none)."""
        wanted = {**LABEL, **labels}
        return sum(
            sample.value
            for family in self.registry.collect()
            for sample in family.samples
            if sample.name == name and wanted.items() <= sample.labels.items()
        )


class Bot:
    """A tiny spot bot: each exchange call counted, a rate-limited call retried after a pause."""

    def __init__(self, client: Client, metrics: BotMetrics) -> None:
        self.client = client
        self.metrics = metrics

    def call(self, method: str, *args: Any) -> Any:
        """Call ``method`` until it is not rate limited, counting every attempt and every error."""
        for _ in range(RETRIES):
            try:
                result = self.client.call(method, *args)
            except ccxt.RateLimitExceeded:
                self.metrics.observe("ok", "warning")
                self.metrics.rate_limited.labels(**LABEL).inc()
                time.sleep(0.05)  # past the reset the simulator names (tens of ms ahead)
                continue
            except ccxt.BaseError:
                self.metrics.observe("error", "error")
                raise
            except Exception:
                self.metrics.observe("error", "critical")
                raise
            self.metrics.observe("ok", "info")
            return result
        raise AssertionError(f"{method} still rate limited after {RETRIES} attempts")

    def session(self) -> None:
        """Trade a short spot session: markets, tickers, resting limits, market orders, cancels."""
        self.call("load_markets")
        self.call("fetch_time")
        for _ in range(3):
            ticker = self.call("fetch_ticker", SYMBOL)
        self.call("fetch_tickers")
        self.call("fetch_balance")
        tick = 0.1  # BTCUSDT's tickSize in the simulator (the ccxt session test asserts it)
        bid, ask = ticker["bid"], ticker["ask"]
        buy = self.call("create_order", SYMBOL, "limit", "buy", 0.001, round(bid * 0.98 / tick) * tick)
        self.call("create_order", SYMBOL, "limit", "sell", 0.001, round(ask * 1.02 / tick) * tick)
        open_ids = {order["id"] for order in self.call("fetch_open_orders", SYMBOL)}
        assert buy["id"] in open_ids
        self.call("cancel_order", buy["id"], SYMBOL)
        self.call("create_order", SYMBOL, "market", "buy", 0.0002)
        self.call("create_order", SYMBOL, "market", "sell", 0.0002)
        self.call("cancel_all_orders", SYMBOL)
        assert self.call("fetch_open_orders", SYMBOL) == []
        self.call("fetch_my_trades", SYMBOL)


@dataclass(frozen=True)
class Judged:
    """What one end-to-end run produced: the bot's own counts and preflight's report and exit code."""

    metrics: BotMetrics
    url: str
    report: dict[str, Any]
    returncode: int
    output: str

    def results(self, prefix: str) -> dict[str, dict[str, Any]]:
        """Return the report's results whose id starts with ``prefix``, by id."""
        return {r["id"]: r for r in self.report["results"] if r["id"].startswith(prefix)}


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fail the test if the bot resolves a host other than the loopback."""
    yield from loopback_guard(monkeypatch)


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Provision the demo deployment once (its paper entrypoint is bybit_desktop_paper)."""
    from preflight.demo import prepare_demo

    return prepare_demo(tmp_path_factory.mktemp("e2e") / "demo")


@pytest.fixture
def e2e(demo_root: Path, tmp_path: Path, time_limit: Any) -> Iterator[Callable[..., Judged]]:
    """Return ``e2e(*serve_args)``: serve, let the bot trade while it exports, judge its /metrics."""
    cleanups = ExitStack()  # runs every cleanup, last first, even when one of them fails

    def run(*serve_args: str) -> Judged:
        root = tmp_path / "root"
        shutil.copytree(demo_root, root)
        process, sim_url = start_serve(tmp_path, *serve_args)
        cleanups.callback(stop_serve, process)
        metrics = BotMetrics()
        server, thread = start_http_server(0, addr="127.0.0.1", registry=metrics.registry)
        cleanups.callback(thread.join, timeout=120)
        cleanups.callback(server.server_close)
        cleanups.callback(server.shutdown)
        client = Client("sync", sim_url, Served.key("bot"), SECRET)
        cleanups.callback(client.close)
        with time_limit(240, "the bot's session"):
            Bot(client, metrics).session()
        url = f"http://127.0.0.1:{server.server_port}/metrics"
        out = tmp_path / "report.json"
        judged = subprocess.run(
            [sys.executable, "-m", "preflight", "run", EP, "--root", str(root), "--metrics-url", url,
             "--format", "json", "-o", str(out)],
            capture_output=True, text=True, timeout=240, env=dict(os.environ),
        )  # fmt: skip
        assert "Traceback" not in judged.stderr, judged.stderr
        assert out.is_file(), judged.stdout + judged.stderr
        report = json.loads(out.read_text(encoding="utf-8"))
        jsonschema.validate(report, json.loads(SCHEMA.read_text(encoding="utf-8")))
        text = out.read_text(encoding="utf-8") + judged.stdout + judged.stderr
        assert SECRET not in text  # the account's secret reached the simulator through a file only
        return Judged(metrics, url, report, judged.returncode, judged.stdout + judged.stderr)

    with cleanups:
        yield run


def _names_the_bots_series(judged: Judged) -> None:
    """Assert the report says the verdict rests on the bot's own series, scraped from its exporter."""
    source = judged.report["paper_source"]
    assert source["origin"] == "bot" and "Prometheus series" in source["description"]
    # prometheus_client serves OpenMetrics to a client that accepts it at any q, text format otherwise
    served = {hashlib.sha256(encode(judged.metrics.registry)).hexdigest() for encode in ENCODERS}
    (scraped,) = source["files"]
    assert scraped["path"] == judged.url and scraped["sha256"] in served  # what the bot served, unchanged


def test_a_clean_bot_session_passes_every_paper_check(e2e: Callable[..., Judged]) -> None:
    judged = e2e()
    requests = judged.metrics.total("bot_exchange_requests_total")
    assert requests == 16  # one attempt per call of Bot.session(): nothing was rate limited or retried
    assert judged.metrics.total("bot_exchange_rate_limited_total") == 0
    paper = judged.results("paper.")
    assert paper and {r["status"] for r in paper.values()} == {"pass"}, paper
    assert judged.results("smoke.rate_limited_zero")["smoke.rate_limited_zero"]["status"] == "pass"
    assert judged.report["verdict"] != "NO-GO" and judged.returncode == 0, judged.output
    assert not [e for e in judged.report["exceptions"] if e["check"].startswith("paper.")]
    block = judged.report["paper_metrics"][EP]
    assert block["status"] == "ok" and block["breaches"] == []
    assert block["requests"] == requests  # preflight read the bot's own counter
    _names_the_bots_series(judged)


def test_rate_limit_faults_make_the_same_session_no_go_on_rate_limit_max(
    e2e: Callable[..., Judged],
) -> None:
    judged = e2e("--faults", "rate_limit=0.2")
    counted = judged.metrics.total("bot_exchange_rate_limited_total")
    assert counted > 0  # the injected faults reached the bot (seeded: the same count every run)
    # The same flow: every call of the session succeeded once, after its rate-limited attempts.
    assert judged.metrics.total("bot_exchange_requests_total") - counted == 16
    assert judged.metrics.total("bot_exchange_errors_total") == 0  # rate limited is not an error
    assert judged.report["verdict"] == "NO-GO" and judged.returncode == 1, judged.output
    # One root cause: what fails is what judges the bot's rate-limited count, nothing else.
    bad = {r["id"] for r in judged.report["results"] if r["status"] in {"fail", "error"}}
    assert bad and all(check.startswith(("paper.", "smoke.")) for check in bad), bad
    block = judged.report["paper_metrics"][EP]
    assert block["status"] == "breached" and block["rate_limited_events"] == counted
    breach = {b["threshold"]: b for b in block["breaches"]}
    assert set(breach) == {"rate_limit_max"} and breach["rate_limit_max"]["observed"] == counted
    failed = {i for i, r in judged.results("paper.").items() if r["status"] == "fail"}
    assert "paper.entrypoint.breaches_empty" in failed and "paper.warnings.no_rate_limit_max" in failed
    assert judged.results("smoke.rate_limited_zero")["smoke.rate_limited_zero"]["status"] == "fail"
    _names_the_bots_series(judged)
