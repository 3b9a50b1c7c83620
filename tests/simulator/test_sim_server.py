"""The loopback server (real socket, keep-alive, faults on the wire) and ``preflight simulator serve``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from preflight.errors import ConfigError
from preflight.simulator import FaultSpec, SimulatorServer
from preflight.simulator.accounts_file import load_accounts


def test_server_answers_signed_requests_over_one_keep_alive_connection(simulator, clock, signer):
    with SimulatorServer(simulator) as server:
        assert server.url.startswith("http://127.0.0.1:") and server.port > 0
        with httpx.Client(base_url=server.url) as http:
            client = signer(http, clock)
            assert http.get("/v5/market/time").json()["time"] == clock()
            market_buy = {
                "category": "spot",
                "symbol": "BTCUSDT",
                "side": "Buy",
                "orderType": "Market",
                "qty": "50",
            }
            created = client.call("POST", "/v5/order/create", market_buy)
            assert created["retCode"] == 0
            realtime = client.get(
                "/v5/order/realtime", {"category": "spot", "orderId": created["result"]["orderId"]}
            )
            assert realtime.headers["X-Bapi-Limit"] == "50"
            assert realtime.json()["result"]["list"][0]["orderStatus"] == "Filled"
            assert http.get("/nope").status_code == 404
            pool = http._transport._pool  # one connection served every request (keep-alive)
            assert len(pool.connections) == 1


def test_socket_faults_close_the_connection(sim_factory, clock):
    simulator = sim_factory(clock, faults=FaultSpec(reset=1.0))
    with SimulatorServer(simulator) as server, httpx.Client(base_url=server.url) as http:
        with pytest.raises(httpx.RemoteProtocolError):
            http.get("/v5/market/tickers?category=spot")
        assert http.get("/v5/market/time").status_code == 200  # a fresh connection works again


def test_socket_timeout_holds_the_answer_past_the_client_timeout(sim_factory, clock):
    simulator = sim_factory(clock, faults=FaultSpec(timeout=1.0))
    with (
        SimulatorServer(simulator, timeout_delay_s=2.0) as server,
        httpx.Client(base_url=server.url) as http,
        pytest.raises(httpx.ReadTimeout),
    ):
        http.get("/v5/market/tickers?category=spot", timeout=0.2)


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_cli_serve_prints_its_url_and_serves_until_stopped(stop_signal):
    env = {**os.environ, "PREFLIGHT_SIM_API_SECRET": "cli-secret-value"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "preflight",
            "simulator",
            "serve",
            "--api-key",
            "cli-key-123456",
            "--seed",
            "3",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("Bybit V5 simulator listening on http://127.0.0.1:"), line
        url = line.rsplit(" ", 1)[1].strip()
        assert httpx.get(f"{url}/v5/market/time", timeout=5).json()["retCode"] == 0
    finally:
        process.send_signal(stop_signal)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "Traceback" not in err
    assert "cli-secret-value" not in line + out + err
    assert "cli-key-123456" not in line + out + err


def test_accounts_file_yaml_and_errors_with_line(tmp_path: Path):
    good = tmp_path / "accounts.yaml"
    good.write_text(
        "- uid: 1\n  api_key: key-one\n  api_secret: s1\n  balances: {USDT: 500}\n"
        "- uid: 2\n  api_key: key-two\n  api_secret: s2\n  read_only: true\n  ips: [10.0.0.1]\n"
        "  expires_at: '2030-01-01T00:00:00Z'\n"
    )
    first, second = load_accounts(good)
    assert (first.uid, str(first.balances["USDT"])) == ("1", "500")
    assert second.read_only and second.ips == ("10.0.0.1",) and second.expires_at.year == 2030
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps([{"uid": 1, "api_key": "k", "api_secret": "s"}, {"uid": 2, "api_key": "k2"}], indent=1)
    )
    with pytest.raises(ConfigError) as caught:
        load_accounts(bad)
    assert str(caught.value).startswith(f"{bad}:")
    assert "api_secret" in str(caught.value)


def test_injected_latency_delays_the_answer(sim_factory, clock):
    import time

    simulator = sim_factory(clock, faults=FaultSpec(latency_ms=30))
    with SimulatorServer(simulator) as server, httpx.Client(base_url=server.url) as http:
        started = time.perf_counter()
        assert http.get("/v5/market/time").status_code == 200
        assert time.perf_counter() - started >= 0.03


def test_cli_refuses_a_non_loopback_host_with_one_line():
    done = subprocess.run(
        [sys.executable, "-m", "preflight", "simulator", "serve", "--host", "10.1.2.3"],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "--allow-remote" in done.stderr


@pytest.mark.parametrize("seconds", ["0", "7", "90"])
def test_cli_refuses_a_candle_length_that_does_not_divide_a_minute(seconds):
    done = subprocess.run(
        [sys.executable, "-m", "preflight", "simulator", "serve", "--interval-seconds", seconds],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "--interval-seconds must divide 60" in done.stderr
