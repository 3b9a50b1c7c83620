"""Hostile or broken endpoints on 127.0.0.1: a huge body, a slow trickle, endless 10006, malformed URLs.

Each run goes through the real CLI in a subprocess against a server the test starts; the JSON report
is read back through its schema.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from preflight.reporters.json_report import parse_report
from preflight.results import RunReport

ENTRYPOINT = "bybit_desktop_paper"
HUGE = 100 * 1024 * 1024
# Prints the peak RSS (KiB) of the command it runs: the CLI is measured alone, not the test process.
MEASURE = (
    "import resource, subprocess, sys; code = subprocess.call(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)"
)


def _run(root: Path, report: Path, *extra: str) -> tuple[int, int, float]:
    """Run ``preflight run`` on ``root``; return (exit code, peak RSS in KiB, elapsed seconds)."""
    argv = [sys.executable, "-c", MEASURE, sys.executable, "-m", "preflight", "run", ENTRYPOINT,
            "--root", str(root), "--quiet", "--format", "json", "-o", str(report), *extra]  # fmt: skip
    started = time.monotonic()
    done = subprocess.run(
        argv, capture_output=True, text=True, timeout=900, env={**os.environ, "NO_COLOR": "1"}, check=False
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, int(done.stdout.strip().splitlines()[-1]), time.monotonic() - started


def _copy(demo_root: Path, tmp_path: Path) -> Path:
    root = tmp_path / "deploy"
    shutil.copytree(demo_root, root)
    return root


def _report(path: Path) -> RunReport:
    return parse_report(path.read_text(encoding="utf-8"), str(path))


def _messages(report: RunReport) -> str:
    return "\n".join(r.message for r in report.results)


def _huge_body(handler: BaseHTTPRequestHandler, *, declared: bool) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    if declared:
        handler.send_header("Content-Length", str(HUGE))
    handler.send_header("Connection", "close")
    handler.end_headers()
    chunk = b" " * (1 << 20)
    try:
        for _ in range(HUGE // len(chunk)):
            handler.wfile.write(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client stopped reading at its cap: that is the point


def _trickle(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.end_headers()
    try:
        while True:  # one byte now and then: every read succeeds, the body never ends
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(0.5)
    except (BrokenPipeError, ConnectionResetError):
        pass


def _endless_rate_limit(handler: BaseHTTPRequestHandler) -> None:
    now_ms = int(time.time() * 1000)
    body = json.dumps({"retCode": 10006, "retMsg": "Too many visits!", "result": {}, "time": now_ms}).encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("X-Bapi-Limit-Status", "0")
    handler.send_header("X-Bapi-Limit-Reset-Timestamp", str(now_ms + 2000))
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
def test_a_100_mb_body_is_refused_at_the_cap_and_memory_stays_flat(
    demo_root: Path, tmp_path: Path, hostile_server: Callable[..., Any], declared: bool
) -> None:
    """Peak RSS against a 100 MB body at most 2x a normal run's; the probes fail saying why."""
    server = hostile_server(lambda handler: _huge_body(handler, declared=declared))
    root = _copy(demo_root, tmp_path)
    code, normal_rss, _ = _run(root, tmp_path / "normal.json")
    assert code == 0
    code, hostile_rss, _ = _run(root, tmp_path / "hostile.json", "--exchange-url", server.url)
    assert code == 1
    assert hostile_rss <= 2 * normal_rss, (hostile_rss, normal_rss)
    report = _report(tmp_path / "hostile.json")
    by_id = {r.check_id: r for r in report.results}
    assert by_id["keys.clock_skew"].status.value == "fail"
    assert "sent a response body over 4 MiB; refused unread" in by_id["keys.clock_skew"].message


@pytest.mark.parametrize("behaviour", [_trickle, _endless_rate_limit], ids=["slow-trickle", "endless-10006"])
def test_probes_and_the_session_stop_at_their_deadlines(
    demo_root: Path, tmp_path: Path, hostile_server: Callable[..., Any], behaviour: Callable[..., None]
) -> None:
    """A body that never ends, or 10006 for ever: every probe and the session end at their deadlines."""
    server = hostile_server(behaviour)
    deadlines = ("--probe-deadline", "5", "--session-deadline", "5")
    root = _copy(demo_root, tmp_path)
    code, _, elapsed = _run(root, tmp_path / "r.json", "--exchange-url", server.url, *deadlines)
    assert code == 1
    report = _report(tmp_path / "r.json")
    text = _messages(report)
    assert "the paper session ran past its deadline of 5 s" in text
    if behaviour is _trickle:
        assert "key probe ran past its deadline of 5 s" in text
    else:
        assert "Too many visits! (retCode 10006)" in text
    # A hang bound, not a speed measurement: without deadlines either case ran for ever.
    assert elapsed < 600


@pytest.mark.parametrize("url", ["127.0.0.1:9", "ftp://127.0.0.1/", "http://", "http://127.0.0.1:99999"])
def test_a_malformed_exchange_url_is_a_usage_error_at_once(demo_root: Path, url: str) -> None:
    """Exit 2 naming the flag, before any check runs."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "preflight",
            "run",
            ENTRYPOINT,
            "--root",
            str(demo_root),
            "--exchange-url",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 2 and done.stderr.startswith("preflight: --exchange-url ")
    assert done.stderr.count("\n") == 1 and done.stdout == ""
