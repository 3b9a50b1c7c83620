"""Figure: ``preflight run bybit_desktop_paper`` on a provisioned demo deployment (<= 2.5 s, <= 200 MB)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks.common import (
    Figure,
    Target,
    bench_env,
    last_line,
    median,
    not_measured,
    preflight_argv,
    run_timed,
)
from benchmarks.deployments import ENTRYPOINT, provision_demo

WALL_TARGET = Target("<=", 2.5)
RSS_TARGET = Target("<=", 200.0)


def measure(quick: bool) -> tuple[Figure, ...]:
    """Provision a demo deployment, then time the full default run of its paper entrypoint."""
    runs = 1 if quick else 3
    with tempfile.TemporaryDirectory(prefix="preflight-bench-demo-") as tmp:
        root = Path(tmp) / "demo"
        provisioned = provision_demo(root)
        walls: list[float] = []
        rss: list[float] = []
        verdicts: set[int] = set()
        for _ in range(runs):
            sample = run_timed(preflight_argv("run", ENTRYPOINT, "--root", str(root)), env=bench_env())
            if sample.returncode not in (0, 1):
                reason = f"exit {sample.returncode}: {last_line(sample.stderr or sample.stdout)}"
                return (not_measured("run bybit_desktop_paper wall", "s", WALL_TARGET, reason),)
            walls.append(sample.wall_s)
            rss.append(sample.peak_rss_mb)
            verdicts.add(sample.returncode)
    verdict = "/".join("GO" if code == 0 else "NO-GO" for code in sorted(verdicts))
    detail = f"median of {runs} subprocess runs, default session, verdict {verdict}"
    return (
        Figure("run bybit_desktop_paper wall (median)", median(walls), "s", WALL_TARGET, detail),
        Figure(
            "run bybit_desktop_paper peak RSS", max(rss), "MB", RSS_TARGET, "wait4 ru_maxrss of the child"
        ),
        Figure(
            "demo (provision + first run) wall", provisioned.wall_s, "s", None, "preflight demo --dir, once"
        ),
    )
