"""Interruption: SIGINT (130) or SIGTERM (143) during ``preflight run``: a partial report, none half-written.

The paper session of a copy of the demo deployment is made long (many ticks of simulated time), the
run is started as a real process, and SIGINT arrives once the session's simulator server thread is up.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from junitparser import JUnitXml

ENTRYPOINT = "bybit_desktop_paper"
LONG_TICKS = 10_000  # the schema's maximum: tens of seconds of work, far longer than the test waits


def _threads(pid: int) -> int:
    """Return the number of threads of ``pid`` (the session starts the simulator server thread)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return 0
    line = next((line for line in status.splitlines() if line.startswith("Threads:")), "Threads: 0")
    return int(line.split()[1])


def _wait_for_session(proc: subprocess.Popen[str], timeout_s: float = 60.0) -> None:
    """Poll until the run's paper session is underway (a second thread exists) or the run ended."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return
        if _threads(proc.pid) >= 2:
            return
        time.sleep(0.02)  # polling a real child process: there is no clock to inject here
    pytest.fail("the paper session did not start within a minute")


def _assert_nothing_half_written(top: Path) -> None:
    """No temporary leftovers; every JSON file parses and every JSONL line parses."""
    leftovers = [p for p in top.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == [], f"temporary files left behind: {leftovers}"
    for path in top.rglob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))
    for path in top.rglob("*.jsonl"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            assert line.strip(), f"{path}:{number}: empty line"
            json.loads(line)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc to see the session start")
@pytest.mark.parametrize(
    ("signum", "expected_exit"),
    [(signal.SIGINT, 130), (signal.SIGTERM, 143)],
    ids=["SIGINT", "SIGTERM"],
)
@pytest.mark.parametrize("delay_s", [0.05, 0.3, 1.0], ids=["at-start", "early", "mid-session"])
def test_sigint_during_paper_session_leaves_an_incomplete_report(
    delay_s: float, signum: signal.Signals, expected_exit: int, demo_root: Path, tmp_path: Path
) -> None:
    """SIGINT or SIGTERM (how CI cancels) mid-session: exit 130/143, JSON and JUnit written and marked
    incomplete, nothing half-written anywhere."""
    root = tmp_path / "deploy"
    shutil.copytree(demo_root, root)
    runtime = root / "config" / "runtime.yaml"
    text = runtime.read_text(encoding="utf-8")
    assert "ticks: 240" in text
    runtime.write_text(text.replace("ticks: 240", f"ticks: {LONG_TICKS}"), encoding="utf-8")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    report_path = out_dir / "report.json"
    argv = [
        sys.executable, "-m", "preflight", "run", ENTRYPOINT, "--root", str(root),
        "--format", "json", "-o", str(report_path), "--format", "junit", "-o", str(out_dir / "junit.xml"),
    ]  # fmt: skip
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
        # A child inherits an ignored SIGINT (e.g. pytest started in the background): restore the default.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        _wait_for_session(proc)
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(
                f"the run ended (exit {proc.returncode}) before the interrupt:\n{(out + err)[-1500:]}"
            )
        time.sleep(delay_s)  # land the signal at different points of the session: a real process, real time
        proc.send_signal(signum)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == expected_exit, (
        f"exit {proc.returncode}\nstdout:\n{stdout[-1500:]}\nstderr:\n{stderr[-1500:]}"
    )
    assert "Traceback" not in stdout + stderr
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["incomplete"] is True
    assert any("interrupted" in note for note in report["notes"]), report["notes"]
    suites = list(JUnitXml.fromfile(str(out_dir / "junit.xml")))
    assert suites and all(
        any(p.name == "incomplete" and p.value == "true" for p in suite.properties()) for suite in suites
    )
    _assert_nothing_half_written(root)
    _assert_nothing_half_written(out_dir)
