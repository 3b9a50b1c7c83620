"""Figures: static checks (``--no-paper``) over 50, 500 and 5,000 wired entrypoints, as a linear fit.

Reported: the marginal cost per entrypoint (least-squares slope, <= 1.0 ms), the intercept (the fixed
cost of a run, also as a multiple of ``python -c pass`` in the same run), the linearity ratio (the
marginal cost from 500 to 5,000 over the one from 50 to 500: 1.0 is linear, within 1.25 required) and
the peak RSS of the 5,000-entrypoint run (its own VmHWM, <= 150 MB). Absolute seconds are information.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks.common import Figure, Target, bench_env, best_of, preflight_argv, python_pass
from benchmarks.deployments import ENTRYPOINT, provision_demo, scale_deployment

MARGINAL_TARGET = Target("<=", 1.0)
LINEARITY_TARGET = Target("<=", 1.25)
RSS_TARGET = Target("<=", 150.0)


def _fit(points: dict[int, float]) -> tuple[float, float]:
    """Return (intercept s, slope s/entrypoint) of the least-squares line through ``points``."""
    n = len(points)
    mean_x = sum(points) / n
    mean_y = sum(points.values()) / n
    sxx = sum((x - mean_x) ** 2 for x in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points.items()) / sxx
    return mean_y - slope * mean_x, slope


def measure(quick: bool) -> tuple[Figure, ...]:
    """Generate the scaled deployments from a demo deployment and time the static checks on each."""
    sizes = (50, 500, 5000)
    runs = {50: 2 if quick else 5, 500: 2 if quick else 3, 5000: 1 if quick else 2}
    env = bench_env()
    walls: dict[int, float] = {}
    rss: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="preflight-bench-scale-") as tmp:
        base = Path(tmp) / "demo"
        provision_demo(base)
        argvs = {}
        for size in sizes:
            root = Path(tmp) / f"n{size}"
            scale_deployment(base, root, size)
            argvs[size] = preflight_argv("run", ENTRYPOINT, "--root", str(root), "--no-paper")
            best_of(1, argvs[size], env=env)  # byte-code and file caches warm, as for every other figure
        # Interleaved rounds, best of each size: the machine's load hits every size alike.
        for round_ in range(max(runs.values())):
            for size in sizes:
                if round_ < runs[size]:
                    sample = best_of(1, argvs[size], env=env)
                    if size not in walls or sample.wall_s < walls[size]:
                        walls[size] = sample.wall_s
                    rss[size] = max(rss.get(size, 0.0), sample.peak_rss_mb)
        start = python_pass(5).wall_s
    intercept, slope = _fit(walls)
    low = (walls[500] - walls[50]) / 450
    high = (walls[5000] - walls[500]) / 4500
    linearity = max(high / low, low / high) if low > 0 and high > 0 else float("inf")
    times = ", ".join(f"{size}: {walls[size]:.2f} s" for size in sizes)
    return (
        Figure(
            "static marginal cost",
            slope * 1000,
            "ms/entrypoint",
            MARGINAL_TARGET,
            f"least squares over {times}",
        ),
        Figure(
            "static intercept / python -c pass",
            intercept / start,
            "x",
            None,
            f"intercept {intercept:.2f} s, python -c pass {start * 1000:.0f} ms",
        ),
        Figure(
            "static linearity 500->5000 vs 50->500",
            linearity,
            "x",
            LINEARITY_TARGET,
            f"marginal {low * 1000:.2f} ms (50->500) vs {high * 1000:.2f} ms (500->5000) per entrypoint",
        ),
        Figure(
            "static 5,000 entrypoints peak RSS", rss[5000], "MB", RSS_TARGET, "VmHWM of the run's own process"
        ),
    )
