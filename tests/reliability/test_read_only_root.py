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


def _set_artefacts_dir(root: Path, value: str) -> int:
    """Add ``preflight: {artefacts_dir: value}`` to the root's runtime.yaml; return the value's line."""
    runtime = root / "config" / "runtime.yaml"
    text = runtime.read_text(encoding="utf-8")
    runtime.write_text(text + f"preflight:\n  artefacts_dir: {value}\n", encoding="utf-8")
    return text.count("\n") + 2


def test_the_deployment_can_name_its_artefacts_folder_itself(demo_root: Path, tmp_path: Path) -> None:
    """preflight.artefacts_dir in runtime.yaml: a read-only root reaches GO with no flag at all."""
    root = tmp_path / "deploy"
    shutil.copytree(demo_root, root)
    configured = tmp_path / "configured"
    _set_artefacts_dir(root, str(configured))
    before = sorted(str(p.relative_to(root)) for p in root.rglob("*"))
    report = tmp_path / "report.json"
    done = _read_only_run(root, "run", ENTRYPOINT, "--root", str(root), "--quiet", "--format", "json",
                          "-o", str(report))  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    parsed = parse_report(report.read_text(encoding="utf-8"), str(report))
    assert parsed.artefacts and all(Path(p).is_relative_to(configured) for p in parsed.artefacts.values())
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*")) == before


def test_the_flag_wins_over_the_deployment_default_and_a_bad_default_is_one_located_line(
    demo_root: Path, tmp_path: Path
) -> None:
    from preflight.catalog import load_runbook
    from preflight.context import RunContext, RunOptions
    from preflight.deployment.artefacts import artefacts_root
    from preflight.engine import Selection, run_checks
    from preflight.errors import ConfigError

    root = tmp_path / "deploy"
    shutil.copytree(demo_root, root)
    _set_artefacts_dir(root, "evidence/preflight")  # relative: under the root
    ctx = RunContext(RunOptions(root=root, entrypoint=ENTRYPOINT), {})
    assert artefacts_root(ctx) == (root / "evidence" / "preflight").resolve()
    flag = tmp_path / "flag"
    ctx = RunContext(RunOptions(root=root, entrypoint=ENTRYPOINT, artefacts_dir=flag), {})
    assert artefacts_root(ctx) == flag

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    runtime = root / "config" / "runtime.yaml"
    runtime.write_text(runtime.read_text(encoding="utf-8").replace("evidence/preflight", f"{blocker}/x"))
    line = runtime.read_text(encoding="utf-8").splitlines().index(f"  artefacts_dir: {blocker}/x") + 1
    with pytest.raises(ConfigError) as refused:
        run_checks(load_runbook(), RunOptions(root=root, entrypoint=ENTRYPOINT, no_paper=True),
                   selection=Selection(only=("runtime.",)))  # fmt: skip
    assert str(refused.value).startswith(f"config/runtime.yaml:{line}:")
    assert "preflight.artefacts_dir" in str(refused.value) and "cannot be created" in str(refused.value)
    assert "\n" not in str(refused.value)
