"""Figure: cold start of ``preflight --help`` (SPEC.md section 10: < 0.3 s)."""

from __future__ import annotations

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

TARGET = Target("<", 0.3)


def measure(quick: bool) -> tuple[Figure, ...]:
    """Time ``preflight --help`` in fresh processes; report the best and the median."""
    runs = 5 if quick else 15
    walls: list[float] = []
    for _ in range(runs):
        sample = run_timed(preflight_argv("--help"), env=bench_env())
        if sample.returncode != 0:
            reason = f"exit {sample.returncode}: {last_line(sample.stderr or sample.stdout)}"
            return (not_measured("cli --help cold start (median)", "s", TARGET, reason),)
        walls.append(sample.wall_s)
    detail = f"{runs} fresh processes of the console script"
    return (
        Figure("cli --help cold start (best)", min(walls), "s", TARGET, detail),
        Figure("cli --help cold start (median)", median(walls), "s", TARGET, detail),
    )
