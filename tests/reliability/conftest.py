"""Fixtures of the reliability suite: one provisioned demo deployment per test session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Provision a demo deployment with ``preflight demo --dir`` and return its root (artefacts removed)."""
    root = tmp_path_factory.mktemp("reliability") / "demo"
    argv = [sys.executable, "-m", "preflight", "demo", "--dir", str(root), "--quiet"]
    done = subprocess.run(
        argv, capture_output=True, text=True, timeout=180, env={**os.environ, "NO_COLOR": "1"}, check=False
    )
    if done.returncode not in (0, 1) or not (root / "var" / "secrets").is_dir():
        pytest.fail(
            f"preflight demo could not provision a deployment (exit {done.returncode}): {done.stderr[-500:]}"
        )
    for leftover in ("reports", "logs", "var/metrics"):
        shutil.rmtree(root / leftover, ignore_errors=True)
    return root
