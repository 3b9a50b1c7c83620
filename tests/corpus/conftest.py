"""Bases of the bad-input corpus: the packaged sample deployment and a provisioned demo deployment."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest


def _provision_demo(target: Path) -> bool:
    """Provision a demo deployment with the CLI (which also runs it once); False if it cannot yet."""
    env = {**os.environ, "NO_COLOR": "1"}
    argv = [sys.executable, "-m", "preflight", "demo", "--dir", str(target), "--quiet"]
    try:
        done = subprocess.run(argv, capture_output=True, timeout=180, env=env, check=False)
    except subprocess.TimeoutExpired:
        return False
    provisioned = (target / "var" / "licenses" / "active" / "license.json").is_file()
    return done.returncode in (0, 1) and provisioned


@pytest.fixture(scope="session")
def corpus_bases(tmp_path_factory: pytest.TempPathFactory) -> Mapping[str, Path]:
    """Return the base deployments cases copy: ``sample`` always, ``demo`` once provisioning exists."""
    from preflight.resources import sample_config_dir

    top = tmp_path_factory.mktemp("corpus-bases")
    sample = top / "sample"
    (sample / "config").mkdir(parents=True)
    for path in sample_config_dir().rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            dest = sample / "config" / path.relative_to(sample_config_dir())
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(path.read_bytes())
    bases = {"sample": sample}
    demo = top / "demo"
    if _provision_demo(demo):
        # The provisioning run's artefacts are not part of the base.
        for leftover in ("reports", "logs", "var/metrics"):
            shutil.rmtree(demo / leftover, ignore_errors=True)
        bases["demo"] = demo
    return bases
