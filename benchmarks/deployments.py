"""Deployments to measure: a provisioned demo deployment, and copies scaled to N entrypoints."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

from benchmarks.common import ProcessSample, Unavailable, bench_env, last_line, preflight_argv, run_timed

ENTRYPOINT = "bybit_desktop_paper"


def provision_demo(target: Path) -> ProcessSample:
    """Provision a demo deployment in ``target`` with ``preflight demo --dir`` (which also runs it once)."""
    sample = run_timed(
        preflight_argv("demo", "--dir", str(target), "--quiet"), env=bench_env(), timeout_s=300
    )
    # 0 = GO, 1 = NO-GO: either way the deployment is provisioned; anything else is not a deployment.
    if sample.returncode not in (0, 1) or not (target / "config" / "runtime.yaml").is_file():
        raise Unavailable(f"`preflight demo --dir` exit {sample.returncode}: {last_line(sample.stderr)}")
    return sample


def _yaml() -> Any:
    """Return a round-trip ruamel YAML (imported here: only the scaling figure needs it)."""
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.width = 4096
    return yaml


def scale_deployment(base: Path, target: Path, entrypoints: int, *, wired: bool = True) -> None:
    """Copy ``base`` to ``target`` and grow it to ``entrypoints`` entrypoints.

    ``wired``: every extra entrypoint gets its own live environment, trading profile and io_queue, so
    the cross-file reference checks have real work per entrypoint (about 700 bytes of YAML each).
    Otherwise extra entrypoints only point at the demo's live environment (about 140 bytes each).
    None is paper, so the monitored set (and the paper session) stays the demo's.
    """
    shutil.copytree(base, target, ignore=shutil.ignore_patterns("reports", "logs", "metrics"))
    yaml = _yaml()
    runtime_path = target / "config" / "runtime.yaml"
    core_path = target / "config" / "core.yaml"
    runtime = yaml.load(runtime_path.read_text(encoding="utf-8"))
    core = yaml.load(core_path.read_text(encoding="utf-8"))
    live = core["environments"]["bybit_live"]
    trading = runtime["execution"]["trading_profiles"]["bybit_desktop"]
    queue = runtime["io_queue"]["exchanges"]["bybit_spot"]
    for index in range(1, entrypoints):
        name = f"bot_{index:05d}"
        runtime["trading"]["entrypoints"][name] = {
            "description": f"Generated entrypoint {index} for the scaling benchmark.",
            "environment": f"env_{index:05d}" if wired else "bybit_live",
            "profile": "multi_strategy_default",
            "tags": ["generated", "live", "bybit"],
        }
        if not wired:
            continue
        core["environments"][f"env_{index:05d}"] = {k: live[k] for k in live}
        runtime["execution"]["trading_profiles"][f"trade_{index:05d}"] = {
            "entrypoint": name,
            "adapter": trading["adapter"],
            "guardrails": dict(trading["guardrails"]),
        }
        runtime["io_queue"]["exchanges"][f"queue_{index:05d}"] = dict(queue)
    for path, document in ((runtime_path, runtime), (core_path, core)):
        buffer = io.StringIO()
        yaml.dump(document, buffer)
        path.write_text(buffer.getvalue(), encoding="utf-8")
