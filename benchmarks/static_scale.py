"""Figure: static checks (``--no-paper``) over deployments of 50, 500 and 5000 entrypoints (500: <= 2 s)."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

from benchmarks.common import Figure, Target, bench_env, last_line, not_measured, preflight_argv, run_timed
from benchmarks.deployments import ENTRYPOINT, provision_demo, scale_deployment

TARGET_500 = Target("<=", 2.0)


def _time_static(root: Path, runs: int) -> float:
    """Return the best wall time of ``runs`` ``--no-paper`` runs (best-of damps a shared machine's noise)."""
    walls = []
    for _ in range(runs):
        argv = preflight_argv("run", ENTRYPOINT, "--root", str(root), "--no-paper")
        sample = run_timed(argv, env=bench_env())
        if sample.returncode not in (0, 1):
            raise RuntimeError(f"exit {sample.returncode}: {last_line(sample.stderr or sample.stdout)}")
        walls.append(sample.wall_s)
    return min(walls)


def measure(quick: bool) -> tuple[Figure, ...]:
    """Generate the scaled deployments from a demo deployment and time the static checks on each."""
    sizes = (50, 500) if quick else (50, 500, 5000)
    figures: list[Figure] = []
    timings: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="preflight-bench-scale-") as tmp:
        base = Path(tmp) / "demo"
        provision_demo(base)
        for size in sizes:
            root = Path(tmp) / f"n{size}"
            scale_deployment(base, root, size)
            try:
                timings[size] = _time_static(root, runs=3 if size <= 500 else 1)
            except RuntimeError as error:
                target = TARGET_500 if size == 500 else None
                figures.append(
                    not_measured(f"static checks, {size} wired entrypoints", "s", target, str(error))
                )
                continue
            per_entry_ms = 1000.0 * timings[size] / size
            runs = 3 if size <= 500 else 1
            detail = f"--no-paper subprocess, best of {runs}; {per_entry_ms:.2f} ms per entrypoint"
            figures.append(
                Figure(
                    f"static checks, {size} wired entrypoints",
                    timings[size],
                    "s",
                    TARGET_500 if size == 500 else None,
                    detail,
                )
            )
        light = Path(tmp) / "light500"
        scale_deployment(base, light, 500, wired=False)
        try:
            light_s = _time_static(light, runs=3)
        except RuntimeError as error:
            figures.append(not_measured("static checks, 500 bare entrypoints", "s", None, str(error)))
        else:
            detail = "entrypoints only, all on the demo's live environment: the YAML is 1/4 the size"
            figures.append(Figure("static checks, 500 bare entrypoints", light_s, "s", None, detail))
    # How cost grows: the marginal cost per added entrypoint between sizes (constant = linear).
    ordered = sorted(timings)
    for small, large in itertools.pairwise(ordered):
        marginal_ms = 1000.0 * (timings[large] - timings[small]) / (large - small)
        figures.append(
            Figure(
                f"static growth {small}->{large}",
                marginal_ms,
                "ms/entrypoint",
                None,
                f"x{timings[large] / timings[small]:.2f} time for x{large // small} entrypoints",
            )
        )
    return tuple(figures)
