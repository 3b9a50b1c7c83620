"""Figure: ``preflight --help`` ÷ ``python -c pass``, both cold processes of this run (<= 3).

Both are the best of their runs, interleaved so the machine's load hits them alike; the interpreter
start is the reference, so the ratio is what preflight's own imports add.
"""

from __future__ import annotations

import sys

from benchmarks.common import Figure, Target, bench_env, best_of, preflight_argv

TARGET = Target("<=", 3.0)


def measure(quick: bool) -> tuple[Figure, ...]:
    """Time ``preflight --help`` and ``python -c pass`` alternately; report the ratio of the bests."""
    runs = 7 if quick else 21
    env = bench_env()
    best_of(1, preflight_argv("--help"), env=env)  # writes the byte-code cache once
    helps, passes = [], []
    for _ in range(runs):
        helps.append(best_of(1, preflight_argv("--help"), env=env).wall_s)
        passes.append(best_of(1, [sys.executable, "-c", "pass"], env=env).wall_s)
    detail = (
        f"best of {runs} each: --help {min(helps) * 1000:.0f} ms, python -c pass {min(passes) * 1000:.0f} ms"
    )
    return (Figure("--help / python -c pass", min(helps) / min(passes), "x", TARGET, detail),)
