"""A deployment mounted read-only reaches GO when its artefacts go elsewhere (--artefacts-dir)."""

from __future__ import annotations

import os
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from preflight.reporters.json_report import parse_report

ENTRYPOINT = "bybit_desktop_paper"


def _read_only_run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``preflight ARGS`` with ``root`` read-only: chmod for a user, a private ro bind mount for root."""
    command = [sys.executable, "-m", "preflight", *args]
    env = {**os.environ, "NO_COLOR": "1"}
    if os.geteuid() != 0:
        for path in (root, *root.rglob("*")):
            path.chmod(stat.S_IMODE(path.stat().st_mode) & ~0o222)
        return subprocess.run(command, capture_output=True, text=True, timeout=600, env=env, check=False)
    if shutil.which("unshare") is None:
        pytest.skip("running as root without unshare: no way to make the root read-only for root")
    quoted = shlex.quote(str(root))
    script = (
        f"mount --bind {quoted} {quoted} && mount -o remount,bind,ro {quoted} && exec {shlex.join(command)}"
    )
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        check=False,
    )
    if "mount:" in done.stderr or "unshare:" in done.stderr:
        pytest.skip(f"cannot mount the root read-only here: {done.stderr.strip()[:200]}")
    return done


def test_a_read_only_root_reaches_go_with_its_artefacts_elsewhere(demo_root: Path, tmp_path: Path) -> None:
    """Without --artefacts-dir the session cannot write (NO-GO, said clearly); with it: GO, root untouched."""
    root = tmp_path / "deploy"
    shutil.copytree(demo_root, root)
    before = sorted(str(p.relative_to(root)) for p in root.rglob("*"))
    refused = _read_only_run(root, "run", ENTRYPOINT, "--root", str(root), "--quiet")
    assert refused.returncode == 1 and "NO-GO" in refused.stdout
    artefacts = tmp_path / "artefacts"
    report = tmp_path / "report.json"
    done = _read_only_run(
        root, "run", ENTRYPOINT, "--root", str(root), "--quiet", "--artefacts-dir", str(artefacts),
        "--format", "json", "-o", str(report),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    parsed = parse_report(report.read_text(encoding="utf-8"), str(report))
    assert all(Path(path).is_relative_to(artefacts) for path in parsed.artefacts.values()), parsed.artefacts
    assert (artefacts / "var" / "metrics" / f"{ENTRYPOINT}.prom").is_file()
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*")) == before
