"""No harm on the way: no key sent to a rejected endpoint, no path out of the root, no input overwritten."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from preflight.reporters.json_report import JsonReporter, parse_report

ENTRYPOINT = "bybit_desktop_paper"


def _samples() -> ModuleType:
    path = Path(__file__).parent.parent / "signoff" / "signoff_samples.py"
    spec = importlib.util.spec_from_file_location("preflight_tests_harm_samples", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _preflight(*args: str, cwd: Path | None = None, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "preflight", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "NO_COLOR": "1"},
        cwd=cwd,
        check=False,
    )


def _bybit_ok(handler: BaseHTTPRequestHandler) -> None:
    body = json.dumps({"retCode": 0, "retMsg": "OK", "result": {}, "time": 0}).encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def test_a_paper_session_never_talks_to_an_endpoint_its_checks_reject(
    demo_root: Path, tmp_path: Path, hostile_server: Callable[..., Any]
) -> None:
    """core.environment.endpoint fails: the session does not start; its checks are blocked by it."""
    server = hostile_server(_bybit_ok)
    root = tmp_path / "deploy"
    shutil.copytree(demo_root, root)
    core = root / "config" / "core.yaml"
    core.write_text(core.read_text().replace("endpoint: embedded", f"endpoint: {server.url}", 1))
    report_path = tmp_path / "report.json"
    done = _preflight(
        "run", ENTRYPOINT, "--root", str(root), "-q", "--format", "json", "-o", str(report_path)
    )
    assert done.returncode == 1, done.stderr
    assert server.requests == []
    report = parse_report(report_path.read_text(encoding="utf-8"), str(report_path))
    by_id = {r.check_id: r for r in report.results}
    assert by_id["core.environment.endpoint"].status.value == "fail"
    paper = [r for r in report.results if r.check_id.startswith("paper.")]
    assert paper and all(r.blocked_by == "core.environment.endpoint" for r in paper)
    assert all("the paper session did not start" in r.message for r in paper)
    assert not (root / "reports" / "paper").exists() or not list((root / "reports" / "paper").iterdir())


def test_an_entrypoint_name_never_escapes_the_root(demo_root: Path, tmp_path: Path) -> None:
    """From the command line and from a --from-report report: exit 2, nothing written outside."""
    root = tmp_path / "deploy"
    shutil.copytree(demo_root, root)
    before = sorted(p.name for p in tmp_path.iterdir())
    done = _preflight("run", "../../escaped", "--root", str(root), "--no-paper")
    assert done.returncode == 2 and "cannot name a file" in done.stderr
    samples = _samples()
    hostile = replace(samples.sample_report(), entrypoint="../../escaped", root=str(root), inputs=())
    report = tmp_path / "report.json"
    report.write_text(JsonReporter().render(hostile), encoding="utf-8")
    done = _preflight("signoff", "../../escaped", "--operator", "Jan", "--from-report", str(report))
    assert done.returncode == 2 and "cannot name a file" in done.stderr, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*before, "report.json"])
    assert not (root / "reports" / "signoff").exists()


@pytest.mark.parametrize(
    "target",
    ["config/runtime.yaml", "var/secrets/keychain.enc", "var/licenses/active/license.json"],
)
def test_an_output_never_overwrites_an_input(demo_root: Path, tmp_path: Path, target: str) -> None:
    """``-o`` onto the deployment's own inputs: exit 2, the input untouched."""
    root = tmp_path / "deploy"
    shutil.copytree(demo_root, root)
    path = root / target
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    done = _preflight(
        "run", ENTRYPOINT, "--root", str(root), "--no-paper", "--format", "json", "-o", str(path)
    )
    assert done.returncode == 2 and "an output never overwrites an input" in done.stderr
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def _serve_until_listening(*args: str, env: dict[str, str] | None = None) -> str:
    """Start ``simulator serve ARGS``, stop it (SIGTERM) once it listens; return its stderr."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "preflight", "simulator", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # blocks until the simulator announces its URL
        assert "listening on" in line, line
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0
    return stderr


def test_a_secret_on_argv_warns_and_a_file_or_env_var_does_not(tmp_path: Path) -> None:
    """``--api-secret S`` is visible in ps: warned; the env var and --api-secret-file are quiet."""
    secret = "sim-secret-value-123"
    warned = _serve_until_listening("--api-key", "key-1234", "--api-secret", secret)
    assert "--api-secret on the command line is visible to every user" in warned and secret not in warned
    quiet = _serve_until_listening("--api-key", "key-1234", env={"PREFLIGHT_SIM_API_SECRET": secret})
    secret_file = tmp_path / "secret"
    secret_file.write_text(secret + "\n")
    from_file = _serve_until_listening("--api-key", "key-1234", "--api-secret-file", str(secret_file))
    assert "warning" not in quiet + from_file


def test_listening_on_every_interface_warns() -> None:
    """``--allow-remote --host 0.0.0.0`` serves, but says anyone who can reach the machine can trade."""
    stderr = _serve_until_listening("--allow-remote", "--host", "0.0.0.0")
    assert "warning: --host 0.0.0.0 is not a loopback address" in stderr
